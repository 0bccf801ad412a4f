// Second derivatives: the ops a rule emits must themselves be differentiable, correctly.
//
// For a scalar S(v) built around each differentiable op (its smooth domain as in
// rules.test.ts), the Hessian-vector product H·t is asked three ways, one program each:
//   forward over reverse   jvp(v => grad(S, v), x, t)
//   reverse over reverse   grad(v => dot(grad(S, v), t), x)
//   reverse over forward   grad(v => jvp(S, v, t), x)
// and compared with the Hessian of a float64 S by nested fourth-order central differences
// (step 1e-3 at both levels: truncation ~h⁴·|S⁽⁶⁾|/30 ≈ 3e-14, rounding ~ε64·|S|/h² ≈ 1e-10,
// and no kink within 4e-3 of any point; an absolute floor of 1e-7 covers the rounding where
// H·t is 0). The inner derivative a rule emits runs through the
// outer rules: a rule that builds IR without a rule of its own, or with a wrong one, shows.
//
// Tolerance: each entry within RTOL = 1e-4 of the largest absolute-value sum of the result,
// ‖ |H|·|t| ‖∞ — norm-wise, unlike the first-order rule tests, because a second derivative is
// often a difference of larger terms (d²(sin²)/dx² = 2cos²x − 2sin²x) whose float32 rounding
// does not shrink with the entry (measured: 2.8e-5 of the entry's own |H|·|t| on one case, but
// below 1e-6 of the norm-wise scale on every case that runs). A wrong rule errs by the scale.
import { describe } from "vitest";
import { exportsOf, get, inputs, run, test, type Wrong } from "./harness.js";
import * as R from "./reference.js";
import { awayFromZero, distinct, distinctAbs, expectWithin, RTOL, type T, uniform } from "./reference.js";

type Consts = Record<string, T>;

interface Case {
  /** A scalar function of `v` (and the constants `k*`) in the language. */
  S: string;
  x: T;
  consts?: Consts;
  /** The same in float64. */
  ref: (v: T, k: Consts) => number;
  /** Modes in which a rule is known to be wrong here (the test is marked `it.fails`). */
  wrong?: Partial<Record<Mode, Wrong>>;
}

type Mode = "forward over reverse" | "reverse over reverse" | "reverse over forward";
/** Reverse mode over a derivative that reshapes a scalar to [1, …, 1] and back (harness.ts). */

let nextSeed = 5000;
const seed = (): number => nextSeed++;
const U = (shape: number[], lo = -1, hi = 1): T => uniform(seed(), shape, lo, hi);
const away = (shape: number[], lo: number, hi: number): T => awayFromZero(seed(), shape, lo, hi);
const total = (t: T): number => t.data.reduce((p, v) => p + v, 0);
const weighted = (kc: T, y: T): number => total(R.binary("mul", kc, y));
const sq = (t: T): T => R.unary("square", t);

const CASES: Case[] = [];

// Unary maths, weighted: S = sum(kc * f(v)).
const DOMAIN: Record<string, (s: number[]) => T> = {
  neg: (s) => U(s),
  abs: (s) => away(s, 0.1, 1),
  sqrt: (s) => U(s, 0.2, 2),
  exp: (s) => U(s, -1, 1.5),
  log: (s) => U(s, 0.2, 2),
  sin: (s) => U(s, -3, 3),
  cos: (s) => U(s, -3, 3),
  tanh: (s) => U(s, -2, 2),
  sigmoid: (s) => U(s, -3, 3),
  relu: (s) => away(s, 0.1, 1),
  square: (s) => U(s, -1.5, 1.5),
  reciprocal: (s) => away(s, 0.3, 2),
};
for (const [name, domain] of Object.entries(DOMAIN)) {
  CASES.push({ S: `sum(kc * ${name}(v))`, x: domain([2, 3]), consts: { kc: U([2, 3]) }, ref: (v, k) => weighted(k.kc, R.unary(name, v)) });
}

