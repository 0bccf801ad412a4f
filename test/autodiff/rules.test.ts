// Every autodiff rule of every builtin, against float64 finite differences.
//
// What it checks. For each op record with a `jvp` or `vjp` rule (enumerated from the registry:
// the coverage test at the end fails when an op with rules, or one of its tensor inputs, has
// no case here), one small program per case runs
//     export jv = jvp(v => EXPR, x, t)      export vj = vjp(v => EXPR, x, c)
// (and `grad` when EXPR is a scalar), with x, t, c and the other operands as float32 `input`s
// drawn from fixed seeds inside each op's smooth domain. The results are compared with a plain
// float64 implementation of EXPR (./reference.ts): J·t by central differences, Jᵀ·c from the
// whole difference Jacobian, and the dot-product test ⟨c, J·t⟩ = ⟨vjp(c), t⟩. One case per
// differentiable input (the others held constant) and per static that changes the rule: axis
// and keepdims of reductions, vector/matrix/batched matmul, broadcasting on either side of a
// binary op, negative and strided subscripts, stencil boundaries, scalar points — and cases
// where every input depends on v (tangents add, cotangents accumulate).
//
// Tolerances (derived in reference.ts): each entry within 1e-4 of the absolute-value sum it is
// made of, e.g. |jvp_i − (J t)_i| ≤ 1e-4·(|J|·|t|)_i. The rules compute in float32, whose
// rounding (u ≈ 6e-8, sums of ≤ 64 terms, a few ulp per transcendental kernel) stays below
// ~5e-6 of that scale (measured: below 1e-6); the fourth-order float64 differences (h = 1e-4)
// err by ~1e-12. A wrong rule errs by the scale itself.
//
// Ops whose derivative is zero by definition (comparisons, logic, floor, sign, parity, casts
// to integers) must give exactly zero, not small numbers. Cases a rule refuses on purpose
// (NoRule) must give one `not-differentiable` diagnostic naming the op, at the line of the
// `jvp`/`vjp`/`grad`, with a note giving the line where the op is computed; their forward
// (or reverse) mode, where it exists, is checked numerically like any other rule. Where the
// derivative jumps (ties of max/min/maximum, relu and abs at 0, norms at 0) differences say
// nothing: the convention each rule states is checked exactly instead.
//
// The one op no program can reach (`tally`, which the checker wraps around the operators a
// method receives) has its rules, identities, checked exactly on the IR instead.
//
// Rules found wrong are kept as tests marked `it.fails` (harness.ts: `test`, and the `wrong`
// field of a case says what is wrong), passing only while they fail with the known symptom.
import { describe, expect, it } from "vitest";
import { allOps } from "../../compiler/ops/index.js";
import { checkDerivatives, exportsOf, get, inputs, run, test, type Wrong } from "./harness.js";
import * as R from "./reference.js";
import { awayFromZero, distinct, distinctAbs, type T, uniform } from "./reference.js";
import { Emitter } from "../../compiler/autodiff/emitter.js";
import { forward } from "../../compiler/autodiff/forward.js";
import { reverse } from "../../compiler/autodiff/reverse.js";
import { Builder } from "../../compiler/ir/builder.js";
import { ValueFactory } from "../../compiler/ir/ir.js";
import { TALLIES } from "../../compiler/ops/tally.js";
import { shapeOf, tensor } from "../../compiler/types.js";

// ---- cases ---------------------------------------------------------------------------------

type Consts = Record<string, T>;

/** A rule checked numerically. */
interface NumCase {
  /**
   * The op record whose rules the case is for, and which of its tensor inputs is `v` ("all":
   * every tensor input depends on `v`, so forward mode adds the tangents of several inputs
   * and reverse mode accumulates several cotangents into `v`).
   */
  op: string;
  wrt: number | "all";
  /** The function of `v` in the language; `k*` are constant operands. */
  expr: string;
  x: T;
  consts?: Consts;
  /** The same function in float64. */
  ref: (v: T, k: Consts) => T;
  /** Only forward mode: reverse mode is refused for this case (a RefusedCase says so). */
  jvpOnly?: boolean;
  /** Declarations the expression uses (an `op` with symbolic sizes), before the exports. */
  defs?: string[];
  /** Set when the rule is known to be wrong here: the test is kept and marked `it.fails`. */
  wrong?: Wrong;
}

/** An op whose derivative is zero: jvp and vjp must be exactly 0. */
interface ZeroCase {
  op: string;
  wrt: number;
  expr: string;
  x: T;
  consts?: Consts;
  /** The output's shape and dtype (the cotangent is given in that dtype). */
  out: number[];
  dtype: "f32" | "bool" | "i32";
  wrong?: Wrong;
}

/** A derivative a rule refuses: the program must say so where it was asked for. */
interface RefusedCase {
  op: string;
  wrt: number;
  mode: "jvp" | "vjp" | "grad";
  /** The body of `op f(u: …)`, in terms of `u`. */
  body: string;
  x: T;
  consts?: Consts;
  out: number[];
}

let nextSeed = 1;
const seed = (): number => nextSeed++;
const U = (shape: number[], lo = -1, hi = 1): T => uniform(seed(), shape, lo, hi);
const away = (shape: number[], lo: number, hi: number): T => awayFromZero(seed(), shape, lo, hi);

const NUM: NumCase[] = [];
const ZERO: ZeroCase[] = [];
const REFUSED: RefusedCase[] = [];

// ---- elementwise: unary ------------------------------------------------------------------

const UNARY_DOMAIN: Record<string, () => T> = {
  neg: () => U([3, 4]),
  abs: () => away([3, 4], 0.1, 1),
  sqrt: () => U([3, 4], 0.2, 2),
  exp: () => U([3, 4], -1, 1.5),
  log: () => U([3, 4], 0.2, 2),
  sin: () => U([3, 4], -3, 3),
  cos: () => U([3, 4], -3, 3),
  tanh: () => U([3, 4], -2, 2),
  sigmoid: () => U([3, 4], -3, 3),
  relu: () => away([3, 4], 0.1, 1),
  square: () => U([3, 4], -1.5, 1.5),
  reciprocal: () => away([3, 4], 0.3, 2),
};
for (const [name, domain] of Object.entries(UNARY_DOMAIN)) {
  NUM.push({ op: name, wrt: 0, expr: `${name}(v)`, x: domain(), ref: (v) => R.unary(name, v) });
}
// A scalar point and the operator spelling of neg.
NUM.push({ op: "neg", wrt: 0, expr: "-v", x: U([]), ref: (v) => R.unary("neg", v) });
NUM.push({ op: "cast", wrt: 0, expr: 'cast(v, "f32")', x: U([3, 4]), ref: (v) => v });

for (const name of ["sign", "floor", "ceil", "round", "parity"]) {
  ZERO.push({ op: name, wrt: 0, expr: `${name}(v)`, x: U([3, 4], -3, 3), out: [3, 4], dtype: "f32" });
}
ZERO.push({ op: "logical_not", wrt: 0, expr: "logical_not(v)", x: U([3, 4]), out: [3, 4], dtype: "bool" });
ZERO.push({ op: "cast", wrt: 0, expr: 'cast(v, "i32")', x: U([3, 4], -3, 3), out: [3, 4], dtype: "i32" });
ZERO.push({ op: "cast", wrt: 0, expr: 'cast(v, "bool")', x: U([3, 4]), out: [3, 4], dtype: "bool" });

