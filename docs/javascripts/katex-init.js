// Typeset math with the KaTeX copy the build placed under assets/katex (never another host).
// arithmatex wraps Markdown math in .arithmatex as \( \) and \[ \]; notebook cells keep the raw
// $ and $$ that Jupyter writes, inside .jp-RenderedMarkdown and .jp-RenderedLatex, and so do
// their headings where the table of contents repeats them.
document$.subscribe(({ body }) => {
  const options = {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false,
  };
  body.querySelectorAll(".arithmatex, .jp-RenderedMarkdown, .jp-RenderedLatex, " +
                        ".md-nav--secondary .md-nav__link")
    .forEach((el) => renderMathInElement(el, options));
});
