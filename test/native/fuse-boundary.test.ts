// The call boundary of a fused region: results that no op of the region computes (a literal, a
// parameter passed through, a captured value returned as it is), and captured values that
// change between runs of a construct. Each region is fused the way the native interpreter asks
// for it (no constants: the const ops around the region arrive as captured values) and the way
// the other fuser tests do (constants known), and compared with the plain-TS evaluation of the
// same region over several calls, each on the previous call's results.
//
// Regressions: a scalar captured value that the region returns and no op reads (the literal
// health 1.0 of stdlib richardson_step, hoisted out of the step as a const) had no register
// written, so it read back 0 and the driver reported a breakdown at iteration 1; a captured
// array reused for a new value between two runs of a construct (another fused region's result
// view: newton_krylov_step's direction d) was taken as unchanged and not copied in again.
import { describe, expect, it } from "vitest";
import type { NativeArray } from "../../runtime/native/array.js";
import { fuseRegion } from "../../runtime/native/fuse.js";
import type { Precision } from "../../runtime/native/fused.js";
import { capturedValues, evalRegion, type NamedRegion, randomArgs, referenceEnv, scaledError, sourceRegions, toNative } from "./fuse-harness.js";
import { type Arr, flatten } from "./ir-eval.js";

// The loop body's results: x computed by ops; y a captured tensor; z a tensor parameter
// unchanged; h a captured scalar that ops also read; t the literal 1.0 (a const hoisted out of
// the region: a captured scalar no op reads); u a scalar parameter unchanged; v a captured
// scalar computed outside, no op reads; w a reduction.
const PASS_THROUGH = `
let c = [1.0, 2, 3, 4]
let s = sum(c) * 0.1
let s2 = sum(c * c)
loop k < 3 carry (x = ones(4), y = zeros(4), z = zeros(4), h = 0.0, t = 0.0, u = 0.0, v = 0.0, w = 0.0) {
  x = x * s + c
  y = c
  z = z
  h = s
  t = 1.0
  u = u
  v = s2
  w = sum(x)
} -> (x, y, z, h, t, u, v, w)
export x
`;

const TOLERANCE: Record<Precision, number> = { f32: 2e-5, f64: 1e-12 };

const fromNative = (a: NativeArray): Arr => ({ shape: [...a.shape], data: Float64Array.from(a.data) });

function body(): NamedRegion {
  const [nr] = sourceRegions(PASS_THROUGH, "pass-through.iter");
  return nr;
}

/** Four calls, each on the previous results; the worst scaled error against the reference. */
function compare(nr: NamedRegion, precision: Precision, withConstants: boolean): number {
  const known = withConstants ? nr : { ...nr, constants: new Map() };
  const fused = fuseRegion(nr.region, precision, withConstants ? { constants: nr.constants } : {});
  if (!fused.ok) throw new Error(fused.refused);
  const round = precision === "f32" ? Math.fround : (x: number) => x;
  const captured = capturedValues(known, fused.region.captures);
  const capturedArgs = randomArgs(captured, 7).map((a) => ({ ...a, data: a.data.map(round) }));
  const env = referenceEnv(known, fused.region.captures, capturedArgs, round);
  let args: Arr[] = randomArgs(nr.region.params, 3).map((a) => ({ ...a, data: a.data.map(round) }));
  let nativeArgs = args.map((a, i) => toNative(a, precision, nr.region.params[i]));
  const capturedNative = capturedArgs.map((a, k) => toNative(a, precision, captured[k]));
  let worst = 0;
  for (let call = 0; call < 4; call++) {
    const want = evalRegion(nr.region, args, env, round);
    const got = fused.region.call([...nativeArgs, ...capturedNative]);
    expect(got.length).toBe(want.length);
    want.forEach((w, j) => (worst = Math.max(worst, scaledError(got[j].data, w.data))));
    // the loop counter is not a result: pass the results back, with the counter moved on
    nativeArgs = [toNative({ shape: [], data: Float64Array.of(call + 1) }, precision, nr.region.params[0]), ...got.slice(0, nr.region.params.length - 1)];
    args = nativeArgs.map(fromNative);
  }
  return worst;
}

