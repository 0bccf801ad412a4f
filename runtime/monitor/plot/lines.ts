// The data drawn: each series' line (thinned per pixel column), a dot per point on short
// series, and marks at the edge for the values a line cannot show.
import { decimate, type XY } from "./decimate.js";
import type { Box } from "./frame.js";
import type { Mark } from "./series.js";
import { HALO } from "./style.js";
import { el, pathData, px, text } from "./svg.js";

/** Series with at most this many points also get a dot per point. */
const DOTS_UP_TO = 40;
/** NaN / Inf / 0 labels drawn per series; further marks are drawn without one. */
const MARK_LABELS = 3;

/** One bucket per pixel column of the run's extent (M4 then keeps ≤ 4 points per column). */
export function thin(run: XY[], sx: (x: number) => number, box: Box): XY[] {
  const first = run[0][0];
  const last = run[run.length - 1][0];
  const columns = Math.max(1, Math.min(box.right - box.left, Math.ceil(sx(last) - sx(first))));
  return decimate(run, columns, first, last);
}

/** A series' lines (pixel coordinates), dashed when it follows an earlier one, with the dotted step to each mark. */
export function seriesSvg(
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
export function marksSvg(marks: readonly Mark[], colour: string, box: Box, sx: (x: number) => number): string {
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
