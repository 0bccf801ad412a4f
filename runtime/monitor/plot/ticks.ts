// Axis ranges and tick positions: decades on a log axis, "nice" steps (1, 2, 2.5, 5 × 10ᵏ) on a
// linear one. Pure numbers, no drawing, so they are tested on their own.

/** A log axis: its range in decades, the labelled decades, and the unlabelled grid lines. */
export interface LogTicks {
  /** log10 of the axis ends: whole numbers, lo < hi. */
  lo: number;
  hi: number;
  /** Exponents k of the labelled ticks 10ᵏ, increasing: every decade, or the multiples of a step of 2, 3, 5, 10, 20, … decades. */
  major: number[];
  /** Exponents of grid lines without a label: the other decades, and log10(2..9 × 10ᵏ) when few decades are shown. */
  minor: number[];
}

/** More labels than this on one axis crowd each other at the default size. */
export const MAX_LOG_LABELS = 8;

/** How close (in decades) a value may come to a log axis' end before the axis grows a decade. */
const EDGE = 0.08;

/**
 * Ticks of a log axis spanning whole decades that hold [min, max] (both > 0, finite), with
 * room: no value closer than EDGE decades to an end. Over more than `maxLabels` decades only
 * the multiples of 2, 3, 5, 10, … decades are labelled.
 */
export function logTicks(min: number, max: number, maxLabels = MAX_LOG_LABELS): LogTicks {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) throw new RangeError(`a log axis needs 0 < min ≤ max < ∞, got [${min}, ${max}]`);
  // A value within EDGE decades of an axis end gets one more decade: a tolerance of exactly
  // 1e-2 would otherwise lie on the frame, and a single value 10ᵏ sits mid-axis.
  const lo = Math.floor(Math.log10(min) - EDGE);
  const hi = Math.ceil(Math.log10(max) + EDGE);
  // Labels at multiples of the step (10⁻⁹, 10⁻⁶, 10⁻³, 1 rather than 10⁻¹³, 10⁻¹⁰, …); the axis
  // ends stay where the data are, so a wide axis is not stretched to the next multiple.
  const step = niceDecadeStep((hi - lo + 1) / maxLabels);
  const major: number[] = [];
  const minor: number[] = [];
  const decades = hi - lo;
  for (let k = lo; k <= hi; k++) {
    if (k % step === 0) major.push(k);
    // Every decade gets a grid line while there are few enough to tell apart.
    else if (decades <= 30) minor.push(k);
    if (decades <= 6 && k < hi) for (let m = 2; m <= 9; m++) minor.push(k + Math.log10(m));
  }
  return { lo, hi, major, minor };
}

/** The smallest of 1, 2, 3, 5, 10, 20, 50, ... decades that is at least `raw`. */
function niceDecadeStep(raw: number): number {
  if (raw <= 1) return 1;
  for (const s of [2, 3, 5]) if (raw <= s) return s;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (raw <= m * p) return m * p;
  return 10 * p;
}

/** A linear axis: its ends (multiples of `step`) and the ticks between them. */
export interface LinearTicks {
  lo: number;
  hi: number;
  step: number;
  ticks: number[];
}

/**
 * About `target` ticks at a nice step covering [min, max] (finite). `integer` keeps the step a
 * whole number (an iteration axis has no iteration 2.5). A single value gets a unit range
 * around it (or from 0, for an integer axis at 0).
 */
export function linearTicks(min: number, max: number, target = 6, integer = false): LinearTicks {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) throw new RangeError(`a linear axis needs finite min ≤ max, got [${min}, ${max}]`);
  if (max === min) {
    const half = min === 0 ? 1 : Math.abs(min) * 0.1;
    if (integer) max = min + Math.max(1, Math.ceil(half));
    else [min, max] = [min - half, max + half];
  }
  let step = niceStep((max - min) / Math.max(1, target - 1));
  if (integer) step = Math.max(1, Math.round(step));
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  const n = Math.round((hi - lo) / step);
  // Built from integers times the step, so no rounding error accumulates (0.1 + 0.2 …).
  for (let i = 0; i <= n; i++) ticks.push(roundTo(lo + i * step, step));
  return { lo, hi, step, ticks };
}

/** 1, 2, 2.5 or 5 × 10ᵏ, the smallest at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5]) if (raw <= m * p * (1 + 1e-9)) return m * p;
  return 10 * p;
}

/** `x` with the decimals the step needs and no more (0.30000000000000004 → 0.3). */
function roundTo(x: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(x.toFixed(Math.min(20, decimals)));
}

/** A linear tick's label: plain for ordinary magnitudes, `2.5e-4` style for tiny or huge ones. */
export function linearLabel(x: number, step: number): string {
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(Math.max(0, significantDecimals(step / 10 ** Math.floor(Math.log10(a))))).replace("e+", "e");
  return x.toFixed(Math.min(20, significantDecimals(step)));
}

/** Decimals needed to write multiples of `step` exactly (2.5 → 1, 0.05 → 2, 20 → 0). */
function significantDecimals(step: number): number {
  for (let d = 0; d <= 12; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-9 * 10 ** d) return d;
  return 12;
}
