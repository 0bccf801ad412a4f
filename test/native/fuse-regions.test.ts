// Every construct region of the examples (the stdlib's methods as the examples use them: CG,
// CG with Jacobi, SSOR and multigrid preconditioners, Chebyshev, Richardson, MINRES,
// BiCGStab, Picard and Anderson maps, loop bodies), fused and run on seeded arguments,
// against the plain-TS evaluation of the same region: float32 within float32 tolerance,
// float64 to 1e-12. Five calls in a row, each on the previous call's results where they fit
// (so the in-place and alternating buffers are exercised too), each compared with the
// reference evaluated on the very arguments the fused call got (errors do not compound). The regions the fuser refuses are
// listed with their reasons, so a regression in coverage shows here.
import { describe, expect, it } from "vitest";
import type { NativeArray } from "../../runtime/native/array.js";
import { fuseRegion } from "../../runtime/native/fuse.js";
import type { Precision } from "../../runtime/native/fused.js";
import type { Arr } from "./ir-eval.js";
import {
  capturedValues,
  evalRegion,
  exampleRegions,
  type NamedRegion,
  randomArgs,
  referenceEnv,
  scaledError,
  toNative,
} from "./fuse-harness.js";

const EXAMPLES: [string, Record<string, number>][] = [
  ["examples/poisson.iter", { N: 15 }],
  ["examples/poisson.iter", { N: 15, P: 2 }],
  ["examples/poisson-precond.iter", { N: 15 }],
  ["examples/solvers.iter", {}],
  ["examples/anderson.iter", { n: 24 }],
  ["examples/contraction.iter", { n: 17 }],
  ["examples/rank-centrality.iter", {}],
  ["examples/gram-iteration.iter", {}],
  ["examples/newton-schulz.iter", {}],
  ["examples/halpern.iter", {}],
  ["examples/deq.iter", {}],
];

const TOLERANCE: Record<Precision, number> = { f32: 2e-5, f64: 1e-12 };
const CALLS = 5;

function fromNative(a: NativeArray): Arr {
  return { shape: [...a.shape], data: Float64Array.from(a.data) };
}

/** Runs CALLS calls on both sides; each call after the first takes the previous results where the types fit. */
function compare(nr: NamedRegion, precision: Precision): number {
  const fused = fuseRegion(nr.region, precision, { constants: nr.constants, donate: nr.region.params.map((_, i) => i) });
  if (!fused.ok) throw new Error(fused.refused);
  const round = precision === "f32" ? Math.fround : (x: number) => x;
  const captured = capturedValues(nr, fused.region.captures);
  const capturedArgs = randomArgs(captured, 7).map((a) => ({ ...a, data: a.data.map(round) }));
  const env = referenceEnv(nr, fused.region.captures, capturedArgs, round);
  let args: Arr[] = randomArgs(nr.region.params, 3).map((a) => ({ ...a, data: a.data.map(round) }));
  let nativeArgs = args.map((a, i) => toNative(a, precision, nr.region.params[i]));
  const capturedNative = capturedArgs.map((a, k) => toNative(a, precision, captured[k]));
  let worst = 0;
  for (let call = 0; call < CALLS; call++) {
    const want = evalRegion(nr.region, args, env, round);
    const got = fused.region.call([...nativeArgs, ...capturedNative]);
    want.forEach((w, j) => (worst = Math.max(worst, scaledError(got[j].data, w.data))));
    const fits = nr.region.params.every((_, i) => i < want.length && want[i].shape.join() === args[i].shape.join());
    if (!fits) break;
    nativeArgs = got.slice(0, args.length);
    args = nativeArgs.map(fromNative);
  }
  return worst;
}

const regions = EXAMPLES.flatMap(([file, sizes]) => exampleRegions(file, sizes).map((r) => ({ ...r, name: `${r.name} ${JSON.stringify(sizes)}` })));

describe("fused regions of the examples against the plain-TS evaluation", () => {
  const accepted = regions.filter((r) => fuseRegion(r.region, "f64", { constants: r.constants }).ok);
  for (const precision of ["f32", "f64"] as Precision[])
    it.each(accepted.map((r) => [r.name, r]))(`%s (${precision})`, (_name, nr) => {
      expect(compare(nr as NamedRegion, precision)).toBeLessThanOrEqual(TOLERANCE[precision]);
    });

  it("refuses only the regions it names a reason for", () => {
    const refused = regions.flatMap((r) => {
      const f = fuseRegion(r.region, "f64", { constants: r.constants });
      return f.ok ? [] : [`${r.name}: ${f.refused}`];
    });
    expect(refused).toMatchSnapshot();
  });
});
