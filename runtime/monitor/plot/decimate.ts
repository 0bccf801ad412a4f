// Thinning a long line for drawing without changing its picture. A history of 100,000 residuals
// drawn as 100,000 segments makes a multi-megabyte SVG that browsers crawl through, yet the
// plot is a few hundred pixels wide. M4 aggregation (Jugel et al., VLDB 2014) keeps, for each
// pixel column, the first, the smallest, the largest and the last point: the drawn line then
// covers exactly the pixels the full line would, spikes and all — which a stride (every k-th
// point) does not: it drops the one spike that mattered.

/** A point of a line; x increasing along the line. */
export type XY = readonly [x: number, y: number];

/**
 * At most 4 points per bucket, `buckets` buckets of equal width in x over [xMin, xMax], in
 * their original order; lines of at most 4 × buckets points come back unchanged. Every
 * bucket's (so the whole line's) first, last, minimum and maximum points are kept. `points`
 * must hold finite numbers, x non-decreasing (a line between two gaps).
 */
export function decimate(points: readonly XY[], buckets: number, xMin = points[0]?.[0] ?? 0, xMax = points.at(-1)?.[0] ?? 0): XY[] {
  if (points.length <= 4 * buckets || buckets < 1) return [...points];
  const width = (xMax - xMin) / buckets || 1;
  const out: XY[] = [];
  let start = 0;
  while (start < points.length) {
    const bucket = Math.min(buckets - 1, Math.floor((points[start][0] - xMin) / width));
    let end = start + 1;
    while (end < points.length && Math.min(buckets - 1, Math.floor((points[end][0] - xMin) / width)) === bucket) end++;
    let lo = start;
    let hi = start;
    for (let i = start + 1; i < end; i++) {
      if (points[i][1] < points[lo][1]) lo = i;
      if (points[i][1] > points[hi][1]) hi = i;
    }
    // The four indices in increasing order, each once.
    for (const i of [...new Set([start, lo, hi, end - 1])].sort((a, b) => a - b)) out.push(points[i]);
    start = end;
  }
  return out;
}
