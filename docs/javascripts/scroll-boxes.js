// A box that scrolls sideways (wide display math, a long output line, a wide table) is a tab
// stop while it overflows, so that a keyboard scrolls it as a mouse or a finger does; once it
// fits again (a wider window) it stops being one. Code blocks are Material's own such stops.
// Boxes are measured as they near the screen, not all at load (measuring forces a layout of
// the whole long page); the first Tab measures every box, before the browser moves the focus.
(() => {
  const BOXES = "article :is(.katex-display, .jp-RenderedLatex, .jp-OutputArea-output, " +
                ".jp-RenderedText pre, .jp-RenderedMarkdown pre, .md-typeset__scrollwrap)";
  const mark = box => {
    const scrolls = box.scrollWidth > box.clientWidth + 1 &&
                    ["auto", "scroll"].includes(getComputedStyle(box).overflowX);
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
      box.dataset.scrollBox = "";
    } else if (!scrolls && "scrollBox" in box.dataset) {
      box.removeAttribute("tabindex");
      delete box.dataset.scrollBox;
    }
  };
  const all = () => document.querySelectorAll(BOXES).forEach(mark);
  const start = () => {
    const near = new IntersectionObserver(entries => entries.forEach(e => {
      if (e.isIntersecting) mark(e.target);
    }), {rootMargin: "50% 0px"});
    document.querySelectorAll(BOXES).forEach(box => near.observe(box));
    addEventListener("keydown", e => { if (e.key === "Tab") all(); }, {once: true});
    let pending = 0;
    addEventListener("resize", () => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(all);
    });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