// Binary maths with both operands depending on v.
{
  const rev = (v: T): T => R.index(v, "::-1");
  const draw: Record<string, () => T> = {
    add: () => U([4]),
    sub: () => U([4]),
    mul: () => U([4]),
    div: () => away([4], 0.3, 1.5),
    pow: () => U([4], 0.5, 2),
    mod: () => {
      for (;;) {
        const x = U([4], -3, 3);
        if (x.data.every((a, i) => Math.abs(x.data[3 - i]) > 0.5 && Math.abs(a / x.data[3 - i] - Math.round(a / x.data[3 - i])) > 0.05)) return x;
      }
    },
    maximum: () => distinct(seed(), [4]),
    minimum: () => distinct(seed(), [4]),
  };
  for (const [name, d] of Object.entries(draw)) {
    CASES.push({ S: `sum(kc * ${name}(v, v[::-1]))`, x: d(), consts: { kc: U([4]) }, ref: (v, k) => weighted(k.kc, R.binary(name, v, rev(v))) });
  }
  // Broadcasting on the way in, unbroadcasting on the way back, twice.
  CASES.push({ S: "sum(kc * square(v) * kr)", x: U([3, 1]), consts: { kc: U([3, 4]), kr: U([4]) }, ref: (v, k) => weighted(k.kc, R.binary("mul", sq(v), k.kr)) });
  // floor's zero derivative inside a product: H = 2 diag(floor(kb)); v at least 0.1 from an integer.
  const offInteger = R.map(U([3, 4], -2, 2), (a) => Math.fround(Math.floor(a) + 0.1 + 0.8 * (a - Math.floor(a))));
  CASES.push({ S: "sum(floor(kb) * square(v) + floor(v) * v)", x: offInteger, consts: { kb: U([3, 4], -3, 3) }, ref: (v, k) => total(R.binary("add", R.binary("mul", R.map(k.kb, Math.floor), sq(v)), R.binary("mul", R.map(v, Math.floor), v))) });
  CASES.push({ S: "sum(kc * where(km > 0, square(v), sin(v)))", x: U([3, 4]), consts: { kc: U([3, 4]), km: U([3, 4]) }, ref: (v, k) => weighted(k.kc, R.where(R.map(k.km, (m) => (m > 0 ? 1 : 0)), sq(v), R.unary("sin", v))) });
  CASES.push({ S: 'sum(kc * cast(square(v), "f32"))', x: U([3, 4]), consts: { kc: U([3, 4]) }, ref: (v, k) => weighted(k.kc, sq(v)) });
}

// Reductions.
CASES.push({ S: "square(sum(v))", x: U([3, 4]), ref: (v) => total(v) ** 2 });
CASES.push({ S: "sum(kc * square(sum(v, axis: 0)))", x: U([3, 4]), consts: { kc: U([4]) }, ref: (v, k) => weighted(k.kc, sq(R.reduce("sum", v, 0))) });
CASES.push({ S: "square(mean(v))", x: U([3, 4]), ref: (v) => (total(v) / 12) ** 2 });
CASES.push({ S: "sum(kc * square(mean(v, axis: -1, keepdims: true)))", x: U([3, 4]), consts: { kc: U([3, 1]) }, ref: (v, k) => weighted(k.kc, sq(R.reduce("mean", v, -1, true))) });
CASES.push({ S: "max(v) * min(v)", x: distinct(seed(), [3, 4]), ref: (v) => Math.max(...v.data) * Math.min(...v.data) });
CASES.push({ S: "sum(kc * max(v, axis: 0)) * sum(kc * min(v, axis: 0))", x: distinct(seed(), [3, 4]), consts: { kc: U([4]) }, ref: (v, k) => weighted(k.kc, R.reduce("max", v, 0)) * weighted(k.kc, R.reduce("min", v, 0)) });
CASES.push({ S: "prod(v)", x: away([2, 3], 0.5, 1.5), ref: (v) => v.data.reduce((p, a) => p * a, 1) });
CASES.push({ S: "sum(kc * prod(v, axis: 1, keepdims: true))", x: away([2, 3], 0.5, 1.5), consts: { kc: U([2, 1]) }, ref: (v, k) => weighted(k.kc, R.reduce("prod", v, 1, true)) });
CASES.push({ S: "norm(v)", x: U([3, 4]), ref: (v) => Math.hypot(...v.data) });
CASES.push({ S: "sum(kc * norm(v, axis: 1))", x: U([3, 4]), consts: { kc: U([3]) }, ref: (v, k) => weighted(k.kc, R.reduce("norm", v, 1)) });
CASES.push({ S: "square(norm_inf(v))", x: distinctAbs(seed(), [3, 4]), ref: (v) => Math.max(...v.data.map(Math.abs)) ** 2 });
CASES.push({ S: "sum(kc * fro(v))", x: U([2, 3, 3]), consts: { kc: U([2]) }, ref: (v, k) => weighted(k.kc, R.fro(v)) });
CASES.push({ S: "dot(v, sin(v))", x: U([3, 4]), ref: (v) => total(R.binary("mul", v, R.unary("sin", v))) });

