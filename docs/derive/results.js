// The results of one expression, typeset with KaTeX in the site's notation (its macros come
// from derivations.notation, through the worker), the plot, and the best case through L layers.

import { drawPlot } from "./plot.js";

const $ = (id) => document.getElementById(id);
let last = null, macros = {};

function tex(id, source) {
  window.katex.render(source, $(id), { displayMode: true, throwOnError: false,
                                       macros: { ...macros } });
}

// A number for LaTeX: 4 significant digits, powers of ten as \times 10^{k}.
function num(v) {
  if (v === 0 || v === 1) return String(v);
  if (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4) return String(Number(v.toPrecision(4)));
  const [mantissa, exponent] = v.toExponential(3).split("e");
  return `${Number(mantissa)} \\times 10^{${Number(exponent)}}`;
}

const BOUND = {
  attained: (b) => String.raw`${b.exact ? "=" : "\\approx"} ${b.tex} \quad \text{at } ${b.where}`,
  limit: (b) => String.raw`= \lim_{${b.where}} \lvert f'(u) \rvert = ${b.tex}`,
  unbounded: (b) => String.raw`= \infty \quad (${b.where})`,
};

export function showFactor() {
  const L = Number($("derive-layers").value);
  $("derive-layers-value").textContent = String(L);
  if (!last) return;
  const M = last.sup.value, prod = String.raw`\prod_{l=1}^{${L}} \lvert f'(u_l) \rvert`;
  const factor = M === null ? Infinity : M ** L;
  $("derive-factor").dataset.value = String(factor);
  if (M === null) {
    tex("derive-factor", String.raw`${prod} \le \infty`);
    $("derive-verdict").textContent = "f′ is unbounded: the activations alone put no limit " +
      "on how much a gradient can grow.";
    return;
  }
  const base = last.sup.exact ? last.sup.tex : num(M);
  const sign = factor === 0 || factor === 1 ? "=" : "\\approx";
  tex("derive-factor", String.raw`${prod} \le M^{${L}} = \left(${base}\right)^{${L}} ${sign} ${num(factor)}`);
  $("derive-verdict").textContent = M < 1
    ? `With M < 1 the bound shrinks ${Number((1 / M).toPrecision(3))}-fold per layer, whatever the weights.`
    : M === 1 ? "With M = 1 a gradient can pass every layer's f′ unchanged."
      : "With M > 1 the f′ factors allow a gradient to grow layer after layer.";
}

export function show(out, siteMacros) {
  last = out;
  macros = siteMacros;
  tex("derive-f", `f(u) = ${out.f_tex}`);
  tex("derive-df", `f'(u) = ${out.df_tex}`);
  $("derive-df-text").textContent = out.df_text;
  tex("derive-delta", out.delta_tex);
  drawPlot($("derive-plot"), out.plot);
  tex("derive-sup", String.raw`M = \sup_u \lvert f'(u) \rvert ` + BOUND[out.sup.kind](out.sup));
  $("derive-error").hidden = true;
  $("derive-output").hidden = false;
  showFactor();
}
