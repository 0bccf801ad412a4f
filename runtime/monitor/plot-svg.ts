// A line plot as a standalone SVG document: residual histories now, training losses later.
// One generic entry point, `plot(spec)`: several named series on a log or linear y axis, dashed
// horizontal reference lines (a tolerance), shaded x ranges (dropped history entries), a title
// with a ✓/✗ status, and a legend when there is more than one series. Values a line cannot
// show (NaN, ±Inf, zero on a log axis) are marked at the plot's edge, never silently dropped.
// Long series are thinned per pixel column (plot/decimate.ts) so the file stays small.
import { band, emptyNote, hlineLabel, hlineSvg, vertices } from "./plot/annotations.js";
import { type Axis, axisLabels, grid, makeXAxis, makeYAxis, type Box, titles } from "./plot/frame.js";
import { legend, legendSize } from "./plot/legend.js";
import { marksSvg, seriesSvg, thin } from "./plot/lines.js";
import { sortPoints, type SortedPoints } from "./plot/series.js";
import { PALETTE, type PlotSpec } from "./plot/spec.js";
import { FONT } from "./plot/style.js";
import { el, esc } from "./plot/svg.js";

export * from "./plot/spec.js";

/** Series whose lines fall within this many pixels of an earlier one everywhere are drawn dashed. */
const SAME_LINE_PX = 1.5;

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

  // Data to pixels; `syAxis` takes the y axis' own coordinate (a decade exponent on a log axis).
  const sx = (x: number) => box.left + ((x - xAxis.lo) / (xAxis.hi - xAxis.lo)) * (box.right - box.left);
  const syAxis = (v: number) => box.bottom - ((v - yAxis.lo) / (yAxis.hi - yAxis.lo)) * (box.bottom - box.top);
  const sy = (y: number) => syAxis(yAxis.f(y));
  const colours = spec.series.map((s, i) => s.colour ?? PALETTE[i % PALETTE.length]);
  const lines = sorted.map((s) => s.runs.map((run) => thin(run, sx, box).map(([x, y]) => [sx(x), sy(y)] as const)));

  const parts: string[] = [];
  parts.push(el("rect", { width, height, fill: "#fff" }));
  parts.push(titles(spec, box));
  parts.push(grid(xAxis, yAxis, box, sx, syAxis));
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
