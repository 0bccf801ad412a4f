// Random values for a contract's runs, as fast-check arbitraries: each entry drawn from the
// distribution its `for` states, and a failing value shrunk towards a simpler one that still
// fails — entries set to the distribution's simplest value (its mean, or the point of its
// interval nearest 0) in halves, then in quarters, then rounded to one significant digit. A
// symmetry defect shrinks to a pair of unit vectors, a negative eigenvalue to a sparse vector.
import type * as FastCheckModule from "fast-check";
import { clampToSupport, type Distribution, simplestValue } from "../../compiler/contracts/distributions.js";
import type { Draw } from "../../compiler/contracts/plan.js";
import { mulberry32 } from "../../base/mulberry32.js";

/** How many levels of shrinking a value goes through at most. */
const MAX_DEPTH = 8;

function sample(d: Distribution, next: () => number): number {
  if (d.name === "uniform") return d.params.lo + (d.params.hi - d.params.lo) * next();
  // Box–Muller; 1 − u keeps the logarithm finite.
  const r = Math.sqrt(-2 * Math.log(1 - next()));
  return d.params.mean + d.params.std * r * Math.cos(2 * Math.PI * next());
}

export function drawValues(d: Distribution, length: number, next: () => number): Float32Array {
  return Float32Array.from({ length }, () => sample(d, next));
}

/** A small seeded generator (mulberry32) for `seed:` draws, the same values in every run. */
export const seeded = mulberry32;

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** One significant digit: 0.8731 → 0.9, −12.4 → −10. */
function roughly(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const p = 10 ** Math.floor(Math.log10(Math.abs(x)));
  return Math.round(x / p) * p;
}

/** Simpler versions of a value, most drastic first. */
function simpler(values: Float32Array, d: Distribution): Float32Array[] {
  const s = simplestValue(d);
  const out: Float32Array[] = [];
  const add = (v: Float32Array) => {
    if (!v.every((x, i) => Object.is(x, values[i])) && !out.some((o) => o.every((x, i) => x === v[i]))) out.push(v);
  };
  add(new Float32Array(values.length).fill(s));
  for (const parts of [2, 4]) {
    const step = Math.ceil(values.length / parts);
    for (let start = 0; start < values.length; start += step) add(values.map((x, i) => (i >= start && i < start + step ? s : x)));
  }
  add(values.map((x) => clampToSupport(d, roughly(x))));
  return out;
}

/** fast-check, loaded when a contract first runs (not by every command of the CLI). */
export type FastCheck = typeof FastCheckModule.default;

/** The arbitrary of one drawn tensor: values from its distribution, shrunk by `simpler`. */
function tensorArbitrary(fc: FastCheck, draw: Draw): FastCheckModule.Arbitrary<Float32Array> {
  const size = sizeOf(draw.shape);
  class TensorArbitrary extends fc.Arbitrary<Float32Array> {
    generate(mrng: FastCheckModule.Random): FastCheckModule.Value<Float32Array> {
      return new fc.Value(drawValues(draw.dist, size, () => mrng.nextDouble()), 0);
    }

    canShrinkWithoutContext(value: unknown): value is Float32Array {
      return value instanceof Float32Array && value.length === size;
    }

    shrink(value: Float32Array, context: unknown): FastCheckModule.Stream<FastCheckModule.Value<Float32Array>> {
      const depth = typeof context === "number" ? context : 0;
      if (depth >= MAX_DEPTH) return fc.Stream.nil();
      return fc.Stream.of(...simpler(value, draw.dist).map((v) => new fc.Value(v, depth + 1)));
    }
  }
  return new TensorArbitrary();
}

export type Drawn = Record<string, Float32Array>;

/** The values of every draw of a run; a `seed:` draw is the same constant in every run. */
export function drawsArbitrary(fc: FastCheck, draws: readonly Draw[]): FastCheckModule.Arbitrary<Drawn> {
  const parts: Record<string, FastCheckModule.Arbitrary<Float32Array>> = {};
  for (const d of draws) parts[d.name] = d.dist.seed !== undefined ? fc.constant(drawValues(d.dist, sizeOf(d.shape), seeded(d.dist.seed))) : tensorArbitrary(fc, d);
  return fc.record(parts);
}
