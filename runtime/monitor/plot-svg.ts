// A line plot as a standalone SVG document: residual histories now, training losses later.
// One generic entry point, `plot(spec)`: several named series on a log or linear y axis, dashed
// horizontal reference lines (a tolerance), shaded x ranges (dropped history entries), a title
// with a ✓/✗ status, and a legend when there is more than one series. Values a line cannot
// show (NaN, ±Inf, zero on a log axis) are marked at the plot's edge, never silently dropped.
// Long series are thinned per pixel column (plot/decimate.ts) so the file stays small.
import { decimate, type XY } from "./plot/decimate.js";
import { type Mark, type PlotPoint, sortPoints, type SortedPoints } from "./plot/series.js";
import { el, esc, pathData, px, text, textWidth } from "./plot/svg.js";
import { linearLabel, linearTicks, logTicks } from "./plot/ticks.js";

export type { PlotPoint } from "./plot/series.js";

/** How a status reads: done well (green), stopped short (amber), failed (vermilion). */
export type Tone = "good" | "warn" | "bad";

export interface Status {
  text: string;
  tone: Tone;
}

export interface PlotSeries {
  name: string;
  /** [x, y] in x order; y `null` = no data there (the line breaks, nothing is marked). */
  points: readonly PlotPoint[];
  /** A CSS colour; default: the palette, by position. */
  colour?: string;
  /** Shown after the name in the legend, in grey (`cg, 61 iterations`). */
  note?: string;
  /** Shown last in the legend, in its tone's colour (`✓`). */
  status?: Status;
}

/** A dashed horizontal line at `y`, labelled at its right end: a tolerance, a target loss. */
export interface HLine {
  y: number;
  label?: string;
  colour?: string;
}

/** A shaded x range with a label: where data were dropped, a warm-up phase. */
export interface XBand {
  from: number;
  to: number;
  label?: string;
}

export interface PlotSpec {
  title: string;
  /** Shown after the title in its tone's colour: `✓ converged_rtol`. */
  status?: Status;
  subtitle?: string;
  xLabel?: string;
  yLabel?: string;
  yScale: "log" | "linear";
  series: readonly PlotSeries[];
  hlines?: readonly HLine[];
  bands?: readonly XBand[];
  /** Said in the middle of the plot when no series has a point to draw. Default "no data". */
  emptyNote?: string;
  /** Default: a legend when there are two series or more. */
  legend?: boolean;
  /** Size of the plotting area's surroundings included; default 760 × 440 plus the legend's width. */
  width?: number;
  height?: number;
}

/**
 * Okabe & Ito's palette (2008), the usual choice for colour-blind readers; yellow is left out
 * (unreadable on white) and black comes last.
 */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"] as const;

export const TONE_COLOUR: Record<Tone, string> = { good: "#009E73", warn: "#B07800", bad: "#D55E00" };

const FONT = "'DejaVu Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif";
const INK = "#222";
const MUTED = "#666";
const GRID = "#e3e3e3";
const GRID_MINOR = "#f1f1f1";
/** Series whose lines fall within this many pixels of an earlier one everywhere are drawn dashed. */
const SAME_LINE_PX = 1.5;
/** Series with at most this many points also get a dot per point. */
const DOTS_UP_TO = 40;
/** NaN / Inf / 0 labels drawn per series; further marks are drawn without one. */
const MARK_LABELS = 3;