// ---- elementwise: binary -----------------------------------------------------------------

/** Operands (a, b) of the given shapes inside the op's smooth domain; `ok` rejects a draw. */
interface BinaryDomain {
  draw: (sa: number[], sb: number[]) => [T, T];
  ok?: (a: T, b: T) => boolean;
}

const every = (a: T, b: T, p: (x: number, y: number) => boolean): boolean => R.zipWith([a, b], (x, y) => (p(x, y) ? 1 : 0)).data.every((v) => v === 1);

const BINARY_DOMAIN: Record<string, BinaryDomain> = {
  add: { draw: (sa, sb) => [U(sa), U(sb)] },
  sub: { draw: (sa, sb) => [U(sa), U(sb)] },
  mul: { draw: (sa, sb) => [U(sa), U(sb)] },
  div: { draw: (sa, sb) => [U(sa), away(sb, 0.5, 2)] },
  pow: { draw: (sa, sb) => [U(sa, 0.5, 2), U(sb, -1.5, 2.5)] },
  // a/b at least 0.02 from an integer: the floor in a mod b must not jump within the step.
  mod: {
    draw: (sa, sb) => [U(sa, -3, 3), away(sb, 0.7, 2)],
    ok: (a, b) => every(a, b, (x, y) => Math.abs(x / y - Math.round(x / y)) > 0.02),
  },
  // Ties (where the derivative jumps) at least 0.02 away.
  maximum: { draw: (sa, sb) => [U(sa), U(sb)], ok: (a, b) => every(a, b, (x, y) => Math.abs(x - y) > 0.02) },
  minimum: { draw: (sa, sb) => [U(sa), U(sb)], ok: (a, b) => every(a, b, (x, y) => Math.abs(x - y) > 0.02) },
};

/** Shapes (a, b) and which side is differentiated: same shapes, and broadcasting either way. */
const BINARY_LAYOUTS: { sa: number[]; sb: number[]; wrt: 0 | 1 }[] = [
  { sa: [3, 4], sb: [3, 4], wrt: 0 },
  { sa: [3, 4], sb: [3, 4], wrt: 1 },
  { sa: [3, 1], sb: [4], wrt: 0 }, // both broadcast: a along columns, b along rows
  { sa: [2, 3, 4], sb: [4], wrt: 1 }, // b gains leading axes
  { sa: [3, 4], sb: [], wrt: 1 }, // b a scalar
];

/** A case per layout of BINARY_LAYOUTS for one binary op. */
function binaryCases(name: string, dom: BinaryDomain): void {
  for (const { sa, sb, wrt } of BINARY_LAYOUTS) {
    let a: T;
    let b: T;
    do [a, b] = dom.draw(sa, sb);
    while (dom.ok && !dom.ok(a, b));
    NUM.push(
      wrt === 0
        ? { op: name, wrt, expr: `${name}(v, kb)`, x: a, consts: { kb: b }, ref: (v, k) => R.binary(name, v, k.kb) }
        : { op: name, wrt, expr: `${name}(ka, v)`, x: b, consts: { ka: a }, ref: (v, k) => R.binary(name, k.ka, v) },
    );
  }
}

/** The case where both operands depend on v: the tangents of the two sides add, the cotangents accumulate. */
function binaryBothCase(name: string, dom: BinaryDomain): void {
  const rev = (v: T): T => R.index(v, "::-1");
  let x: T;
  do x = dom.draw([4], [4])[0];
  while (!(dom.ok?.(x, rev(x)) ?? true) || (name === "div" && x.data.some((e) => Math.abs(e) < 0.3)));
  NUM.push({ op: name, wrt: "all", expr: `${name}(v, v[::-1])`, x, ref: (v) => R.binary(name, v, rev(v)) });
}

for (const [name, dom] of Object.entries(BINARY_DOMAIN)) binaryCases(name, dom);
// The operator spellings lower to the same records.
for (const [sym, name] of [["+", "add"], ["-", "sub"], ["*", "mul"], ["/", "div"], ["^", "pow"], ["%", "mod"]] as const) {
  const dom = BINARY_DOMAIN[name];
  let a: T;
  let b: T;
  do [a, b] = dom.draw([4], [4]);
  while (dom.ok && !dom.ok(a, b));
  NUM.push({ op: name, wrt: 1, expr: `ka ${sym} v`, x: b, consts: { ka: a }, ref: (v, k) => R.binary(name, k.ka, v) });
}

// Both operands depend on v.
for (const [name, dom] of Object.entries(BINARY_DOMAIN)) binaryBothCase(name, dom);

// Literal exponents on bases of either sign (the documentation's `sum(u^2)`), a literal base.
NUM.push({ op: "pow", wrt: 0, expr: "v ^ 2", x: U([3, 4]), ref: (v) => R.map(v, (e) => e ** 2) });
NUM.push({ op: "pow", wrt: 0, expr: "v ^ 3", x: U([3, 4]), ref: (v) => R.map(v, (e) => e ** 3) });
NUM.push({ op: "pow", wrt: 1, expr: "2 ^ v", x: U([3, 4]), ref: (v) => R.map(v, (e) => 2 ** e) });

for (const name of ["lt", "le", "gt", "ge", "eq", "ne", "logical_and", "logical_or"]) {
  ZERO.push({ op: name, wrt: 0, expr: `${name}(v, kb)`, x: U([3, 4]), consts: { kb: U([4]) }, out: [3, 4], dtype: "bool" });
  ZERO.push({ op: name, wrt: 1, expr: `${name}(ka, v)`, x: U([3, 4]), consts: { ka: U([3, 4]) }, out: [3, 4], dtype: "bool" });
}

// where: the taken branch passes its derivative through, the condition none.
{
  const mask = (shape: number[]) => U(shape);
  const cond = (m: T) => R.map(m, (x) => (x > 0 ? 1 : 0));
  NUM.push({ op: "where", wrt: 1, expr: "where(km > 0, v, kb)", x: U([3, 4]), consts: { km: mask([3, 4]), kb: U([3, 4]) }, ref: (v, k) => R.where(cond(k.km), v, k.kb) });
  NUM.push({ op: "where", wrt: 2, expr: "where(km > 0, ka, v)", x: U([3, 4]), consts: { km: mask([3, 4]), ka: U([3, 4]) }, ref: (v, k) => R.where(cond(k.km), k.ka, v) });
  NUM.push({ op: "where", wrt: 1, expr: "where(km > 0, v, 0.5)", x: U([4]), consts: { km: mask([3, 4]) }, ref: (v, k) => R.where(cond(k.km), v, R.scalar(0.5)) });
  NUM.push({ op: "where", wrt: 2, expr: "where(km > 0, ka, v)", x: U([3, 1]), consts: { km: mask([4]), ka: U([]) }, ref: (v, k) => R.where(cond(k.km), k.ka, v) });
  NUM.push({ op: "where", wrt: "all", expr: "where(km > 0, v, square(v))", x: U([3, 4]), consts: { km: mask([3, 4]) }, ref: (v, k) => R.where(cond(k.km), v, R.unary("square", v)) });
  ZERO.push({ op: "where", wrt: 0, expr: "where(v > 0, ka, kb)", x: U([3, 4]), consts: { ka: U([3, 4]), kb: U([3, 4]) }, out: [3, 4], dtype: "f32" });
}