describe("results no op of the region computes", () => {
  it("the body has the shape this test means: the literal 1.0 and s2 are captured values no op reads", () => {
    const nr = body();
    const fused = fuseRegion(nr.region, "f32");
    expect(fused.ok).toBe(true);
    const yields = nr.region.results.map((r) => r.id);
    const captures = fused.ok ? fused.region.captures : [];
    // t (index 4) and v (index 6) are captured values returned as they are
    expect(captures).toContain(yields[4]);
    expect(captures).toContain(yields[6]);
    expect(nr.constants.get(yields[4])).toBe(1);
  });

  for (const precision of ["f32", "f64"] as Precision[])
    for (const withConstants of [false, true])
      it(`${precision}, ${withConstants ? "constants known" : "constants as captured values (the interpreter's call)"}`, () => {
        expect(compare(body(), precision, withConstants)).toBeLessThanOrEqual(TOLERANCE[precision]);
      });

  it("the literal health reads back 1 on every call (richardson_step's shape)", () => {
    const nr = body();
    const fused = fuseRegion(nr.region, "f32");
    if (!fused.ok) throw new Error(fused.refused);
    const captured = capturedValues(nr, fused.region.captures);
    // the const ops' values where the captured value is one (as the interpreter passes them), else random
    const random = randomArgs(captured, 1);
    const values = fused.region.captures.map((id, k) => (nr.constants.has(id) ? { shape: random[k].shape, data: flatten(nr.constants.get(id)!, random[k].shape) } : random[k]));
    const capturedArgs = values.map((a, k) => toNative(a, "f32", captured[k]));
    const v = fused.region.captures.indexOf(nr.region.results[6].id);
    let args = randomArgs(nr.region.params, 2).map((a, i) => toNative(a, "f32", nr.region.params[i]));
    for (let call = 0; call < 3; call++) {
      const got = fused.region.call([...args, ...capturedArgs]);
      expect(got[4].data[0]).toBe(1);
      expect(got[6].data[0]).toBe(capturedArgs[v].data[0]);
      args = [args[0], ...got.slice(0, 8)];
    }
  });
});

describe("captured values that change between runs of a construct", () => {
  it("the same array with new contents is copied in again after invalidateCaptures", () => {
    const nr = body();
    const fused = fuseRegion(nr.region, "f64");
    if (!fused.ok) throw new Error(fused.refused);
    const captured = capturedValues(nr, fused.region.captures);
    const values = randomArgs(captured, 5);
    const capturedArgs = values.map((a, k) => toNative(a, "f64", captured[k]));
    const params = randomArgs(nr.region.params, 4);
    const args = params.map((a, i) => toNative(a, "f64", nr.region.params[i]));
    const reference = () => evalRegion(nr.region, params, referenceEnv({ ...nr, constants: new Map() }, fused.region.captures, values, (x) => x), (x) => x);
    // c, the only captured tensor: x = x * s + c reads it
    const k = captured.findIndex((v) => v.type.shape.length === 1);
    expect(k).toBeGreaterThanOrEqual(0);
    const first = fused.region.call([...args, ...capturedArgs]).map(fromNative);
    expect(scaledError(first[0].data, reference()[0].data)).toBeLessThanOrEqual(1e-12);
    // a new run: the captured array now holds another value (a pooled array, a rewritten view)
    for (let i = 0; i < capturedArgs[k].data.length; i++) capturedArgs[k].data[i] = values[k].data[i] = 10 + i;
    fused.region.invalidateCaptures?.();
    const second = fused.region.call([...args, ...capturedArgs]).map(fromNative);
    const want = reference();
    expect(scaledError(second[0].data, want[0].data)).toBeLessThanOrEqual(1e-12);
    expect(Array.from(second[1].data)).toEqual(Array.from(want[1].data));
  });
});