// Linear algebra.
CASES.push({ S: "sum(kc * (v @ transpose(v)))", x: U([3, 4]), consts: { kc: U([3, 3]) }, ref: (v, k) => weighted(k.kc, R.matmul(v, R.transpose(v))) });
CASES.push({ S: "v @ (kA @ v)", x: U([4]), consts: { kA: U([4, 4]) }, ref: (v, k) => total(R.matmul(v, R.matmul(k.kA, v))) });
CASES.push({ S: "sum(kc * (v @ kB @ transpose(v, 0, 2, 1)))", x: U([2, 3, 4]), consts: { kB: U([4, 4]), kc: U([2, 3, 3]) }, ref: (v, k) => weighted(k.kc, R.matmul(R.matmul(v, k.kB), R.transpose(v, [0, 2, 1]))) });
CASES.push({ S: "trace(v @ v)", x: U([3, 3]), ref: (v) => total(R.diagonal(R.matmul(v, v))) });
CASES.push({ S: "sum(kc * outer(v, sin(v)))", x: U([4]), consts: { kc: U([4, 4]) }, ref: (v, k) => weighted(k.kc, R.outer(v, R.unary("sin", v))) });
CASES.push({ S: "sum(kc * diagonal(v @ v))", x: U([3, 3]), consts: { kc: U([3]) }, ref: (v, k) => weighted(k.kc, R.diagonal(R.matmul(v, v))) });
CASES.push({ S: "sum(kc * square(diag(v)))", x: U([3]), consts: { kc: U([3, 3]) }, ref: (v, k) => weighted(k.kc, sq(R.diag(v))) });

// Layout.
CASES.push({ S: "sum(kc * square(v[1:3, ::-2]))", x: U([4, 5]), consts: { kc: U([2, 3]) }, ref: (v, k) => weighted(k.kc, sq(R.index(v, "1:3, ::-2"))) });
CASES.push({ S: "sum(kc * square(reshape(v, 2, 6)))", x: U([3, 4]), consts: { kc: U([2, 6]) }, ref: (v, k) => weighted(k.kc, sq(R.reshape(v, [2, 6]))) });
CASES.push({ S: "sum(kc * square(flatten(v)))", x: U([3, 4]), consts: { kc: U([12]) }, ref: (v, k) => weighted(k.kc, sq(R.flatten(v))) });
CASES.push({ S: "sum(kc * square(slice(v, start: 1, size: 2, axis: 1)))", x: U([3, 4]), consts: { kc: U([3, 2]) }, ref: (v, k) => weighted(k.kc, sq(R.slice(v, 1, 2, 1))) });
CASES.push({ S: "sum(kc * square(pad(v, 1, 2)))", x: U([3, 4]), consts: { kc: U([5, 8]) }, ref: (v, k) => weighted(k.kc, sq(R.pad(v, [1, 2], "zero"))) });
CASES.push({ S: "sum(kc * square(concat(v, sin(v), axis: 1)))", x: U([2, 3]), consts: { kc: U([2, 6]) }, ref: (v, k) => weighted(k.kc, sq(R.concat(v, R.unary("sin", v), 1))) });
CASES.push({ S: "sum(kc * square(stack(v, cos(v), axis: -1)))", x: U([2, 3]), consts: { kc: U([2, 3, 2]) }, ref: (v, k) => weighted(k.kc, sq(R.stack(v, R.unary("cos", v), -1))) });
CASES.push({ S: "sum(kc * square(broadcast(v, 2, 3, 4)))", x: U([3, 1]), consts: { kc: U([2, 3, 4]) }, ref: (v, k) => weighted(k.kc, sq(R.broadcastTo(v, [2, 3, 4]))) });
CASES.push({ S: 'sum(kc * square(index_scatter(v, 4, 5, spec: "1:3, ::2")))', x: U([2, 3]), consts: { kc: U([4, 5]) }, ref: (v, k) => weighted(k.kc, sq(R.indexScatter(v, [4, 5], "1:3, ::2"))) });