// ---- reductions --------------------------------------------------------------------------

type Variant = { shape: number[]; axis: number | null; keepdims: boolean };
const V = (shape: number[], axis: number | null, keepdims = false): Variant => ({ shape, axis, keepdims });
const args = ({ axis, keepdims }: Variant): string => (axis === null ? "" : `, axis: ${axis}`) + (keepdims ? ", keepdims: true" : "");

const REDUCTIONS: { name: R.Reduction; draw: (shape: number[]) => T; variants: Variant[] }[] = [
  { name: "sum", draw: (s) => U(s), variants: [V([3, 4], null), V([3, 4], 0), V([3, 4], -1, true), V([2, 3, 4], 1), V([2, 3, 4], null, true)] },
  { name: "mean", draw: (s) => U(s), variants: [V([3, 4], null), V([3, 4], 0), V([3, 4], -1, true), V([2, 3, 4], 1), V([2, 3, 4], null, true)] },
  { name: "max", draw: (s) => distinct(seed(), s), variants: [V([3, 4], null), V([3, 4], 0), V([3, 4], 1, true), V([2, 3, 4], -1)] },
  { name: "min", draw: (s) => distinct(seed(), s), variants: [V([3, 4], null), V([3, 4], 0), V([3, 4], 1, true), V([2, 3, 4], -1)] },
  { name: "prod", draw: (s) => away(s, 0.5, 1.5), variants: [V([3, 4], null), V([3, 4], 1), V([3, 4], 0, true), V([2, 3, 4], -2)] },
  { name: "norm", draw: (s) => U(s), variants: [V([3, 4], null), V([3, 4], 0), V([3, 4], -1, true), V([2, 3, 4], 2)] },
  { name: "norm_inf", draw: (s) => distinctAbs(seed(), s), variants: [V([3, 4], null), V([3, 4], 1), V([3, 4], 0, true), V([2, 3, 4], 0)] },
];
for (const { name, draw, variants } of REDUCTIONS) {
  for (const vr of variants) {
    NUM.push({ op: name, wrt: 0, expr: `${name}(v${args(vr)})`, x: draw(vr.shape), ref: (v) => R.reduce(name, v, vr.axis, vr.keepdims) });
  }
}
NUM.push({ op: "fro", wrt: 0, expr: "fro(v)", x: U([3, 4]), ref: (v) => R.fro(v) });
NUM.push({ op: "fro", wrt: 0, expr: "fro(v)", x: U([2, 3, 4]), ref: (v) => R.fro(v) });
NUM.push({ op: "dot", wrt: 0, expr: "dot(v, kb)", x: U([3, 4]), consts: { kb: U([3, 4]) }, ref: (v, k) => R.dot(v, k.kb) });
NUM.push({ op: "dot", wrt: 1, expr: "dot(ka, v)", x: U([5]), consts: { ka: U([5]) }, ref: (v, k) => R.dot(k.ka, v) });
NUM.push({ op: "dot", wrt: "all", expr: "dot(v, sin(v))", x: U([5]), ref: (v) => R.dot(v, R.unary("sin", v)) });

// ---- linear algebra ------------------------------------------------------------------------

const MATMUL_SHAPES: [number[], number[]][] = [
  [[3, 4], [4, 5]], // matrix @ matrix
  [[4], [4, 5]], // row vector @ matrix
  [[3, 4], [4]], // matrix @ column vector
  [[4], [4]], // inner product
  [[2, 3, 4], [4, 5]], // batch @ matrix
  [[2, 3, 4], [2, 4, 5]], // batch @ batch
  [[2, 1, 3, 4], [3, 4, 2]], // batch axes broadcasting both ways
  [[2, 3, 4], [4]], // batch @ vector
  [[4], [2, 4, 3]], // vector @ batch
  [[1, 3, 4], [2, 4, 5]], // a batch of one against a batch of two
];
for (const [sa, sb] of MATMUL_SHAPES) {
  NUM.push({ op: "matmul", wrt: 0, expr: "v @ kb", x: U(sa), consts: { kb: U(sb) }, ref: (v, k) => R.matmul(v, k.kb) });
  NUM.push({ op: "matmul", wrt: 1, expr: "ka @ v", x: U(sb), consts: { ka: U(sa) }, ref: (v, k) => R.matmul(k.ka, v) });
}
NUM.push({ op: "matmul", wrt: "all", expr: "v @ transpose(v)", x: U([3, 4]), ref: (v) => R.matmul(v, R.transpose(v)) });
NUM.push({ op: "matmul", wrt: "all", expr: "v @ v", x: U([4]), ref: (v) => R.matmul(v, v) });
NUM.push({ op: "transpose", wrt: 0, expr: "transpose(v)", x: U([3, 4]), ref: (v) => R.transpose(v) });
NUM.push({ op: "transpose", wrt: 0, expr: "transpose(v)", x: U([2, 3, 4]), ref: (v) => R.transpose(v) });
NUM.push({ op: "transpose", wrt: 0, expr: "transpose(v, 1, 2, 0)", x: U([2, 3, 4]), ref: (v) => R.transpose(v, [1, 2, 0]) });
NUM.push({ op: "transpose", wrt: 0, expr: "transpose(v, 3, 1, 0, 2)", x: U([2, 3, 1, 4]), ref: (v) => R.transpose(v, [3, 1, 0, 2]) });
NUM.push({ op: "outer", wrt: 0, expr: "outer(v, kb)", x: U([3]), consts: { kb: U([4]) }, ref: (v, k) => R.outer(v, k.kb) });
NUM.push({ op: "outer", wrt: 1, expr: "outer(ka, v)", x: U([4]), consts: { ka: U([3]) }, ref: (v, k) => R.outer(k.ka, v) });
NUM.push({ op: "outer", wrt: "all", expr: "outer(v, v)", x: U([4]), ref: (v) => R.outer(v, v) });
NUM.push({ op: "diag", wrt: 0, expr: "diag(v)", x: U([4]), ref: (v) => R.diag(v) });
NUM.push({ op: "diagonal", wrt: 0, expr: "diagonal(v)", x: U([4, 4]), ref: (v) => R.diagonal(v) });
NUM.push({ op: "diagonal", wrt: 0, expr: "diagonal(v)", x: U([3, 5]), ref: (v) => R.diagonal(v), jvpOnly: true });
REFUSED.push({ op: "diagonal", wrt: 0, mode: "vjp", body: "diagonal(u)", x: U([3, 5]), out: [3] });
NUM.push({ op: "trace", wrt: 0, expr: "trace(v)", x: U([4, 4]), ref: (v) => R.trace(v) });
NUM.push({ op: "trace", wrt: 0, expr: "trace(v)", x: U([3, 5]), ref: (v) => R.trace(v) });

