// What is drawn over the data: reference lines and their labels (placed clear of the curves),
// shaded x ranges, the note of an empty plot.
import type { Axis, Box } from "./frame.js";
import type { HLine, XBand } from "./spec.js";
import { HALO, MUTED } from "./style.js";
import { el, text, textWidth } from "./svg.js";

export function hlineSvg(h: HLine, box: Box, y: number): string {
  return el("line", { x1: box.left, x2: box.right, y1: y, y2: y, stroke: h.colour ?? "#555", "stroke-width": 1.4, "stroke-dasharray": "6 4" });
}

const HLINE_FONT = 11.5;

/**
 * Above or below the line, at its left end, middle or right end: wherever the fewest drawn
 * points fall under the label (ties go to the left, above), so that no curve crosses it.
 */
export function hlineLabel(h: HLine, box: Box, y: number, drawn: readonly (readonly [number, number])[]): string {
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
export function vertices(lines: readonly (readonly (readonly [number, number])[])[][]): (readonly [number, number])[] {
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

export function band(b: XBand, box: Box, sx: (x: number) => number, x: Axis): string {
  const from = sx(Math.max(x.lo, Math.min(b.from, b.to)));
  const to = sx(Math.min(x.hi, Math.max(b.from, b.to)));
  const rect = el("rect", { x: from, y: box.top, width: Math.max(1, to - from), height: box.bottom - box.top, fill: "#000", "fill-opacity": 0.06 });
  if (!b.label) return rect;
  return rect + text({ x: (from + to) / 2, y: box.top + 16, "text-anchor": "middle", "font-size": 11, fill: MUTED, ...HALO }, b.label);
}

export function emptyNote(note: string, box: Box): string {
  return text({ x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2, "text-anchor": "middle", "font-size": 14, fill: MUTED }, note);
}
