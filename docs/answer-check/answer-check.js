// The answer boxes of the homework pages (pages/answer_check.py writes them): each
// `.answer-check[data-target]` holds a textarea, a button and a verdict with role="status".
// The first check starts Python (worker.js) and SymPy, which judge the answer with
// derivations/answers.py; later checks reuse them. Nothing loads on a page without a box.

const boxes = document.querySelectorAll(".answer-check[data-target]");
const root = new URL("..", import.meta.url);  // this file sits in <site>/answer-check/
const TIMEOUT_S = 30;
let worker = null, ready = null, seq = 0;
const pending = new Map();

function stopWorker() {
  if (worker) worker.terminate();
  worker = null;
  ready = null;
  for (const { reject } of pending.values()) reject(new Error("Python stopped"));
  pending.clear();
}

function start(status) {
  ready ??= fetch(new URL("assets/derive/manifest.json", root)).then((response) => {
    if (!response.ok) throw new Error(`manifest.json: HTTP ${response.status}`);
    return response.json();
  }).then((manifest) => new Promise((resolve, reject) => {
    const failed = (why) => reject(new Error(`Python could not start: ${why}`));
    worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
    worker.onmessage = ({ data }) => {
      if (data.type === "status") status(data.text);
      else if (data.type === "ready") resolve();
      else if (data.type === "fatal") failed(data.message);
      else if (data.type === "verdict") pending.get(data.id)?.resolve(data.json);
    };
    worker.onerror = (event) => failed(event.message || "the worker did not load");
    worker.postMessage({ type: "init", root: root.href, manifest });
  }));
  ready.catch(stopWorker);
  return ready;
}

function judge(target, text) {
  return new Promise((resolve, reject) => {
    const id = ++seq;
    const timer = setTimeout(() => {
      stopWorker();
      reject(new Error(`SymPy spent more than ${TIMEOUT_S} s on this answer and was stopped; ` +
                       "the next check starts it again."));
    }, TIMEOUT_S * 1000);
    pending.set(id, {
      resolve: (json) => { clearTimeout(timer); pending.delete(id); resolve(JSON.parse(json)); },
      reject: (err) => { clearTimeout(timer); pending.delete(id); reject(err); },
    });
    worker.postMessage({ type: "check", id, target, text });
  });
}

// The page's "Common mistake" box whose title holds `words`, given an id if it has none.
function mistakeBox(words) {
  if (!words) return null;
  const titles = document.querySelectorAll("details > summary, .admonition > .admonition-title");
  for (const title of titles) {
    const text = title.textContent.toLowerCase();
    if (!text.includes("mistake") || !text.includes(words.toLowerCase())) continue;
    const found = title.parentElement;
    found.id ||= `mistake-${words.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
    return found;
  }
  return null;
}

function show(verdict, out) {
  verdict.dataset.kind = out.kind;
  verdict.textContent = out.text;
  const target = mistakeBox(out.box);
  if (target) {
    const link = Object.assign(document.createElement("a"), {
      href: `#${target.id}`, textContent: "The common mistake, explained",
    });
    link.addEventListener("click", () => { if (target.tagName === "DETAILS") target.open = true; });
    verdict.append(" ", link, ".");
  }
}

async function check(box) {
  if (box.dataset.busy) return;
  const verdict = box.querySelector('[role="status"]');
  const button = box.querySelector("button");
  const text = box.querySelector("textarea").value;
  box.dataset.busy = "1";
  button.disabled = true;
  const clicked = performance.now(), cold = !ready;
  let words = cold ? "Loading Python and SymPy from this site, once" : "Checking";
  const tick = () => {
    verdict.dataset.kind = "loading";
    verdict.textContent = `${words}… ${((performance.now() - clicked) / 1000).toFixed(1)} s`;
  };
  const status = (text) => { words = text; tick(); };
  tick();
  const ticker = setInterval(tick, 200);  // the seconds go on while Python starts
  verdict.setAttribute("aria-busy", "true");  // a screen reader waits for the verdict
  try {
    await start(status);
    words = "Checking";
    const out = await judge(box.dataset.target, text);
    clearInterval(ticker);
    show(verdict, out);
    const ms = Math.round(performance.now() - clicked);
    box.dataset.ms = String(ms);
    if (cold) box.dataset.firstMs = String(ms);
  } catch (err) {
    clearInterval(ticker);
    verdict.dataset.kind = "error";
    verdict.textContent = err.message;
  } finally {
    clearInterval(ticker);
    verdict.removeAttribute("aria-busy");
    delete box.dataset.busy;
    button.disabled = false;
  }
}

if (boxes.length) {
  document.head.append(Object.assign(document.createElement("link"), {
    rel: "stylesheet", href: new URL("answer-check.css", import.meta.url).href,
  }));
  for (const box of boxes) {
    box.querySelector('[role="status"]').textContent = "";
    box.querySelector("button").addEventListener("click", () => check(box));
    box.querySelector("textarea").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {  // Shift+Enter still breaks a line
        event.preventDefault();
        check(box);
      }
    });
  }
}