// ---- layout --------------------------------------------------------------------------------

NUM.push({ op: "reshape", wrt: 0, expr: "reshape(v, 2, 6)", x: U([3, 4]), ref: (v) => R.reshape(v, [2, 6]) });
NUM.push({ op: "reshape", wrt: 0, expr: "reshape(v, 4, -1)", x: U([2, 3, 4]), ref: (v) => R.reshape(v, [4, -1]) });
NUM.push({ op: "flatten", wrt: 0, expr: "flatten(v)", x: U([2, 3, 4]), ref: (v) => R.flatten(v) });
for (const [shape, sub] of [
  [[4, 5], "1:3, ::2"],
  [[3, 4], "-1"],
  [[3, 4], "::-1, 1"],
  [[3, 4], "1, -2:"],
  [[5, 6], "::-2, 1:5:2"],
  [[2, 4, 3], "0, 1:3, -1"],
  [[3, 4], "2, 3"],
  [[6, 3], "-1:0:-2, 1"],
] as [number[], string][]) {
  NUM.push({ op: "index", wrt: 0, expr: `v[${sub}]`, x: U(shape), ref: (v) => R.index(v, sub) });
}
// Subscripts and pads inside an `op` whose size is symbolic (bounds such as n - 1 become
// numbers when the call is specialised): the finite differences users write.
NUM.push({ op: "index", wrt: 0, expr: "dx(v)", defs: ["op dx(u: f32[n]) = u[1:n] - u[0:n - 1]"], x: U([6]), ref: (v) => R.binary("sub", R.index(v, "1:6"), R.index(v, "0:5")) });
NUM.push({ op: "pad", wrt: 0, expr: "lap1(v)", defs: ["op lap1(u: f32[n]) {", "  let p = pad(u, 1)", "  return p[0:n] + p[2:n + 2] - 2 * u", "}"], x: U([5]), ref: (v) => { const p = R.pad(v, [1], "zero"); return R.binary("sub", R.binary("add", R.index(p, "0:5"), R.index(p, "2:7")), R.map(v, (e) => 2 * e)); } });
NUM.push({ op: "slice", wrt: 0, expr: "slice(v, start: 1, size: 2, axis: 1)", x: U([3, 4]), ref: (v) => R.slice(v, 1, 2, 1) });
NUM.push({ op: "slice", wrt: 0, expr: "slice(v, start: -2)", x: U([4, 3]), ref: (v) => R.slice(v, -2, -1, 0) });
NUM.push({ op: "slice", wrt: 0, expr: "slice(v, start: 1, size: 2, axis: -1)", x: U([2, 3, 4]), ref: (v) => R.slice(v, 1, 2, -1) });
for (const { sa, sb, axis } of [
  { sa: [2, 3], sb: [3, 3], axis: 0 },
  { sa: [3, 2], sb: [3, 4], axis: -1 },
]) {
  NUM.push({ op: "concat", wrt: 0, expr: `concat(v, kb, axis: ${axis})`, x: U(sa), consts: { kb: U(sb) }, ref: (v, k) => R.concat(v, k.kb, axis) });
  NUM.push({ op: "concat", wrt: 1, expr: `concat(ka, v, axis: ${axis})`, x: U(sb), consts: { ka: U(sa) }, ref: (v, k) => R.concat(k.ka, v, axis) });
}
NUM.push({ op: "concat", wrt: "all", expr: "concat(v, -v, axis: 1)", x: U([2, 3]), ref: (v) => R.concat(v, R.unary("neg", v), 1) });
NUM.push({ op: "stack", wrt: "all", expr: "stack(v, square(v), axis: 1)", x: U([2, 3]), ref: (v) => R.stack(v, R.unary("square", v), 1) });
for (const axis of [0, 1, -1]) {
  NUM.push({ op: "stack", wrt: 0, expr: `stack(v, kb, axis: ${axis})`, x: U([3, 4]), consts: { kb: U([3, 4]) }, ref: (v, k) => R.stack(v, k.kb, axis) });
  NUM.push({ op: "stack", wrt: 1, expr: `stack(ka, v, axis: ${axis})`, x: U([3, 4]), consts: { ka: U([3, 4]) }, ref: (v, k) => R.stack(k.ka, v, axis) });
}
NUM.push({ op: "pad", wrt: 0, expr: "pad(v, 1, 2)", x: U([3, 4]), ref: (v) => R.pad(v, [1, 2], "zero") });
NUM.push({ op: "pad", wrt: 0, expr: "pad(v, 2)", x: U([2, 3, 4]), ref: (v) => R.pad(v, [2], "zero") });
NUM.push({ op: "pad", wrt: 0, expr: "pad(v, 1, 0, 2)", x: U([2, 3, 2]), ref: (v) => R.pad(v, [1, 0, 2], "zero") });
for (const mode of ["reflect", "periodic"] as const) {
  NUM.push({ op: "pad", wrt: 0, expr: `pad(v, 1, 2, mode: "${mode}")`, x: U([3, 4]), ref: (v) => R.pad(v, [1, 2], mode), jvpOnly: true });
  REFUSED.push({ op: "pad", wrt: 0, mode: "vjp", body: `pad(u, 1, 2, mode: "${mode}")`, x: U([3, 4]), out: [5, 8] });
}
NUM.push({ op: "broadcast", wrt: 0, expr: "broadcast(v, 2, 3, 4)", x: U([3, 1]), ref: (v) => R.broadcastTo(v, [2, 3, 4]) });
NUM.push({ op: "broadcast", wrt: 0, expr: "broadcast(v, 3, 4)", x: U([4]), ref: (v) => R.broadcastTo(v, [3, 4]) });
NUM.push({ op: "index_scatter", wrt: 0, expr: 'index_scatter(v, 5, 6, spec: "1:4, ::2")', x: U([3, 3]), ref: (v) => R.indexScatter(v, [5, 6], "1:4, ::2") });
NUM.push({ op: "index_scatter", wrt: 0, expr: 'index_scatter(v, 4, 5, spec: "-1, ::-1")', x: U([5]), ref: (v) => R.indexScatter(v, [4, 5], "-1, ::-1") });

// ---- stencils ------------------------------------------------------------------------------

