// Shared by the precond and multigrid tests: running a program, seeded grids, and the two test
// operators in iterlang and in float64.
import type { NpyArray } from "../../runtime/npy.js";
import type { Report } from "../../runtime/report.js";
import { runSource } from "../../runtime/run.js";
import { mulberry32 } from "../../base/mulberry32.js";

export type G = Float64Array;
export type OpName = "P" | "S";

export interface Ran {
  values: Map<string, Float32Array>;
  /** The reports of the solves, in order. */
  reports: Report[];
}

/** Runs a program on the cpu backend; an error diagnostic fails the test with its message. */
export async function runIter(source: string, inputs: Record<string, { shape: number[]; data: ArrayLike<number> }> = {}): Promise<Ran> {
  const given = new Map<string, NpyArray>(
    Object.entries(inputs).map(([k, v]) => [k, { dtype: "float32", shape: v.shape, data: Float32Array.from(v.data) } as NpyArray]),
  );
  const out = await runSource(source, { file: "grid-test.iter", inputs: given, backend: "cpu" });
  const errors = out.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((d) => `${d.message} (line ${d.span.start.line})`).join("\n"));
  return {
    values: new Map(out.exports.map((e) => [e.name, e.data as Float32Array])),
    reports: out.reports.filter((r) => r.kind === "solve"),
  };
}

/** A reproducible uniform stream in [0, 1) (mulberry32). */
export const rng = mulberry32;

/** float32-representable values in [-1, 1). */
export function randomGrid(n: number, seed: number): Float64Array {
  const u = rng(seed);
  return Float64Array.from({ length: n * n }, () => Math.fround(2 * u() - 1));
}

/** The operators, in iterlang. `P` is examples/poisson.iter's; `S` = s∘P(s∘u) + c∘u with a
 * positive scaling s = 1 + 4xy (so diag(S) varies 25-fold) and a reaction c = 10x ≥ 0: SPD,
 * 5-point, size-polymorphic (its coefficients are computed from n, so a multigrid cycle can
 * re-discretise it). */
export const OPERATORS = `
op P(u: f32[n, n]) = stencil5(u, center: 4, side: -1) * (n + 1)^2
op S(u: f32[n, n]) {
  let s = 1 + 4 * grid(n, axis: 1) * grid(n, axis: 0)
  let c = 10 * grid(n, axis: 1)
  return s * stencil5(s * u, center: 4, side: -1) * (n + 1)^2 + c * u
}
`;

/** Interior grid coordinates: x varies along columns (axis 1), y along rows (axis 0). */
export const coord = (k: number, n: number): number => (k + 1) / (n + 1);

/** The coefficient fields s and c of operator `op` on an n×n grid. */
export function fields(op: OpName, n: number): { s: G; c: G } {
  const s = new Float64Array(n * n).fill(1);
  const c = new Float64Array(n * n);
  if (op === "S")
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        s[i * n + j] = 1 + 4 * coord(j, n) * coord(i, n);
        c[i * n + j] = 10 * coord(j, n);
      }
  return { s, c };
}

/** Float64 conjugate gradients from zero to `rtol` relative (at most 20 × the size iterations). */
export function cg64(apply: (v: G) => G, b: G, rtol: number): G {
  const dot = (a: G, c: G): number => a.reduce((acc, v, k) => acc + v * c[k], 0);
  const x = new Float64Array(b.length);
  const r = Float64Array.from(b);
  let p = Float64Array.from(r);
  let rr = dot(r, r);
  const stop = rtol * Math.sqrt(dot(b, b));
  for (let k = 0; k < 20 * b.length && Math.sqrt(rr) > stop; k++) {
    const Ap = apply(p);
    const alpha = rr / dot(p, Ap);
    for (let i = 0; i < x.length; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * Ap[i];
    }
    const rr1 = dot(r, r);
    p = r.map((v, i) => v + (rr1 / rr) * p[i]);
    rr = rr1;
  }
  return x;
}
