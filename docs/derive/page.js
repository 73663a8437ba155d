// The "Derive your own" page: the form, the status line, Python's worker, and KaTeX.
// Python starts (worker.js) only on the first Derive; KaTeX is the site's own copy, loaded here
// if the site has not loaded it already; results.js typesets what the worker sends back.

import { show, showFactor } from "./results.js";

const root = new URL("..", import.meta.url);  // this file sits in <site>/derive/
const $ = (id) => document.getElementById(id);
const TIMEOUT_S = 60;
const manifest = fetch(new URL("assets/derive/manifest.json", root)).then((response) => {
  if (!response.ok) throw new Error(`manifest.json: HTTP ${response.status}`);
  return response.json();
});
let worker = null, ready = null, setup = null, pending = null, seq = 0, busy = false;
let ticker = null;

function status(text, timed = false) {
  clearInterval(ticker);
  $("derive-status").textContent = text;
  if (!timed) return;
  const start = performance.now();
  ticker = setInterval(() => {
    $("derive-status").textContent = `${text}… ${((performance.now() - start) / 1000).toFixed(1)} s`;
  }, 100);
}

function showError(message) {
  $("derive-error").textContent = message;
  $("derive-error").hidden = false;
  $("derive-output").hidden = true;
}

function stopWorker() {
  if (worker) worker.terminate();
  worker = null;
  ready = null;
}

function start() {
  ready ??= manifest.then((m) => new Promise((resolve, reject) => {
    const failed = (why) => reject(new Error(`Python could not start: ${why}`));
    worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
    worker.onmessage = ({ data }) => {
      if (data.type === "status") status(data.text, true);
      else if (data.type === "ready") { setup = data.setup; resolve(); }
      else if (data.type === "fatal") failed(data.message);
      else if (data.type === "result" && pending?.id === data.id) pending.resolve(data.json);
    };
    worker.onerror = (event) => failed(event.message || "the worker did not load");
    worker.postMessage({ type: "init", root: root.href, manifest: m });
  }));
  ready.catch(stopWorker);
  return ready;
}

function analyse(text) {
  return new Promise((resolve, reject) => {
    const id = ++seq;
    const timer = setTimeout(() => {
      pending = null;
      stopWorker();
      reject(new Error(`SymPy spent more than ${TIMEOUT_S} s on this expression and was ` +
                       "stopped; the next Derive starts it again."));
    }, TIMEOUT_S * 1000);
    pending = { id, resolve: (json) => { clearTimeout(timer); pending = null; resolve(json); } };
    worker.postMessage({ type: "analyse", id, text });
  });
}

function ensureKatex() {
  if (window.katex) return Promise.resolve();
  return manifest.then((m) => new Promise((resolve, reject) => {
    const [script, sheet] = m.katex;
    if (!document.querySelector('link[href*="katex"]')) {
      document.head.append(Object.assign(document.createElement("link"),
                                         { rel: "stylesheet", href: new URL(sheet, root).href }));
    }
    const tag = Object.assign(document.createElement("script"), { src: new URL(script, root).href });
    tag.onload = resolve;
    tag.onerror = () => reject(new Error("KaTeX could not be loaded from this site"));
    document.head.append(tag);
  }));
}

async function run(text) {
  if (busy) return;
  busy = true;
  const buttons = document.querySelectorAll("#derive button");
  buttons.forEach((b) => { b.disabled = true; });
  const clicked = performance.now(), cold = !ready;
  try {
    await Promise.all([start(), ensureKatex()]);
    status("Deriving", true);
    const out = JSON.parse(await analyse(text));
    if (!out.ok) {
      showError(out.error);
      status("SymPy is ready.");
      return;
    }
    show(out, setup.macros);
    const ms = performance.now() - clicked;
    $("derive").dataset.firstResultMs ??= String(Math.round(ms));
    status(cold ? `Python and SymPy loaded and f′ derived in ${(ms / 1000).toFixed(1)} s; ` +
                  "the next expressions reuse them." : `Derived in ${(ms / 1000).toFixed(1)} s.`);
  } catch (err) {
    showError(err.message);
    status("");
  } finally {
    busy = false;
    buttons.forEach((b) => { b.disabled = false; });
  }
}

manifest.then((m) => {
  $("derive-names").textContent = `Names you may use: ${m.names.join(", ")}.`;
  $("derive-status").textContent = "The first click downloads Python (Pyodide) and SymPy " +
    `from this site, ${(m.bytes / 1e6).toFixed(1)} MB, once.`;
}).catch((err) => showError(`This page cannot find its files: ${err.message}`));
$("derive-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run($("derive-input").value);
});
document.querySelectorAll(".derive-examples button").forEach((button) => {
  button.addEventListener("click", () => {
    $("derive-input").value = button.dataset.expr;
    run(button.dataset.expr);
  });
});
$("derive-layers").addEventListener("input", showFactor);