NUM.push({ op: "stencil5", wrt: 0, expr: "stencil5(v, center: 4, side: -1)", x: U([5, 6]), ref: (v) => R.stencil5(v, 4, -1, "zero") });
NUM.push({ op: "stencil5", wrt: 0, expr: 'stencil5(v, center: 2.5, side: 0.5, boundary: "periodic")', x: U([5, 6]), ref: (v) => R.stencil5(v, 2.5, 0.5, "periodic") });
NUM.push({ op: "stencil5", wrt: 0, expr: "stencil5(v, center: -3, side: 0.75)", x: U([2, 4, 5]), ref: (v) => R.stencil5(v, -3, 0.75, "zero") });
NUM.push({ op: "stencil5", wrt: 0, expr: 'stencil5(v, center: 1, side: 0.25, boundary: "periodic")', x: U([2, 3, 4]), ref: (v) => R.stencil5(v, 1, 0.25, "periodic") });
NUM.push({ op: "stencil5", wrt: 0, expr: 'stencil5(v, center: 4, side: -1, boundary: "reflect")', x: U([5, 6]), ref: (v) => R.stencil5(v, 4, -1, "reflect"), jvpOnly: true });
REFUSED.push({ op: "stencil5", wrt: 0, mode: "vjp", body: 'stencil5(u, center: 4, side: -1, boundary: "reflect")', x: U([5, 6]), out: [5, 6] });
NUM.push({ op: "laplacian", wrt: 0, expr: "laplacian(v, h: 0.5)", x: U([5, 6]), ref: (v) => R.laplacian(v, 0.5, "zero") });
NUM.push({ op: "laplacian", wrt: 0, expr: 'laplacian(v, boundary: "periodic")', x: U([4, 5]), ref: (v) => R.laplacian(v, 1, "periodic") });
NUM.push({ op: "laplacian", wrt: 0, expr: 'laplacian(v, boundary: "reflect")', x: U([4, 5]), ref: (v) => R.laplacian(v, 1, "reflect"), jvpOnly: true });
REFUSED.push({ op: "laplacian", wrt: 0, mode: "grad", body: 'sum(laplacian(u, boundary: "reflect"))', x: U([4, 5]), out: [] });
NUM.push({ op: "stencil", wrt: 0, expr: "stencil(v, kw)", x: U([5, 6]), consts: { kw: U([3, 3]) }, ref: (v, k) => R.correlate(v, k.kw, "zero") });
NUM.push({ op: "stencil", wrt: 0, expr: 'stencil(v, kw, boundary: "periodic")', x: U([5, 6]), consts: { kw: U([3, 5]) }, ref: (v, k) => R.correlate(v, k.kw, "periodic") });
NUM.push({ op: "stencil", wrt: 0, expr: "stencil(v, kw)", x: U([2, 4, 5]), consts: { kw: U([3, 3]) }, ref: (v, k) => R.correlate(v, k.kw, "zero") });
NUM.push({ op: "stencil", wrt: 0, expr: 'stencil(v, kw, boundary: "reflect")', x: U([5, 6]), consts: { kw: U([3, 3]) }, ref: (v, k) => R.correlate(v, k.kw, "reflect"), jvpOnly: true });
REFUSED.push({ op: "stencil", wrt: 0, mode: "vjp", body: 'stencil(u, kw, boundary: "reflect")', x: U([5, 6]), consts: { kw: U([3, 3]) }, out: [5, 6] });
NUM.push({ op: "stencil", wrt: 1, expr: "stencil(ku, v)", x: U([3, 3]), consts: { ku: U([5, 6]) }, ref: (v, k) => R.correlate(k.ku, v, "zero"), jvpOnly: true });
NUM.push({ op: "stencil", wrt: "all", expr: "stencil(v, v[1:4, 2:5])", x: U([5, 6]), ref: (v) => R.correlate(v, R.index(v, "1:4, 2:5"), "zero"), jvpOnly: true });
REFUSED.push({ op: "stencil", wrt: 1, mode: "vjp", body: "stencil(ku, u)", x: U([3, 3]), consts: { ku: U([5, 6]) }, out: [5, 6] });

// conv: forward mode in both inputs; reverse mode is refused.
for (const c of [
  { x: [2, 7, 2], k: [3, 2, 3], stride: 1, padding: "same", boundary: "zero" },
  { x: [1, 5, 5, 2], k: [3, 3, 2, 3], stride: 2, padding: "valid", boundary: "zero" },
  { x: [6, 5, 2], k: [3, 3, 2, 2], stride: 2, padding: "same", boundary: "periodic" },
  { x: [7, 1], k: [3, 1, 2], stride: 1, padding: "same", boundary: "reflect" },
] as const) {
  const opts = `stride: ${c.stride}, padding: "${c.padding}", boundary: "${c.boundary}"`;
  const ref = (x: T, k: T) => R.conv(x, k, c.stride, c.padding, c.boundary);
  NUM.push({ op: "conv", wrt: 0, expr: `conv(v, kk, ${opts})`, x: U([...c.x]), consts: { kk: U([...c.k]) }, ref: (v, k) => ref(v, k.kk), jvpOnly: true });
  NUM.push({ op: "conv", wrt: 1, expr: `conv(kx, v, ${opts})`, x: U([...c.k]), consts: { kx: U([...c.x]) }, ref: (v, k) => ref(k.kx, v), jvpOnly: true });
}
REFUSED.push({ op: "conv", wrt: 0, mode: "vjp", body: "conv(u, kk)", x: U([2, 7, 2]), consts: { kk: U([3, 2, 3]) }, out: [2, 7, 3] });
REFUSED.push({ op: "conv", wrt: 1, mode: "grad", body: 'sum(conv(kx, u, padding: "valid"))', x: U([3, 2, 3]), consts: { kx: U([2, 7, 2]) }, out: [] });

// ---- multigrid transfers, spectral ---------------------------------------------------------

NUM.push({ op: "restrict_fw", wrt: 0, expr: "restrict_fw(v)", x: U([7, 7]), ref: (v) => R.restrictFw(v) });
NUM.push({ op: "restrict_fw", wrt: 0, expr: "restrict_fw(v)", x: U([2, 5, 7]), ref: (v) => R.restrictFw(v) });
NUM.push({ op: "prolong_bilinear", wrt: 0, expr: "prolong_bilinear(v)", x: U([3, 3]), ref: (v) => R.prolongBilinear(v) });
NUM.push({ op: "prolong_bilinear", wrt: 0, expr: "prolong_bilinear(v)", x: U([2, 2, 3]), ref: (v) => R.prolongBilinear(v) });
for (const name of ["fft", "ifft"]) {
  NUM.push({ op: name, wrt: 0, expr: `${name}(v)`, x: U([2, 8, 2]), ref: (v) => R.dft(v, name === "ifft") });
  NUM.push({ op: name, wrt: 0, expr: `${name}(v)`, x: U([5, 2]), ref: (v) => R.dft(v, name === "ifft") });
  NUM.push({ op: name, wrt: 0, expr: `${name}(v)`, x: U([2, 3, 4, 2]), ref: (v) => R.dft(v, name === "ifft") });
}
REFUSED.push({ op: "rfft", wrt: 0, mode: "jvp", body: "rfft(u)", x: U([8]), out: [5, 2] });
REFUSED.push({ op: "rfft", wrt: 0, mode: "vjp", body: "rfft(u)", x: U([8]), out: [5, 2] });
REFUSED.push({ op: "irfft", wrt: 0, mode: "jvp", body: "irfft(u)", x: U([5, 2]), out: [8] });
REFUSED.push({ op: "irfft", wrt: 0, mode: "vjp", body: "irfft(u)", x: U([5, 2]), out: [8] });

// ---- scalars ---------------------------------------------------------------------------------
// A scalar point or operand: reshapes to and from [], reductions of a scalar, zeros of shape [].

