// M4 decimation: a long line thinned per pixel column keeps, in each column, its first, last,
// smallest and largest points, so the drawn picture (spikes included) does not change.
import { describe, expect, it } from "vitest";
import { decimate, type XY } from "../../runtime/monitor/plot/decimate.js";

/** A deterministic pseudo-random sequence (no flaky tests). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const line = (n: number, f: (i: number) => number): XY[] => Array.from({ length: n }, (_, i) => [i, f(i)] as const);

describe("decimate", () => {
  it("returns a short line unchanged", () => {
    const pts = line(40, (i) => i * i);
    expect(decimate(pts, 10)).toEqual(pts);
  });

  it("keeps at most 4 points per bucket, in order, a subset of the input", () => {
    const rnd = lcg(7);
    const pts = line(20_000, () => rnd());
    const out = decimate(pts, 500);
    expect(out.length).toBeLessThanOrEqual(4 * 500);
    expect(out.length).toBeGreaterThan(500);
    for (let i = 1; i < out.length; i++) expect(out[i][0]).toBeGreaterThan(out[i - 1][0]);
    const set = new Set(pts);
    expect(out.every((p) => set.has(p))).toBe(true);
  });

  it("keeps the first and last points, the global minimum and maximum, and a one-point spike", () => {
    const rnd = lcg(42);
    const pts = line(12_345, (i) => Math.exp(-i / 3000) * (1 + 0.1 * rnd()));
    const spike: XY = [7777, 50];
    const dip: XY = [9001, 1e-9];
    pts[7777] = spike;
    pts[9001] = dip;
    const out = decimate(pts, 300);
    expect(out[0]).toBe(pts[0]);
    expect(out.at(-1)).toBe(pts.at(-1));
    expect(out).toContain(spike);
    expect(out).toContain(dip);
  });

  it("keeps the minimum and maximum of every bucket", () => {
    const rnd = lcg(3);
    const n = 10_000;
    const buckets = 100;
    const pts = line(n, () => rnd() * 10 - 5);
    const out = decimate(pts, buckets);
    const width = (n - 1) / buckets;
    const bucketOf = (x: number) => Math.min(buckets - 1, Math.floor(x / width));
    for (let b = 0; b < buckets; b++) {
      const inB = pts.filter((p) => bucketOf(p[0]) === b).map((p) => p[1]);
      const kept = out.filter((p) => bucketOf(p[0]) === b).map((p) => p[1]);
      expect(Math.min(...kept)).toBe(Math.min(...inB));
      expect(Math.max(...kept)).toBe(Math.max(...inB));
      expect(kept.length).toBeLessThanOrEqual(4);
    }
  });

  it("handles uneven x (a truncated history's tail) and a one-bucket request", () => {
    const pts: XY[] = [...line(1000, (i) => 1 / (i + 1)), ...line(1000, (i) => 1e-3 / (i + 1)).map(([x, y]) => [x + 50_000, y] as const)];
    const out = decimate(pts, 100, 0, 50_999);
    expect(out.length).toBeLessThanOrEqual(400);
    expect(out[0]).toBe(pts[0]);
    expect(out.at(-1)).toBe(pts.at(-1));
    expect(decimate(line(100, (i) => i), 1)).toEqual([
      [0, 0],
      [99, 99],
    ]);
  });
});
