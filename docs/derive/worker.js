// Python for the "Derive your own" page: Pyodide in a module worker, so the page never freezes.
// It loads only what the page's manifest lists (tools/pyodide_assets.py), all from this site:
// Pyodide's core, the sympy and mpmath wheels, and pages.playground with the modules it
// imports. Messages in: init {root, manifest}, analyse {id, text}.
// Messages out: status {text}, ready {setup}, fatal {message}, result {id, json}.

let respond = null;
const post = (message) => self.postMessage(message);
const status = (text) => post({ type: "status", text });

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

// The whole body of `url`; `progress(received, total)` after every chunk.
async function fetchBytes(url, progress) {
  const response = await fetchOk(url);
  const total = Number(response.headers.get("Content-Length")) || 0;
  const reader = response.body.getReader();
  const parts = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    received += value.length;
    progress(received, total);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

async function init(root, manifest) {
  const at = (path) => new URL(path, root).href;
  // The wheels download while Python starts; the status line shows how much has arrived.
  const got = {}, size = {};
  let started = false;
  const report = () => {
    const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);
    const known = Object.keys(size).length === manifest.wheels.length && sum(size) > 0;
    const percent = known ? `${Math.round((100 * sum(got)) / sum(size))}%` : "0%";
    status(`${started ? "Python started" : "Starting Python"}; SymPy ${percent} downloaded`);
  };
  const wheels = Promise.all(manifest.wheels.map((wheel) => fetchBytes(at(wheel), (n, total) => {
    got[wheel] = n;
    size[wheel] = total;
    report();
  })));
  const sources = Promise.all(Object.values(manifest.modules)
    .map(async (url) => (await fetchOk(at(url))).text()));
  report();
  const { loadPyodide } = await import(at(manifest.pyodide + "pyodide.mjs"));
  // indexURL points at this site's copy: the lock file, runtime and stdlib all come from it.
  const py = await loadPyodide({ indexURL: at(manifest.pyodide), stdout: () => {} });
  started = true;
  report();
  const downloaded = await wheels;
  status("Installing SymPy");
  for (const bytes of downloaded) py.unpackArchive(bytes, "wheel");
  const home = "/home/pyodide/derive/";
  for (const path of Object.keys(manifest.modules)) {
    py.FS.mkdirTree(home + path.slice(0, path.lastIndexOf("/")));
  }
  const texts = await sources;
  Object.keys(manifest.modules).forEach((path, i) => py.FS.writeFile(home + path, texts[i]));
  status("Importing SymPy");
  py.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(home)})`);
  const playground = py.pyimport("pages.playground");
  respond = (text) => playground.respond(text);
  post({ type: "ready", setup: JSON.parse(playground.page_setup()) });
}

self.onmessage = async ({ data }) => {
  if (data.type === "init") {
    try {
      await init(data.root, data.manifest);
    } catch (err) {
      post({ type: "fatal", message: String((err && err.message) || err) });
    }
  } else if (data.type === "analyse") {
    let json;
    try {
      json = respond(data.text);  // respond() turns every Python error into {ok: false}
    } catch (err) {
      json = JSON.stringify({ ok: false, error: `Python failed: ${err.message}` });
    }
    post({ type: "result", id: data.id, json });
  }
};