NUM.push({ op: "reshape", wrt: 0, expr: "reshape(v, 1, 1)", x: U([]), ref: (v) => R.reshape(v, [1, 1]) });
NUM.push({ op: "flatten", wrt: 0, expr: "flatten(v)", x: U([]), ref: (v) => R.flatten(v) });
for (const name of ["sum", "mean", "max", "min", "prod", "norm", "norm_inf"] as const) {
  NUM.push({ op: name, wrt: 0, expr: `${name}(v)`, x: away([], 0.5, 1.5), ref: (v) => R.reduce(name, v) });
}
NUM.push({ op: "where", wrt: 1, expr: "where(km > 0, v, kb)", x: U([]), consts: { km: R.scalar(1), kb: U([]) }, ref: (v) => v });
NUM.push({ op: "stack", wrt: 0, expr: "stack(v, kb)", x: U([]), consts: { kb: U([]) }, ref: (v, k) => R.stack(v, k.kb, 0) });
ZERO.push({ op: "floor", wrt: 0, expr: "floor(v)", x: U([], -3, 3), out: [], dtype: "f32" });
ZERO.push({ op: "lt", wrt: 0, expr: "v < kb", x: U([]), consts: { kb: U([]) }, out: [], dtype: "bool" });
ZERO.push({ op: "cast", wrt: 0, expr: 'cast(v, "i32")', x: U([], -3, 3), out: [], dtype: "i32" });

// ---- NumPy's other elementwise functions, transfers onto any grid, run-time indices ---------
// Cases added after the others, so that the data drawn for the cases above stay the same.

const MORE_UNARY_DOMAIN: Record<string, () => T> = {
  tan: () => U([3, 4], -1.2, 1.2),
  sinh: () => U([3, 4], -2, 2),
  cosh: () => U([3, 4], -2, 2),
  // 1 − x² ≥ 0.19: the derivatives 1/√(1 − x²) and 1/(1 − x²) stay moderate.
  arcsin: () => U([3, 4], -0.9, 0.9),
  arccos: () => U([3, 4], -0.9, 0.9),
  arctan: () => U([3, 4], -3, 3),
  arcsinh: () => U([3, 4], -3, 3),
  arccosh: () => U([3, 4], 1.5, 3),
  arctanh: () => U([3, 4], -0.9, 0.9),
  log1p: () => U([3, 4], -0.5, 2),
  expm1: () => U([3, 4], -1, 1.5),
  log2: () => U([3, 4], 0.2, 2),
  log10: () => U([3, 4], 0.2, 2),
  exp2: () => U([3, 4], -2, 2),
  cbrt: () => U([3, 4], 0.2, 2),
  rsqrt: () => U([3, 4], 0.3, 2),
  softplus: () => U([3, 4], -3, 3),
};
for (const [name, domain] of Object.entries(MORE_UNARY_DOMAIN)) {
  NUM.push({ op: name, wrt: 0, expr: `${name}(v)`, x: domain(), ref: (v) => R.unary(name, v) });
}
// The real cube root of negative numbers (the rule divides by 3∛x², of either sign of x).
NUM.push({ op: "cbrt", wrt: 0, expr: "cbrt(v)", x: away([2, 6], 0.2, 2), ref: (v) => R.unary("cbrt", v) });
ZERO.push({ op: "trunc", wrt: 0, expr: "trunc(v)", x: U([3, 4], -3, 3), out: [3, 4], dtype: "f32" });

const MORE_BINARY_DOMAIN: Record<string, BinaryDomain> = {
  // |a| ≥ 0.2: away from the origin and from the cut along the negative b axis, where the angle jumps by 2π.
  arctan2: { draw: (sa, sb) => [away(sa, 0.2, 1), away(sb, 0.2, 1)] },
  // Away from the origin, where hypot has a cone's kink.
  hypot: { draw: (sa, sb) => [U(sa), U(sb)], ok: (a, b) => every(a, b, (x, y) => Math.hypot(x, y) > 0.3) },
};
for (const [name, dom] of Object.entries(MORE_BINARY_DOMAIN)) {
  binaryCases(name, dom);
  binaryBothCase(name, dom);
}

// prolong_to onto an odd grid (prolong_bilinear's), an even one, a batch; u gives only the size.
for (const [coarse, fine] of [
  [[3, 3], [7, 7]],
  [[3, 3], [6, 6]],
  [[2, 3, 2], [2, 7, 4]],
] as [number[], number[]][]) {
  NUM.push({ op: "prolong_to", wrt: 0, expr: "prolong_to(v, ku)", x: U(coarse), consts: { ku: U(fine) }, ref: (v) => R.prolongTo(v, fine.slice(-2)) });
}
ZERO.push({ op: "prolong_to", wrt: 1, expr: "prolong_to(kv, v)", x: U([6, 6]), consts: { kv: U([3, 3]) }, out: [6, 6], dtype: "f32" });
// The cell-centred transfers, both boundary rules, a batch; prolong_cc's u gives only the size.
for (const bc of ["zero", "reflect"] as const) {
  NUM.push({ op: "restrict_cc", wrt: 0, expr: `restrict_cc(v, boundary: "${bc}")`, x: U([6, 4]), ref: (v) => R.restrictCc(v, bc) });
  NUM.push({ op: "restrict_cc", wrt: 0, expr: `restrict_cc(v, boundary: "${bc}")`, x: U([2, 4, 4]), ref: (v) => R.restrictCc(v, bc) });
  NUM.push({ op: "prolong_cc", wrt: 0, expr: `prolong_cc(v, ku, boundary: "${bc}")`, x: U([3, 2]), consts: { ku: U([6, 4]) }, ref: (v) => R.prolongCc(v, bc) });
}
ZERO.push({ op: "prolong_cc", wrt: 1, expr: "prolong_cc(kv, v)", x: U([6, 6]), consts: { kv: U([3, 3]) }, out: [6, 6], dtype: "f32" });
// wavefront depends on the shape of its argument only.
ZERO.push({ op: "wavefront", wrt: 0, expr: "wavefront(v)", x: U([3, 4]), out: [3, 4], dtype: "f32" });

