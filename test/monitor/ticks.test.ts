// Axis ticks: decades on a log axis (with room at the ends, thinned labels over many decades)
// and nice steps on a linear one.
import { describe, expect, it } from "vitest";
import { linearLabel, linearTicks, logTicks, niceStep } from "../../runtime/monitor/plot/ticks.js";

describe("logTicks", () => {
  it("spans the decades around the data, labelling each when there are few", () => {
    const t = logTicks(2.18e-2, 273.9);
    expect([t.lo, t.hi]).toEqual([-2, 3]);
    expect(t.major).toEqual([-2, -1, 0, 1, 2, 3]);
    // 2..9 × 10ᵏ between the labelled decades, eight a decade
    expect(t.minor).toHaveLength(5 * 8);
    expect(t.minor[0]).toBeCloseTo(Math.log10(2e-2), 12);
    expect(t.minor.every((m) => m > t.lo && m < t.hi)).toBe(true);
  });

  it("grows by a decade when a value sits on an axis end, so a tolerance of 1e-2 is not on the frame", () => {
    expect(logTicks(1e-2, 10.5)).toMatchObject({ lo: -3, hi: 2 });
    expect(logTicks(1.3e-2, 7)).toMatchObject({ lo: -2, hi: 1 });
    expect(logTicks(1.05e-2, 9)).toMatchObject({ lo: -3, hi: 2 }); // within 0.08 decades of both ends
  });

  it("puts a single value mid-axis", () => {
    expect(logTicks(1e-3, 1e-3)).toMatchObject({ lo: -4, hi: -2, major: [-4, -3, -2] });
    const t = logTicks(3e-5, 3e-5);
    expect(t.lo).toBeLessThan(Math.log10(3e-5));
    expect(t.hi).toBeGreaterThan(Math.log10(3e-5));
  });

  it("labels only multiples of 2, 3, 5, 10… decades over a wide range: at least 3, at most 8 labels", () => {
    for (const [min, max] of [
      [1e-12, 1e3],
      [1e-37, 1e30],
      [1e-300, 1e300],
      [1e-8, 1],
    ] as const) {
      const t = logTicks(min, max);
      expect(t.major.length).toBeGreaterThanOrEqual(3);
      expect(t.major.length).toBeLessThanOrEqual(8);
      expect(t.lo).toBeLessThanOrEqual(Math.log10(min));
      expect(t.hi).toBeGreaterThanOrEqual(Math.log10(max));
      const step = t.major[1] - t.major[0];
      expect(t.major.every((k) => k % step === 0 && k >= t.lo && k <= t.hi)).toBe(true);
      // no room for one more label at either end
      expect(t.major[0] - step).toBeLessThan(t.lo);
      expect(t.major.at(-1)! + step).toBeGreaterThan(t.hi);
    }
    expect(logTicks(1e-12, 1e3)).toMatchObject({ lo: -13, hi: 4, major: [-12, -9, -6, -3, 0, 3] });
    expect(logTicks(1e-300, 1e300).major).toEqual([-300, -200, -100, 0, 100, 200, 300]);
  });

  it("draws minor decades but no 2..9 lines over many decades", () => {
    const t = logTicks(1e-12, 1e3);
    expect(t.minor.every(Number.isInteger)).toBe(true);
  });

  it("refuses what a log axis cannot show", () => {
    expect(() => logTicks(0, 1)).toThrow(RangeError);
    expect(() => logTicks(1, Infinity)).toThrow(RangeError);
    expect(() => logTicks(NaN, 1)).toThrow(RangeError);
  });
});

describe("linearTicks", () => {
  it("nice steps of 1, 2, 2.5, 5 × 10ᵏ", () => {
    expect(niceStep(0.7)).toBe(1);
    expect(niceStep(1.3)).toBe(2);
    expect(niceStep(2.2)).toBe(2.5);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(6)).toBe(10);
    expect(niceStep(0.031)).toBeCloseTo(0.05, 15);
  });

  it("covers the range with exact multiples of the step", () => {
    const t = linearTicks(0.1, 2.4, 6);
    expect(t.step).toBe(0.5);
    expect(t.ticks).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(linearTicks(0, 0.3, 4).ticks).toEqual([0, 0.1, 0.2, 0.3]);
  });

  it("keeps an iteration axis whole", () => {
    const t = linearTicks(0, 3, 8, true);
    expect(t.ticks).toEqual([0, 1, 2, 3]);
    expect(linearTicks(0, 61, 8, true).ticks).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    expect(linearTicks(0, 0, 8, true).ticks).toEqual([0, 1]);
  });

  it("gives a single value a range around it", () => {
    const t = linearTicks(5, 5);
    expect(t.lo).toBeLessThan(5);
    expect(t.hi).toBeGreaterThan(5);
  });

  it("labels plainly, or in exponent form when tiny or huge", () => {
    expect(linearLabel(2.5, 0.5)).toBe("2.5");
    expect(linearLabel(2, 0.5)).toBe("2.0");
    expect(linearLabel(20, 10)).toBe("20");
    expect(linearLabel(0, 10)).toBe("0");
    expect(linearLabel(2.5e-4, 5e-5)).toBe("2.5e-4");
    expect(linearLabel(3e-4, 5e-5)).toBe("3.0e-4");
    expect(linearLabel(3e7, 1e7)).toBe("3e7");
  });
});
