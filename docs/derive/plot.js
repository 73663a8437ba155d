// f and f' as an SVG line plot, drawn from the values SymPy sampled (null: no real value there).
// The y range covers both curves, but no more than [-10, 10]: u^3 would flatten everything else.
// The viewBox is as wide as the plot is drawn, one unit a CSS pixel, so the labels keep their
// FONT px on any screen (a fixed 640-wide viewBox shrank 14 to 7.8 px on a phone); the plot is
// drawn again when its width changes.

const NS = "http://www.w3.org/2000/svg";
const FONT = 13, PAD = { left: 44, right: 18, top: 12, bottom: 30 };
const CURVES = [
  { key: "f", label: "f(u)", color: "#3b6fd1", dash: "" },
  { key: "df", label: "f′(u)", color: "#e0701a", dash: "7 4" },
];
const drawn = new WeakMap();  // svg -> the plot it shows, for redrawing at a new width
const resized = new ResizeObserver((entries) => {
  for (const { target } of entries) if (drawn.has(target)) draw(target, drawn.get(target));
});

function el(name, attrs, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

// Tick step 1, 2 or 5 times a power of ten, about `count` ticks over the span.
function step(span, count) {
  const raw = span / count, power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
}

function yRange(plot) {
  const ys = CURVES.flatMap((c) => plot[c.key]).filter((v) => v !== null);
  let lo = Math.max(Math.min(...ys, 0), -10), hi = Math.min(Math.max(...ys, 0), 10);
  if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
  const pad = 0.06 * (hi - lo);
  return [lo - pad, hi + pad];
}

// One path, broken wherever a value is missing.
function pathData(xs, ys, X, Y) {
  let d = "", pen = false;
  xs.forEach((x, i) => {
    if (ys[i] === null) { pen = false; return; }
    d += `${pen ? "L" : "M"}${X(x).toFixed(1)},${Y(ys[i]).toFixed(1)}`;
    pen = true;
  });
  return d;
}

export function drawPlot(svg, plot) {
  drawn.set(svg, plot);
  resized.observe(svg);
  draw(svg, plot);
}

function draw(svg, plot) {
  // Hidden (no width yet): draw at 640, the ResizeObserver redraws once it is shown.
  const W = Math.round(svg.getBoundingClientRect().width) || 640;
  const H = Math.round(Math.min(360, Math.max(240, 0.5625 * W)));
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.replaceChildren();
  const xs = plot.u, [lo, hi] = yRange(plot);
  const x0 = xs[0], x1 = xs[xs.length - 1];
  const X = (x) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const Y = (y) => H - PAD.bottom - ((y - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const axis = { stroke: "currentColor", "stroke-opacity": 0.25, "stroke-width": 1 };
  const label = { fill: "currentColor", "font-size": FONT, "text-anchor": "middle" };
  const dx = W < 480 ? 2 : 1;  // tick labels one digit apart need 30 px or so each
  for (let x = Math.ceil(x0 / dx) * dx; x <= x1; x += dx) {
    svg.append(el("line", { x1: X(x), x2: X(x), y1: PAD.top, y2: H - PAD.bottom, ...axis,
                            "stroke-opacity": x === 0 ? 0.6 : 0.12 }));
    svg.append(el("text", { x: X(x), y: H - PAD.bottom + 16, ...label }, String(x)));
  }
  const dy = step(hi - lo, H < 300 ? 4 : 5);
  for (let y = Math.ceil(lo / dy) * dy; y <= hi; y += dy) {
    const at = Number(y.toPrecision(6));
    svg.append(el("line", { x1: PAD.left, x2: W - PAD.right, y1: Y(at), y2: Y(at), ...axis,
                            "stroke-opacity": at === 0 ? 0.6 : 0.12 }));
    svg.append(el("text", { x: PAD.left - 6, y: Y(at) + 4, ...label, "text-anchor": "end" },
                  String(at)));
  }
  svg.append(el("text", { x: W - 4, y: H - PAD.bottom + 4, ...label, "text-anchor": "end",
                          "font-style": "italic" }, "u"));
  const clip = el("clipPath", { id: "derive-clip" });
  clip.append(el("rect", { x: PAD.left, y: PAD.top, width: W - PAD.left - PAD.right,
                           height: H - PAD.top - PAD.bottom }));
  svg.append(clip);
  CURVES.forEach((c, i) => {
    svg.append(el("path", { d: pathData(xs, plot[c.key], X, Y), fill: "none", stroke: c.color,
                            "stroke-width": 2.5, "stroke-dasharray": c.dash,
                            "clip-path": "url(#derive-clip)", "data-curve": c.key }));
    const ly = PAD.top + FONT + (FONT + 5) * i;
    svg.append(el("line", { x1: PAD.left + 10, x2: PAD.left + 38, y1: ly - 4, y2: ly - 4,
                            stroke: c.color, "stroke-width": 2.5, "stroke-dasharray": c.dash }));
    svg.append(el("text", { x: PAD.left + 44, y: ly, ...label, "text-anchor": "start" }, c.label));
  });
}
