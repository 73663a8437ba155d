// Python for the answer boxes of the homework pages: Pyodide in a module worker, so the page
// never freezes. It loads what the site's Python manifest lists (tools/pyodide_assets.py), all
// from this site: Pyodide's core, the sympy and mpmath wheels, and derivations/answers.py.
// Messages in: init {root, manifest}, check {id, target, text}.
// Messages out: status {text}, ready {}, fatal {message}, verdict {id, json}.

let answers = null;
const post = (message) => self.postMessage(message);

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

async function init(root, manifest) {
  const at = (path) => new URL(path, root).href;
  let arrived = 0;
  const wheels = Promise.all(manifest.wheels.map(async (wheel) => {
    const bytes = new Uint8Array(await (await fetchOk(at(wheel))).arrayBuffer());
    post({ type: "status", text: `SymPy ${++arrived} of ${manifest.wheels.length} downloaded` });
    return bytes;
  }));
  const modules = Object.entries(manifest.modules)
    .filter(([path]) => /derivations\/(__init__|answers)\.py$/.test(path));
  if (modules.length !== 2) throw new Error("the manifest lists no derivations/answers.py");
  const sources = Promise.all(modules.map(async ([, url]) => (await fetchOk(at(url))).text()));
  post({ type: "status", text: "Starting Python" });
  const { loadPyodide } = await import(at(manifest.pyodide + "pyodide.mjs"));
  // indexURL points at this site's copy: the lock file, runtime and stdlib all come from it.
  const py = await loadPyodide({ indexURL: at(manifest.pyodide), stdout: () => {} });
  post({ type: "status", text: "Installing SymPy" });
  for (const bytes of await wheels) py.unpackArchive(bytes, "wheel");
  const home = "/home/pyodide/answers/";
  py.FS.mkdirTree(home + "derivations");
  const texts = await sources;
  modules.forEach(([path], i) => py.FS.writeFile(home + path, texts[i]));
  post({ type: "status", text: "Importing SymPy" });
  py.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(home)})`);
  answers = py.pyimport("derivations.answers");
  post({ type: "ready" });
}

self.onmessage = async ({ data }) => {
  if (data.type === "init") {
    try {
      await init(data.root, data.manifest);
    } catch (err) {
      post({ type: "fatal", message: String((err && err.message) || err) });
    }
  } else if (data.type === "check") {
    let json;
    try {
      json = answers.respond(data.target, data.text);  // never raises for a bad answer
    } catch (err) {
      json = JSON.stringify({ kind: "error", text: `Python failed: ${err.message}` });
    }
    post({ type: "verdict", id: data.id, json });
  }
};
