"""The JavaScript tests/test_site.py runs in each page; each returns what it found wrong."""

# Text left after removing typeset math and code: no raw TeX delimiters may survive.
UNTYPESET = """() => {
  const clone = document.createElement("div");
  for (const part of document.querySelectorAll("article, .md-nav--secondary")) {
    clone.appendChild(part.cloneNode(true));
  }
  clone.querySelectorAll(".katex, pre, code, script, style, .highlight, .jp-InputArea-editor")
    .forEach(e => e.remove());
  document.body.appendChild(clone);  // innerText needs layout
  const text = clone.innerText;
  clone.remove();
  return text;
}"""

MATH = """() => ({
  katex: document.querySelectorAll(".katex").length,
  errors: [...document.querySelectorAll(".katex-error")].map(e => e.textContent).slice(0, 3),
  untypeset: [...document.querySelectorAll(".arithmatex, .jp-RenderedLatex")]
      .filter(e => !e.querySelector(".katex")).map(e => e.textContent.slice(0, 80)),
})"""

# Every plot, loaded now although the page asks the browser to load it lazily.
IMAGES = """async () => {
  const images = [...document.querySelectorAll("article img")];
  images.forEach(i => { i.loading = "eager"; });
  await Promise.all(images.map(i => i.decode().catch(() => null)));
  return images.map(i => ({
    src: i.currentSrc.slice(-40), ok: i.complete, w: i.naturalWidth, h: i.naturalHeight,
    sized: i.hasAttribute("width") && i.hasAttribute("height")}));
}"""

# The search results: each page's links (the page, then its sections) with their titles, the
# text, and any code shown.
SEARCH_RESULTS = """() => [...document.querySelectorAll(".md-search-result__item")].map(item => ({
  links: [...item.querySelectorAll("a")].map(a => decodeURI(a.getAttribute("href"))
                                                   .replace(/[?]h=[^#]*/, "")),
  titles: [...item.querySelectorAll("a")].map(a =>
    (a.querySelector("h1, h2") || {textContent: ""}).textContent.trim()),
  text: (c => { c.querySelectorAll("pre, code").forEach(e => e.remove()); return c.textContent; })
        (item.cloneNode(true)),  // a docstring's TeX is code, not a formula
  code: [...item.querySelectorAll("pre")].map(e => e.textContent.slice(0, 60)),
}))"""

# A word of an output, a table cell or a paragraph laid out on two lines ("identi/ty").
MIDWORD = """() => {
  const broken = [];
  const blocks = document.querySelectorAll(
    "article .jp-OutputArea-output pre, article td, article th, article p, article li");
  for (const block of blocks) {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT, {acceptNode: n =>
      n.parentElement.closest(".katex, code") ? NodeFilter.FILTER_REJECT
                                               : NodeFilter.FILTER_ACCEPT});
    for (let node; (node = walker.nextNode()) && broken.length < 5;) {
      for (const m of node.data.matchAll(/[^\\s\\-\\u2010-\\u2014\\/]{2,}/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                                       .map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""

# A table wider than the text column, whose last columns hide behind a scroll bar.
TABLES = """() => [...document.querySelectorAll("article table")]
  .filter(t => t.getBoundingClientRect().right > t.closest("article")
                                                   .getBoundingClientRect().right + 1)
  .map(t => t.innerText.slice(0, 60))"""

# axe-core (node_modules/axe-core, from npm) over the page: serious and critical violations.
# `rules`: only these rules (the dark scheme changes colours only, so it re-runs the colour ones).
# Left out, as axe's time grows with the page's size (40 s on the API page, 37,000 elements):
# KaTeX's drawn formulas (.katex-html: hidden from assistive technology, whose MathML is read
# and checked instead, in the colour of the text around them) and the API's folded source
# listings (code in the code colours every visible code block is checked in): 137 listings,
# 22,000 elements on the derivations API page, half of the sweep's axe time.
AXE = """async (rules) => {
  // Colours settled at once: no fade of the skip link half-way. Every cell laid out: axe
  // reads colours wrong inside a cell the browser has not laid out yet (content-visibility).
  const still = document.createElement("style");
  still.textContent = "*, *::before, *::after { transition: none !important; } " +
                      ".jp-Cell { content-visibility: visible !important; }";
  document.head.appendChild(still);
  if (rules) document.body.setAttribute("data-md-color-scheme", "slate");  // the dark scheme
  const options = {resultTypes: ["violations"]};
  if (rules) options.runOnly = {type: "rule", values: rules};
  // mkdocstrings folds a listing in details.mkdocstrings-source (older, details.quote).
  document.querySelectorAll(".katex-html, " +
                            "details:is(.quote, .mkdocstrings-source):not([open]) > :not(summary)")
    .forEach(e => e.remove());
  const result = await axe.run(document, options);
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 2).map(n => n.target.join(" "))
                                                             .join(" | ")}`);
}"""

# Tab stops that are not controls: a focusable element with no role a keyboard user can use.
FOCUS = """() => {
  // A code block that scrolls is a stop on purpose (Material): the keyboard scrolls it.
  // So is a box that overflows sideways (docs/javascripts/scroll-boxes.js).
  const controls = "a[href], button, input, select, textarea, summary, label[for], [role], " +
                   "pre > code, [data-scroll-box]";
  const stops = [...document.querySelectorAll("[tabindex]")]
    .filter(e => e.tabIndex >= 0 && !e.matches(controls) && !e.closest(".md-search"));
  return stops.slice(0, 3).map(e => e.outerHTML.slice(0, 80));
}"""

# Phone checks by measurement: how the page lays out at 390 px, instead of a screenshot.
# `fit`: every table fits the screen (else a wide one may scroll in its own box).
PHONE = """async (fit) => {
  const problems = [];
  const width = document.documentElement.scrollWidth;
  if (width > innerWidth + 1) problems.push(`page is ${width} px wide`);
  const images = [...document.querySelectorAll("article img")];
  images.forEach(i => { i.loading = "eager"; });
  await Promise.all(images.map(i => i.decode().catch(() => null)));
  for (const i of images) {
    const scale = i.getBoundingClientRect().width / i.naturalWidth;
    if (i.naturalWidth && scale < 0.5)
      problems.push(`figure at ${scale.toFixed(2)}x: ${i.currentSrc.split("/").pop()}`);
  }
  // A table fits the screen, or (`fit` false) scrolls in a box that does.
  const article = document.querySelector("article").getBoundingClientRect();
  for (const t of document.querySelectorAll("article table")) {
    if (t.getBoundingClientRect().right <= article.right + 1) continue;
    let box = t;
    while (box && box.tagName !== "ARTICLE" && !["auto", "scroll"].includes(
               getComputedStyle(box).overflowX)) box = box.parentElement;
    // (Material's scroll box reaches into the page's padding, to the screen's edge.)
    const scrolls = box && box.tagName !== "ARTICLE" &&
                    box.getBoundingClientRect().right <= innerWidth + 1;
    if (fit || !scrolls)
      problems.push(`table ${scrolls ? "scrolls" : "cut off"}: ${t.textContent.slice(0, 40)}`);
  }
  for (const m of document.querySelectorAll(".katex-display, .jp-RenderedLatex")) {
    if (m.scrollWidth <= m.clientWidth + 1) continue;
    const style = getComputedStyle(m);
    if (!["auto", "scroll"].includes(style.overflowX))
      problems.push(`wide math cut off: ${m.textContent.slice(0, 40)}`);
    else if (!style.backgroundImage.includes("gradient"))
      problems.push(`wide math scrolls with no cue: ${m.textContent.slice(0, 40)}`);
  }
  return problems;
}"""