// Stencils, transfers, transforms.
CASES.push({ S: "sum(v * stencil5(v, center: 4, side: -1))", x: U([4, 5]), ref: (v) => total(R.binary("mul", v, R.stencil5(v, 4, -1, "zero"))) });
CASES.push({ S: 'sum(kc * square(laplacian(v, boundary: "periodic")))', x: U([4, 5]), consts: { kc: U([4, 5]) }, ref: (v, k) => weighted(k.kc, sq(R.laplacian(v, 1, "periodic"))) });
CASES.push({ S: "sum(kc * square(stencil(v, kw)))", x: U([4, 5]), consts: { kc: U([4, 5]), kw: U([3, 3]) }, ref: (v, k) => weighted(k.kc, sq(R.correlate(v, k.kw, "zero"))) });
CASES.push({ S: "sum(kc * square(restrict_fw(v)))", x: U([5, 5]), consts: { kc: U([2, 2]) }, ref: (v, k) => weighted(k.kc, sq(R.restrictFw(v))) });
CASES.push({ S: "sum(kc * square(prolong_bilinear(v)))", x: U([2, 3]), consts: { kc: U([5, 7]) }, ref: (v, k) => weighted(k.kc, sq(R.prolongBilinear(v))) });
CASES.push({ S: "sum(kc * square(fft(v)))", x: U([4, 2]), consts: { kc: U([4, 2]) }, ref: (v, k) => weighted(k.kc, sq(R.dft(v, false))) });
CASES.push({ S: "sum(kc * square(ifft(v)))", x: U([5, 2]), consts: { kc: U([5, 2]) }, ref: (v, k) => weighted(k.kc, sq(R.dft(v, true))) });

// ---- running -------------------------------------------------------------------------------

const H_STEP = 1e-3;
/**
 * Nested differences of an S of size ~10 carry a rounding noise of ~ε64·10/h² ≈ 2e-9 even
 * where H·t is exactly 0; a scale of at least 1e-3 (an absolute tolerance of 1e-7) covers it.
 */
const SCALE_FLOOR = 1e-3;

/** H·t and |H|·|t| by nested fourth-order central differences of the float64 S. */
function hessianTimes(S: (v: T) => number, x: T, t: T): { value: number[]; scale: number[] } {
  const n = x.data.length;
  const scalarS = (v: T): T => R.scalar(S(v));
  const H: number[][] = [];
  for (let j = 0; j < n; j++) {
    const e = R.zeros(x.shape);
    e.data[j] = 1;
    // g_j = ∂S/∂x_j; its gradient is column j of H.
    const g = (v: T): T => R.directional(scalarS, v, e, H_STEP);
    H.push(R.jacobian(g, x, H_STEP).cols.map((col) => col[0]));
  }
  const value = Array<number>(n).fill(0);
  const scale = Array<number>(n).fill(0);
  H.forEach((col, j) =>
    col.forEach((hij, i) => {
      value[i] += hij * t.data[j];
      scale[i] += Math.abs(hij * t.data[j]);
    }),
  );
  return { value, scale };
}

const MODES: Record<Mode, string> = {
  "forward over reverse": "jvp(v => grad(S, v), x, t)",
  "reverse over reverse": "grad(v => dot(grad(S, v), t), x)",
  "reverse over forward": "grad(v => jvp(S, v, t), x)",
};

describe("second derivatives (Hessian-vector products) against float64 differences", () => {
  for (const c of CASES) {
    const t = uniform(seed(), c.x.shape);
    const want = hessianTimes((v) => c.ref(v, c.consts ?? {}), c.x, t);
    for (const [mode, expr] of Object.entries(MODES) as [Mode, string][]) {
      test(`${mode}: S(v) = ${c.S}, v[${c.x.shape.join(", ")}]`, c.wrong?.[mode], async () => {
        const { lines, data } = inputs({ x: c.x, t, ...c.consts });
        lines.push(`op S(v: ${c.x.shape.length ? `f32[${c.x.shape.join(", ")}]` : "f32"}) = ${c.S}`, `export h = ${expr}`);
        const ex = exportsOf(await run(lines, data), lines);
        const scale = Math.max(...want.scale);
        expectWithin(`H·t (${mode})`, get(ex, "h", c.x.shape), want.value, want.scale.map(() => scale), RTOL, SCALE_FLOOR);
      });
    }
  }
});
