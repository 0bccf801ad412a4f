// The frame of a plot: axis ranges and ticks, grid lines, tick and axis labels, the titles.
import type { SortedPoints } from "./series.js";
import { type PlotSpec, TONE_COLOUR } from "./spec.js";
import { GRID, GRID_MINOR, INK, MUTED } from "./style.js";
import { el, esc, px, text } from "./svg.js";
import { linearLabel, linearTicks, logTicks } from "./ticks.js";

export interface Axis {
  lo: number;
  hi: number;
  /** Data → the axis' own coordinate (log10 on a log axis). */
  f: (v: number) => number;
  ticks: { at: number; label?: string; minor?: boolean }[];
}

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function makeXAxis(spec: PlotSpec): Axis {
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0]).filter(Number.isFinite));
  for (const b of spec.bands ?? []) xs.push(b.from, b.to);
  const lo = xs.length ? Math.min(...xs) : 0;
  let hi = xs.length ? Math.max(...xs) : 1;
  const integer = xs.every(Number.isInteger);
  if (hi === lo) hi = lo + 1;
  const t = linearTicks(lo, hi, 8, integer);
  // Ticks where the data are; the axis 2% wider each side, so end points and their dots clear the frame.
  const pad = 0.02 * (hi - lo);
  return { lo: lo - pad, hi: hi + pad, f: (v) => v, ticks: t.ticks.filter((v) => v >= lo - 1e-9 && v <= hi + 1e-9).map((at) => ({ at, label: linearLabel(at, t.step) })) };
}

export function makeYAxis(spec: PlotSpec, sorted: SortedPoints[], log: boolean): Axis {
  const ys = sorted.flatMap((s) => s.runs.flatMap((run) => run.map((p) => p[1])));
  for (const h of spec.hlines ?? []) if (Number.isFinite(h.y) && (!log || h.y > 0)) ys.push(h.y);
  let min = Infinity;
  let max = -Infinity;
  for (const y of ys) {
    if (y < min) min = y;
    if (y > max) max = y;
  }
  if (log) {
    const t = ys.length ? logTicks(min, max) : logTicks(0.1, 10);
    const ticks = [...t.minor.map((at) => ({ at, minor: true })), ...t.major.map((at) => ({ at, label: decadeLabel(at) }))];
    return { lo: t.lo, hi: t.hi, f: Math.log10, ticks };
  }
  const t = ys.length ? linearTicks(min, max, 6) : linearTicks(0, 1, 6);
  return { lo: t.lo, hi: t.hi, f: (v) => v, ticks: t.ticks.map((at) => ({ at, label: linearLabel(at, t.step) })) };
}

/** `10^k` written as 10 with a raised exponent: a tspan, since fonts lack some superscript digits. */
function decadeLabel(k: number): string {
  return `10^${k}`;
}

function tickLabel(label: string, a: { x: number; y: number; anchor: string }): string {
  const m = /^10\^(-?\d+)$/.exec(label);
  const common = { x: a.x, y: a.y, "text-anchor": a.anchor, "font-size": 12, fill: "#444" };
  // A real minus sign (U+2212): a hyphen is shorter and reads as a dash.
  if (!m) return text(common, label.replace(/^-/, "−"));
  const exp = m[1].replace("-", "−");
  return el("text", common, `10${el("tspan", { dy: -5, "font-size": 9.5 }, esc(exp))}`);
}

export function grid(x: Axis, y: Axis, box: Box, sx: (v: number) => number, syAxis: (v: number) => number): string {
  const out: string[] = [];
  // Minor lines first, so the major ones are drawn over them.
  for (const t of [...y.ticks].sort((a, b) => Number(b.minor ?? false) - Number(a.minor ?? false))) {
    const yy = syAxis(t.at);
    out.push(el("line", { x1: box.left, x2: box.right, y1: yy, y2: yy, stroke: t.minor ? GRID_MINOR : GRID, "stroke-width": 1 }));
    if (t.label !== undefined) {
      out.push(el("line", { x1: box.left - 5, x2: box.left, y1: yy, y2: yy, stroke: "#888" }));
      out.push(tickLabel(t.label, { x: box.left - 9, y: yy + 4, anchor: "end" }));
    }
  }
  for (const t of x.ticks) {
    const xx = sx(t.at);
    out.push(el("line", { x1: xx, x2: xx, y1: box.top, y2: box.bottom, stroke: GRID, "stroke-width": 1 }));
    out.push(el("line", { x1: xx, x2: xx, y1: box.bottom, y2: box.bottom + 5, stroke: "#888" }));
    if (t.label !== undefined) out.push(tickLabel(t.label, { x: xx, y: box.bottom + 19, anchor: "middle" }));
  }
  // The frame: the two axes darker, the other sides as light as the grid.
  out.push(el("rect", { x: box.left, y: box.top, width: box.right - box.left, height: box.bottom - box.top, fill: "none", stroke: GRID }));
  out.push(el("path", { d: `M${px(box.left)} ${px(box.top)}V${px(box.bottom)}H${px(box.right)}`, fill: "none", stroke: "#888" }));
  return el("g", {}, out.join(""));
}

export function titles(spec: PlotSpec, box: Box): string {
  const status = spec.status ? el("tspan", { fill: TONE_COLOUR[spec.status.tone], dx: 10 }, esc(spec.status.text)) : "";
  const title = el("text", { x: box.left, y: 28, "font-size": 17, "font-weight": 600, fill: INK }, esc(spec.title) + status);
  const sub = spec.subtitle ? text({ x: box.left, y: 50, "font-size": 12.5, fill: MUTED }, spec.subtitle) : "";
  return title + sub;
}

export function axisLabels(spec: PlotSpec, box: Box, height: number): string {
  const out: string[] = [];
  if (spec.xLabel) out.push(text({ x: (box.left + box.right) / 2, y: height - 14, "text-anchor": "middle", "font-size": 13, fill: "#333" }, spec.xLabel));
  if (spec.yLabel) {
    const cx = 20;
    const cy = (box.top + box.bottom) / 2;
    out.push(text({ x: cx, y: cy, "text-anchor": "middle", "font-size": 13, fill: "#333", transform: `rotate(-90 ${px(cx)} ${px(cy)})` }, spec.yLabel));
  }
  return out.join("");
}
