// Typeset TeX at build time with the KaTeX that package-lock.json pins; the pages then need no
// script to show math. One process serves a whole build: each stdin line is a JSON list of
// requests {"tex": ..., "display": bool}, each stdout line the list of answers, {"html": ...}
// or {"error": ...}.
// argv[2] holds the macros as JSON (derivations/notation.py's KATEX_MACROS, the one source).
"use strict";
const katex = require("katex");
const readline = require("readline");

const macros = JSON.parse(process.argv[2] || "{}");

function render({ tex, display }) {
  try {
    const html = katex.renderToString(tex, {
      displayMode: display,
      throwOnError: true, // a formula KaTeX cannot parse fails the build, never shows red text
      strict: "error",
      trust: false,
      output: "htmlAndMathml", // MathML for screen readers and for the search index's text
      macros: { ...macros }, // a fresh copy: \gdef in one formula must not leak into the next
    });
    return { html };
  } catch (err) {
    return { error: String(err.message || err) };
  }
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  process.stdout.write(JSON.stringify(JSON.parse(line).map(render)) + "\n");
});
