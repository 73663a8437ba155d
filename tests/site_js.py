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
    src: i.currentSrc.slice(-40), ok: i.complete, w: i.naturalWidth, h: i.naturalHeight}));
}"""

# The search results' text, code left out (a docstring's TeX is code, not a formula).
SEARCH_RESULTS = """() => [...document.querySelectorAll(".md-search-result__item")].map(item => {
  const clone = item.cloneNode(true);
  clone.querySelectorAll("pre, code").forEach(e => e.remove());
  return [item.querySelector("a").getAttribute("href"), clone.textContent];
})"""

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