interface Axis {
  lo: number;
  hi: number;
  /** Data → the axis' own coordinate (log10 on a log axis). */
  f: (v: number) => number;
  ticks: { at: number; label?: string; minor?: boolean }[];
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The SVG document of a plot. */
export function plot(spec: PlotSpec): string {
  const log = spec.yScale === "log";
  const sorted = spec.series.map((s) => sortPoints(s.points, log));
  const xAxis = makeXAxis(spec);
  const yAxis = makeYAxis(spec, sorted, log);
  const overlaps = findOverlaps(sorted, xAxis, yAxis);
  const showLegend = spec.legend ?? spec.series.length > 1;
  const legendWidth = showLegend ? Math.ceil(legendSize(spec.series, overlaps)) : 0;
  const width = spec.width ?? 760 + legendWidth;
  const height = spec.height ?? 440;
  const box: Box = { left: 78, top: spec.subtitle ? 72 : 54, right: width - 28 - legendWidth, bottom: height - 56 };

  const sx = (x: number) => box.left + ((x - xAxis.lo) / (xAxis.hi - xAxis.lo)) * (box.right - box.left);
  const sy = (y: number) => box.bottom - ((yAxis.f(y) - yAxis.lo) / (yAxis.hi - yAxis.lo)) * (box.bottom - box.top);
  const colours = spec.series.map((s, i) => s.colour ?? PALETTE[i % PALETTE.length]);
  const lines = sorted.map((s) => s.runs.map((run) => thin(run, sx, box).map(([x, y]) => [sx(x), sy(y)] as const)));

  const parts: string[] = [];
  parts.push(el("rect", { width, height, fill: "#fff" }));
  parts.push(titles(spec, box));
  parts.push(grid(xAxis, yAxis, box, sx, (v) => box.bottom - ((v - yAxis.lo) / (yAxis.hi - yAxis.lo)) * (box.bottom - box.top)));
  for (const b of spec.bands ?? []) parts.push(band(b, box, sx, xAxis));
  parts.push(axisLabels(spec, box, height));
  const hlines = (spec.hlines ?? []).filter((h) => Number.isFinite(h.y) && (!log || h.y > 0));
  const drawn: string[] = hlines.map((h) => hlineSvg(h, box, sy(h.y)));
  spec.series.forEach((_, i) => drawn.push(seriesSvg(lines[i], sorted[i].marks, colours[i], overlaps[i] !== undefined, box, sx, sy)));
  parts.push(el("g", { "clip-path": "url(#plot-area)" }, drawn.join("")));
  // Labels and marks over the lines, so no line hides them.
  const avoid = vertices(lines);
  for (const h of hlines) parts.push(hlineLabel(h, box, sy(h.y), avoid));
  spec.series.forEach((_, i) => parts.push(marksSvg(sorted[i].marks, colours[i], box, sx)));
  if (sorted.every((s) => s.runs.length === 0 && s.marks.length === 0)) parts.push(emptyNote(spec.emptyNote ?? "no data", box));
  if (showLegend) parts.push(legend(spec.series, colours, overlaps, box));

  const defs = el("defs", {}, el("clipPath", { id: "plot-area" }, el("rect", { x: box.left - 4, y: box.top - 4, width: box.right - box.left + 8, height: box.bottom - box.top + 8 })));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${esc(FONT)}" role="img">\n` +
    `<title>${esc(spec.title)}${spec.status ? ` ${esc(spec.status.text)}` : ""}</title>\n${defs}\n${parts.join("\n")}\n</svg>\n`
  );
}

// ---------------------------------------------------------------------------------------------
// Axes