// take and put with an f32 index `ki` given when running: rounded down, negative from the end,
// clipped into range. Linear in the tensors moved; the index has no derivative.
for (const { i, axis, shape } of [
  { i: 1, axis: 0, shape: [3, 4] },
  { i: 2.5, axis: 1, shape: [3, 4] },
  { i: -1, axis: 0, shape: [4] },
  { i: 10, axis: -1, shape: [2, 3, 4] },
]) {
  const ax = axis < 0 ? axis + shape.length : axis;
  const row = shape.filter((_, k) => k !== ax);
  const opts = axis === 0 ? "" : `, axis: ${axis}`;
  NUM.push({ op: "take", wrt: 0, expr: `take(v, ki${opts})`, x: U(shape), consts: { ki: R.scalar(i) }, ref: (v, k) => R.take(v, k.ki.data[0], ax) });
  NUM.push({ op: "put", wrt: 0, expr: `put(v, ki, kr${opts})`, x: U(shape), consts: { ki: R.scalar(i), kr: U(row) }, ref: (v, k) => R.put(v, k.ki.data[0], k.kr, ax) });
  NUM.push({ op: "put", wrt: 2, expr: `put(kx, ki, v${opts})`, x: U(row), consts: { ki: R.scalar(i), kx: U(shape) }, ref: (v, k) => R.put(k.kx, k.ki.data[0], v, ax) });
}
// An entry broadcast into its row (cotangents summed back), and the row written taken from x itself.
NUM.push({ op: "put", wrt: 2, expr: "put(kx, ki, v)", x: U([1]), consts: { ki: R.scalar(2), kx: U([3, 4]) }, ref: (v, k) => R.put(k.kx, 2, v, 0) });
NUM.push({ op: "put", wrt: 2, expr: "put(kx, ki, v, axis: 1)", x: U([]), consts: { ki: R.scalar(0), kx: U([3, 4]) }, ref: (v, k) => R.put(k.kx, 0, v, 1) });
NUM.push({ op: "put", wrt: "all", expr: "put(v, ki, 2 * take(v, kj))", x: U([3, 4]), consts: { ki: R.scalar(0), kj: R.scalar(2) }, ref: (v) => R.put(v, 0, R.map(R.take(v, 2), (e) => 2 * e)) });
ZERO.push({ op: "take", wrt: 1, expr: "take(kx, v)", x: U([], 0, 2.9), consts: { kx: U([3, 4]) }, out: [4], dtype: "f32" });
ZERO.push({ op: "put", wrt: 1, expr: "put(kx, v, kr)", x: U([], 0, 2.9), consts: { kx: U([3, 4]), kr: U([4]) }, out: [3, 4], dtype: "f32" });

// tally: no program can name it (the checker wraps the operators a method receives in it, and
// autodiff differentiates the constructs' own regions, not the methods' steps), so its rules
// are checked on the IR, exactly: they are identities.
const EXACT: { op: string; wrt: number; what: string; check: () => void }[] = [];
for (const what of TALLIES) {
  EXACT.push({
    op: "tally",
    wrt: 0,
    what: `tally(x, what: "${what}")`,
    check: () => {
      const values = new ValueFactory();
      const type = tensor("f32", shapeOf(3, 4));
      const b = new Builder(values);
      const v = b.param(type);
      const fn = b.finish([b.builtin("tally", [v], { what })]);
      const [x, t, c] = [values.value(type), values.value(type), values.value(type)];
      // Forward mode: the tangent itself, an operator's counted as a Jacobian application.
      const fe = new Emitter(values);
      const tangent = forward(fe, fn, [x], [t]).tangents[0];
      if (what === "operator") {
        const made = fe.ops.find((o) => o.outputs[0]?.id === tangent?.id);
        expect(made).toMatchObject({ kind: "builtin", opcode: "tally", inputs: [t], statics: { what: "jacobian" } });
      } else expect(tangent).toBe(t);
      // Reverse mode: the cotangent itself, uncounted.
      const re = new Emitter(values);
      expect(reverse(re, fn, [x], [c], [true], new Set()).params[0]).toBe(c);
      expect(re.ops.filter((o) => o.kind === "builtin" && o.opcode === "tally")).toHaveLength(1); // the primal's
    },
  });
}

// ---- running -------------------------------------------------------------------------------

const shapeText = (t: T): string => `[${t.shape.join(", ")}]`;
const constsText = (k: Consts | undefined): string => Object.entries(k ?? {}).map(([n, t]) => ` ${n}${shapeText(t)}`).join("");
const title = (c: { op: string; wrt: number | "all"; expr: string; x: T; consts?: Consts }): string =>
  `${c.op} wrt ${c.wrt === "all" ? "all inputs" : `input ${c.wrt}`}: ${c.expr}, v${shapeText(c.x)}${constsText(c.consts)}`;

async function numeric(c: NumCase): Promise<void> {
  const out0 = c.ref(c.x, c.consts ?? {});
  const t = uniform(seed0(c) + 1, c.x.shape);
  const cot = uniform(seed0(c) + 2, out0.shape);
  const { lines, data } = inputs({ x: c.x, t, ...(c.jvpOnly ? {} : { c: cot }), ...c.consts });
  lines.push(...(c.defs ?? []), `export jv = jvp(v => ${c.expr}, x, t)`);
  if (!c.jvpOnly) lines.push(`export vj = vjp(v => ${c.expr}, x, c)`);
  const scalarOut = out0.shape.length === 0;
  if (scalarOut && !c.jvpOnly) lines.push(`export gr = grad(v => ${c.expr}, x)`);
  const ex = exportsOf(await run(lines, data), lines);
  checkDerivatives((v) => c.ref(v, c.consts ?? {}), c.x, t, c.jvpOnly ? undefined : cot, {
    jvp: get(ex, "jv", out0.shape),
    ...(c.jvpOnly ? {} : { vjp: get(ex, "vj", c.x.shape) }),
    ...(scalarOut && !c.jvpOnly ? { grad: get(ex, "gr", c.x.shape) } : {}),
  });
}

