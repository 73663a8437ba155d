// f and f' as an SVG line plot, drawn from the values SymPy sampled (null: no real value there).
// The y range covers both curves, but no more than [-10, 10]: s^3 would flatten everything else.

const NS = "http://www.w3.org/2000/svg";
const W = 640, H = 360, PAD = { left: 52, right: 26, top: 14, bottom: 34 };
const CURVES = [
  { key: "f", label: "f(s)", color: "#3b6fd1", dash: "" },
  { key: "df", label: "f′(s)", color: "#e0701a", dash: "7 4" },
];

function el(name, attrs, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

// Tick step 1, 2 or 5 times a power of ten, about five ticks over the span.
function step(span) {
  const raw = span / 5, power = 10 ** Math.floor(Math.log10(raw));
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
  svg.replaceChildren();
  const xs = plot.u, [lo, hi] = yRange(plot);
  const x0 = xs[0], x1 = xs[xs.length - 1];
  const X = (x) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const Y = (y) => H - PAD.bottom - ((y - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const axis = { stroke: "currentColor", "stroke-opacity": 0.25, "stroke-width": 1 };
  const label = { fill: "currentColor", "font-size": 14, "text-anchor": "middle" };
  for (let x = Math.ceil(x0); x <= x1; x += 1) {
    svg.append(el("line", { x1: X(x), x2: X(x), y1: PAD.top, y2: H - PAD.bottom, ...axis,
                            "stroke-opacity": x === 0 ? 0.6 : 0.12 }));
    svg.append(el("text", { x: X(x), y: H - PAD.bottom + 16, ...label }, String(x)));
  }
  const dy = step(hi - lo);
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
    const ly = PAD.top + 14 + 18 * i;
    svg.append(el("line", { x1: PAD.left + 10, x2: PAD.left + 38, y1: ly - 4, y2: ly - 4,
                            stroke: c.color, "stroke-width": 2.5, "stroke-dasharray": c.dash }));
    svg.append(el("text", { x: PAD.left + 44, y: ly, ...label, "text-anchor": "start" }, c.label));
  });
}
