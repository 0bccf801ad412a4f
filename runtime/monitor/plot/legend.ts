// The legend: to the right of the plot, so it never hides a line; one row per series with its
// line sample (dashed when it follows an earlier series), name, note and status.
import type { Box } from "./frame.js";
import { type PlotSeries, TONE_COLOUR } from "./spec.js";
import { INK, MUTED } from "./style.js";
import { el, esc, textWidth } from "./svg.js";

const LEGEND_ROW = 22;
const LEGEND_FONT = 12.5;
const LEGEND_NOTE_FONT = 11.5;

const sameLineNote = (over: PlotSeries) => `(same line as ${over.name})`;

export function legendText(s: PlotSeries, over: PlotSeries | undefined): number {
  const note = (t: string | undefined) => (t ? 8 + textWidth(t, LEGEND_NOTE_FONT) : 0);
  return textWidth(s.name, LEGEND_FONT) + note(s.note) + (s.status ? 8 + textWidth(s.status.text, LEGEND_FONT) : 0) + note(over && sameLineNote(over));
}

export function legendSize(series: readonly PlotSeries[], overlaps: readonly (number | undefined)[]): number {
  const widest = Math.max(0, ...series.map((s, i) => legendText(s, overlaps[i] === undefined ? undefined : series[overlaps[i]!])));
  // No cap: a long legend widens the figure rather than running off its edge.
  return 22 + 32 + widest + 8;
}

export function legend(series: readonly PlotSeries[], colours: string[], overlaps: (number | undefined)[], box: Box): string {
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