function makeXAxis(spec: PlotSpec): Axis {
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

function makeYAxis(spec: PlotSpec, sorted: SortedPoints[], log: boolean): Axis {
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

function grid(x: Axis, y: Axis, box: Box, sx: (v: number) => number, syAxis: (v: number) => number): string {
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

function titles(spec: PlotSpec, box: Box): string {
  const status = spec.status ? el("tspan", { fill: TONE_COLOUR[spec.status.tone], dx: 10 }, esc(spec.status.text)) : "";
  const title = el("text", { x: box.left, y: 28, "font-size": 17, "font-weight": 600, fill: INK }, esc(spec.title) + status);
  const sub = spec.subtitle ? text({ x: box.left, y: 50, "font-size": 12.5, fill: MUTED }, spec.subtitle) : "";
  return title + sub;
}

function axisLabels(spec: PlotSpec, box: Box, height: number): string {
  const out: string[] = [];
  if (spec.xLabel) out.push(text({ x: (box.left + box.right) / 2, y: height - 14, "text-anchor": "middle", "font-size": 13, fill: "#333" }, spec.xLabel));
  if (spec.yLabel) {
    const cx = 20;
    const cy = (box.top + box.bottom) / 2;
    out.push(text({ x: cx, y: cy, "text-anchor": "middle", "font-size": 13, fill: "#333", transform: `rotate(-90 ${px(cx)} ${px(cy)})` }, spec.yLabel));
  }
  return out.join("");
}

// ---------------------------------------------------------------------------------------------
// Data

/** One bucket per pixel column of the run's extent (M4 then keeps ≤ 4 points per column). */
function thin(run: XY[], sx: (x: number) => number, box: Box): XY[] {
  const first = run[0][0];
  const last = run[run.length - 1][0];
  const columns = Math.max(1, Math.min(box.right - box.left, Math.ceil(sx(last) - sx(first))));
  return decimate(run, columns, first, last);
}

/**
 * For each series, the index of an earlier series whose line it follows within SAME_LINE_PX
 * everywhere at the default plot size (then it is drawn dashed, so both stay visible), else
 * undefined. Two preconditioners that change nothing give exactly this picture.
 */
function findOverlaps(sorted: readonly SortedPoints[], x: Axis, y: Axis): (number | undefined)[] {
  const [w, h] = [650, 310];
  const flat = sorted.map((s) => s.runs.flat().map(([px, py]) => [((px - x.lo) / (x.hi - x.lo)) * w, ((y.f(py) - y.lo) / (y.hi - y.lo)) * h] as const));
  return flat.map((a, i) => {
    if (a.length === 0) return undefined;
    for (let j = 0; j < i; j++) {
      const b = flat[j];
      if (b.length === a.length && a.every((p, k) => Math.abs(p[0] - b[k][0]) <= SAME_LINE_PX && Math.abs(p[1] - b[k][1]) <= SAME_LINE_PX)) return j;
    }
    return undefined;
  });
}

function seriesSvg(
  runs: (readonly (readonly [number, number])[])[],
  marks: readonly Mark[],
  colour: string,
  dashed: boolean,
  box: Box,
  sx: (x: number) => number,
  sy: (y: number) => number,
): string {
  const out: string[] = [];
  const style = { fill: "none", stroke: colour, "stroke-width": 2, "stroke-linejoin": "round", "stroke-linecap": "round", "stroke-dasharray": dashed ? "7 5" : undefined };
  for (const run of runs) {
    if (run.length > 1) out.push(el("path", { d: pathData(run), ...style }));
  }
  const count = runs.reduce((n, r) => n + r.length, 0);
  if (count <= DOTS_UP_TO) for (const run of runs) for (const [x, y] of run) out.push(el("circle", { cx: x, cy: y, r: 3, fill: colour, stroke: "#fff", "stroke-width": 1 }));
  // The step from the last drawable value to a NaN / Inf / 0, dotted: where the line went.
  for (const m of marks) {
    if (!m.from) continue;
    const to = [sx(m.x), markY(m, box)] as const;
    out.push(el("path", { d: pathData([[sx(m.from[0]), sy(m.from[1])], to]), fill: "none", stroke: colour, "stroke-width": 1.5, "stroke-dasharray": "2 3" }));
  }
  return el("g", {}, out.join(""));
}

function markY(m: Mark, box: Box): number {
  return m.edge === "top" ? box.top + 7 : box.bottom - 7;
}

/** × for NaN and +Inf at the top edge, ▼ for −Inf and zeros at the bottom, labelled (the first few). */
function marksSvg(marks: readonly Mark[], colour: string, box: Box, sx: (x: number) => number): string {
  const out: string[] = [];
  let labelled = 0;
  let lastColumn = NaN;
  for (const m of marks) {
    const x = sx(m.x);
    if (Math.round(x) === lastColumn) continue; // one mark per pixel column is all an eye can see
    lastColumn = Math.round(x);
    const y = markY(m, box);
    if (m.edge === "top") out.push(el("path", { d: `M${px(x - 5)} ${px(y - 5)}L${px(x + 5)} ${px(y + 5)}M${px(x - 5)} ${px(y + 5)}L${px(x + 5)} ${px(y - 5)}`, stroke: colour, "stroke-width": 2.5, "stroke-linecap": "round" }));
    else out.push(el("path", { d: `M${px(x - 5.5)} ${px(y - 5)}L${px(x + 5.5)} ${px(y - 5)}L${px(x)} ${px(y + 5)}Z`, fill: colour }));
    if (labelled++ < MARK_LABELS) {
      const right = x < box.right - 40;
      out.push(text({ x: right ? x + 9 : x - 9, y: y + 4, "text-anchor": right ? "start" : "end", "font-size": 11.5, "font-weight": 600, fill: colour, ...HALO }, m.label));
    }
  }
  return el("g", {}, out.join(""));
}

/** A white outline under text that crosses lines: readable wherever it lands. */
const HALO = { stroke: "#fff", "stroke-width": 3, "paint-order": "stroke", "stroke-linejoin": "round" } as const;

function hlineSvg(h: HLine, box: Box, y: number): string {
  return el("line", { x1: box.left, x2: box.right, y1: y, y2: y, stroke: h.colour ?? "#555", "stroke-width": 1.4, "stroke-dasharray": "6 4" });
}

const HLINE_FONT = 11.5;

/**
 * Above or below the line, at its left end, middle or right end: wherever the fewest drawn
 * points fall under the label (ties go to the left, above), so that no curve crosses it.
 */
function hlineLabel(h: HLine, box: Box, y: number, drawn: readonly (readonly [number, number])[]): string {
  if (!h.label) return "";
  const w = textWidth(h.label, HLINE_FONT);
  const xs = [box.left + 8, (box.left + box.right - w) / 2, box.right - 8 - w];
  const ys = [y - 6, y + 15].filter((b) => b - 12 > box.top && b < box.bottom - 2);
  let best = { x: xs[0], y: ys[0] ?? y - 6, hits: Infinity };
  for (const ly of ys) {
    for (const lx of xs) {
      // The label's box, a few pixels wider, against points along every line.
      const hits = drawn.filter(([px, py]) => px >= lx - 4 && px <= lx + w + 4 && py >= ly - 14 && py <= ly + 4).length;
      if (hits < best.hits) best = { x: lx, y: ly, hits };
    }
  }
  return text({ x: best.x, y: best.y, "font-size": HLINE_FONT, fill: h.colour ?? "#555", ...HALO }, h.label);
}

/** Points every 4 pixels along every drawn line: what a label must avoid. */
function vertices(lines: readonly (readonly (readonly [number, number])[])[][]): (readonly [number, number])[] {
  const out: (readonly [number, number])[] = [];
  for (const runs of lines) {
    for (const run of runs) {
      run.forEach((p, i) => {
        out.push(p);
        if (i === 0) return;
        const q = run[i - 1];
        const n = Math.min(200, Math.ceil(Math.hypot(p[0] - q[0], p[1] - q[1]) / 4));
        for (let k = 1; k < n; k++) out.push([q[0] + ((p[0] - q[0]) * k) / n, q[1] + ((p[1] - q[1]) * k) / n]);
      });
    }
  }
  return out;
}

function band(b: XBand, box: Box, sx: (x: number) => number, x: Axis): string {
  const from = sx(Math.max(x.lo, Math.min(b.from, b.to)));
  const to = sx(Math.min(x.hi, Math.max(b.from, b.to)));
  const rect = el("rect", { x: from, y: box.top, width: Math.max(1, to - from), height: box.bottom - box.top, fill: "#000", "fill-opacity": 0.06 });
  if (!b.label) return rect;
  return rect + text({ x: (from + to) / 2, y: box.top + 16, "text-anchor": "middle", "font-size": 11, fill: MUTED, ...HALO }, b.label);
}

function emptyNote(note: string, box: Box): string {
  return text({ x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2, "text-anchor": "middle", "font-size": 14, fill: MUTED }, note);
}

// ---------------------------------------------------------------------------------------------
// Legend: to the right of the plot, so it never hides a line.

const LEGEND_ROW = 22;
const LEGEND_FONT = 12.5;
const LEGEND_NOTE_FONT = 11.5;

const sameLineNote = (over: PlotSeries) => `(same line as ${over.name})`;

function legendText(s: PlotSeries, over: PlotSeries | undefined): number {
  const note = (t: string | undefined) => (t ? 8 + textWidth(t, LEGEND_NOTE_FONT) : 0);
  return textWidth(s.name, LEGEND_FONT) + note(s.note) + (s.status ? 8 + textWidth(s.status.text, LEGEND_FONT) : 0) + note(over && sameLineNote(over));
}

function legendSize(series: readonly PlotSeries[], overlaps: readonly (number | undefined)[]): number {
  const widest = Math.max(0, ...series.map((s, i) => legendText(s, overlaps[i] === undefined ? undefined : series[overlaps[i]!])));
  // No cap: a long legend widens the figure rather than running off its edge.
  return 22 + 32 + widest + 8;
}

function legend(series: readonly PlotSeries[], colours: string[], overlaps: (number | undefined)[], box: Box): string {
  const x = box.right + 22;
  const out: string[] = [];
  series.forEach((s, i) => {
    const y = box.top + 8 + i * LEGEND_ROW;
    out.push(el("line", { x1: x, x2: x + 24, y1: y, y2: y, stroke: colours[i], "stroke-width": 2.5, "stroke-linecap": "round", "stroke-dasharray": overlaps[i] !== undefined ? "7 5" : undefined }));
    const note = s.note ? el("tspan", { fill: MUTED, "font-size": LEGEND_NOTE_FONT, dx: 8 }, esc(s.note)) : "";
    const status = s.status ? el("tspan", { fill: TONE_COLOUR[s.status.tone], dx: 8 }, esc(s.status.text)) : "";
    const over = overlaps[i];
    const same = over !== undefined ? el("tspan", { fill: MUTED, "font-size": LEGEND_NOTE_FONT, dx: 8 }, esc(sameLineNote(series[over]))) : "";
    out.push(el("text", { x: x + 32, y: y + 4.5, "font-size": LEGEND_FONT, fill: INK }, esc(s.name) + note + status + same));
  });
  return el("g", {}, out.join(""));
}