/** A seed for a case's direction and cotangent, from its title (stable when cases are added). */
function seed0(c: NumCase): number {
  let h = 2166136261;
  for (const ch of title(c)) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

async function zero(c: ZeroCase): Promise<void> {
  const t = uniform(7, c.x.shape);
  const cot = uniform(8, c.out);
  const { lines, data } = inputs({ x: c.x, t, c: cot, ...c.consts });
  const ct = c.dtype === "f32" ? "c" : c.dtype === "bool" ? "c > 0" : 'cast(3 * c, "i32")';
  lines.push(`export jv = jvp(v => ${c.expr}, x, t)`, `export vj = vjp(v => ${c.expr}, x, ${ct})`);
  const ex = exportsOf(await run(lines, data), lines);
  expect(Array.from(get(ex, "jv", c.out))).toEqual(Array<number>(R.size(c.out)).fill(0));
  expect(Array.from(get(ex, "vj", c.x.shape))).toEqual(Array<number>(R.size(c.x.shape)).fill(0));
}

async function refused(c: RefusedCase): Promise<void> {
  const dir: Consts = c.mode === "jvp" ? { t: uniform(7, c.x.shape) } : c.mode === "vjp" ? { c: uniform(8, c.out) } : {};
  const { lines, data } = inputs({ x: c.x, ...dir, ...c.consts });
  lines.push(`op f(u: ${c.x.shape.length ? `f32[${c.x.shape.join(", ")}]` : "f32"}) = ${c.body}`);
  const opLine = lines.length;
  lines.push("let unrelated = 2 * x", c.mode === "jvp" ? "export d = jvp(f, x, t)" : c.mode === "vjp" ? "export d = vjp(f, x, c)" : "export d = grad(f, x)");
  const askLine = lines.length;
  const out = await run(lines, data);
  expect(out.diagnostics.map((d) => [d.code, d.span.start.line]), lines.join("\n")).toEqual([["not-differentiable", askLine]]);
  const [d] = out.diagnostics;
  expect(d.message).toContain(`\`${c.op}\``);
  expect(d.notes).toEqual([`\`${c.op}\` is computed on line ${opLine}.`]);
  expect(out.exports).toEqual([]);
}

describe("autodiff rules against float64 central differences", () => {
  for (const c of NUM) test(`${title(c)}${c.jvpOnly ? " (forward mode)" : ""}`, c.wrong, () => numeric(c));
});

describe("ops whose derivative is zero give exactly zero", () => {
  for (const c of ZERO) test(`${title(c)} (${c.dtype})`, c.wrong, () => zero(c));
});

describe("rules no program can reach, checked on the IR", () => {
  for (const c of EXACT) it(`${c.op} wrt input ${c.wrt}: ${c.what}`, c.check);
});

describe("derivatives a rule refuses are a not-differentiable error at the place asked", () => {
  for (const c of REFUSED) it(`${c.mode} of ${c.body}, u${shapeText(c.x)}`, () => refused(c));
});

/**
 * Where a derivative jumps (ties of max/min, kinks of relu and abs, the norm at 0) there is no
 * derivative to difference; the rules' comments state a convention (JAX's), checked exactly.
 */
const KINKS: { what: string; expr: string; x: T; consts?: Consts; c: T; t: T; vjp: number[]; jvp: number[] }[] = [
  { what: "max shares a tie equally", expr: "max(v)", x: R.tensor([4], [1, 3, 3, 2]), c: R.scalar(1), t: R.tensor([4], [0.25, 0.5, 1, 2]), vjp: [0, 0.5, 0.5, 0], jvp: [0.75] },
  { what: "max along an axis shares ties per row", expr: "max(v, axis: 1)", x: R.tensor([2, 3], [1, 1, 0, 2, 0, 2]), c: R.tensor([2], [1, 2]), t: R.tensor([2, 3], [1, 2, 4, 8, 16, 32]), vjp: [0.5, 0.5, 0, 1, 0, 1], jvp: [1.5, 20] },
  { what: "min shares a tie equally", expr: "min(v)", x: R.tensor([4], [2, -1, 0, -1]), c: R.scalar(2), t: R.tensor([4], [1, 2, 4, 8]), vjp: [0, 1, 0, 1], jvp: [5] },
  { what: "norm_inf shares a tie of |x| with the signs", expr: "norm_inf(v)", x: R.tensor([3], [-3, 1, 3]), c: R.scalar(1), t: R.tensor([3], [1, 2, 4]), vjp: [-0.5, 0, 0.5], jvp: [1.5] },
  { what: "maximum gives a tie to its first operand", expr: "maximum(v, kb)", x: R.tensor([2], [1, 2]), consts: { kb: R.tensor([2], [1, 2]) }, c: R.tensor([2], [1, 3]), t: R.tensor([2], [5, 7]), vjp: [1, 3], jvp: [5, 7] },
  { what: "maximum gives nothing to its second operand at a tie", expr: "maximum(ka, v)", x: R.tensor([2], [1, 2]), consts: { ka: R.tensor([2], [1, 2]) }, c: R.tensor([2], [1, 3]), t: R.tensor([2], [5, 7]), vjp: [0, 0], jvp: [0, 0] },
  { what: "minimum gives a tie to its first operand", expr: "minimum(v, kb)", x: R.tensor([2], [1, 2]), consts: { kb: R.tensor([2], [1, 2]) }, c: R.tensor([2], [1, 3]), t: R.tensor([2], [5, 7]), vjp: [1, 3], jvp: [5, 7] },
  { what: "relu has the subgradient 0 at 0", expr: "relu(v)", x: R.tensor([3], [0, 1, -1]), c: R.tensor([3], [1, 1, 1]), t: R.tensor([3], [1, 1, 1]), vjp: [0, 1, 0], jvp: [0, 1, 0] },
  { what: "abs has the subgradient 0 at 0", expr: "abs(v)", x: R.tensor([3], [0, 1, -1]), c: R.tensor([3], [1, 1, 1]), t: R.tensor([3], [1, 1, 1]), vjp: [0, 1, -1], jvp: [0, 1, -1] },
  { what: "norm has the derivative 0 at 0", expr: "norm(v)", x: R.zeros([3]), c: R.scalar(1), t: R.tensor([3], [1, 2, 3]), vjp: [0, 0, 0], jvp: [0] },
  { what: "fro has the derivative 0 at a zero matrix (the batch's first)", expr: "fro(v)", x: R.tensor([2, 2, 2], [0, 0, 0, 0, 1, 0, 0, 0]), c: R.tensor([2], [1, 1]), t: R.tensor([2, 2, 2], [1, 1, 1, 1, 1, 1, 1, 1]), vjp: [0, 0, 0, 0, 1, 0, 0, 0], jvp: [0, 1] },
  { what: "pow has no exponent derivative where the base is 0", expr: "ka ^ v", x: R.tensor([2], [2, 3]), consts: { ka: R.tensor([2], [0, 1]) }, c: R.tensor([2], [1, 1]), t: R.tensor([2], [1, 1]), vjp: [0, 0], jvp: [0, 0] },
];

describe("conventions where the derivative jumps", () => {
  for (const k of KINKS) {
    it(`${k.what}: ${k.expr} at v = [${k.x.data.join(", ")}]`, async () => {
      const { lines, data } = inputs({ x: k.x, t: k.t, c: k.c, ...k.consts });
      lines.push(`export jv = jvp(v => ${k.expr}, x, t)`, `export vj = vjp(v => ${k.expr}, x, c)`);
      const ex = exportsOf(await run(lines, data), lines);
      expect(Array.from(get(ex, "vj", k.x.shape))).toEqual(k.vjp);
      expect(Array.from(get(ex, "jv", k.c.shape))).toEqual(k.jvp);
    });
  }
});

describe("coverage", () => {
  it("every op with a jvp or vjp rule has a case for each of its tensor inputs", () => {
    const covered = new Set([...NUM, ...ZERO, ...REFUSED, ...EXACT].map((c) => `${c.op}#${c.wrt}`));
    const missing: string[] = [];
    for (const r of allOps()) {
      if (!r.jvp && !r.vjp) continue;
      r.params.filter((p) => p.kind === "tensor").forEach((p, i) => {
        if (!covered.has(`${r.name}#${i}`)) missing.push(`${r.name}(${p.name})`);
      });
    }
    expect(missing).toEqual([]);
  });

  it("every case names an op that exists and has rules", () => {
    const withRules = new Set(allOps().filter((r) => r.jvp || r.vjp).map((r) => r.name));
    expect([...NUM, ...ZERO, ...REFUSED, ...EXACT].map((c) => c.op).filter((op) => !withRules.has(op))).toEqual([]);
  });

  it("every op whose reverse mode works has a reverse-mode case", () => {
    // Reverse mode is refused on purpose only for conv, rfft and irfft (all of their cases).
    const reversed = new Set([...NUM.filter((c) => !c.jvpOnly), ...ZERO, ...EXACT].map((c) => c.op));
    const missing = allOps()
      .filter((r) => r.vjp && !reversed.has(r.name))
      .map((r) => r.name);
    expect(missing.sort()).toEqual(["conv", "irfft", "rfft"]);
  });
});
