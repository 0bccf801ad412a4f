// The native emitter's table of op rules, keyed by op name like every backend's kernel table:
// what each op of a region becomes in the kernel IR. An op without a rule here (or whose
// arguments its rule cannot take: a periodic boundary, an axis reduction, a non-constant
// exponent) is refused with a message naming it, and its region runs op by op.
//
// Kinds: `lane` maps each element (an expression of its inputs' elements); `compare` is a lane
// rule whose value is 1 or 0 and which a `where` uses as its condition directly; `stencil`
// reads its input at constant offsets (taps); `reduce` folds all entries into a register
// (sums, dots and squared norms accumulate in f64), `post` finishing it in a scalar step;
// products and transfers are steps of their own.
import type { CompareOp, Expr, FoldOp, UnaryOp } from "../kernel-ir.js";
import { add, binary, compare, div, lit, mul, neg, parity, select, sqrt, sub, unary } from "../build.js";
import { elementCount } from "../kernel-ir.js";
import { Refusal, type OpItem, type ValueInfo } from "./types.js";

export interface Tap {
  readonly di: number;
  readonly dj: number;
  readonly w: number;
}

export type Rule =
  | { readonly kind: "lane"; readonly build: (args: readonly Expr[]) => Expr }
  | { readonly kind: "compare"; readonly op: CompareOp }
  | { readonly kind: "where" }
  | { readonly kind: "stencil"; readonly taps: readonly Tap[] }
  | {
      readonly kind: "reduce";
      readonly fold: FoldOp | "dot";
      readonly map?: (x: Expr) => Expr;
      readonly post?: (r: Expr) => Expr;
    }
  | { readonly kind: "matmul" | "matvec" | "restrict" | "prolong" };

/** What a rule may look at besides the op: its inputs' and output's value infos. */
export interface RuleQuery {
  readonly item: OpItem;
  readonly inputs: readonly ValueInfo[];
  readonly output: ValueInfo;
}

type RuleOf = (q: RuleQuery) => Rule;

const UNARY: Record<string, UnaryOp> = {
  neg: "neg",
  abs: "abs",
  sqrt: "sqrt",
  exp: "exp",
  log: "log",
  sin: "sin",
  cos: "cos",
  tanh: "tanh",
  sigmoid: "sigmoid",
  relu: "relu",
  sign: "sign",
  floor: "floor",
  ceil: "ceil",
  round: "round",
  square: "square",
  reciprocal: "reciprocal",
};

const BINARY = { add: "add", sub: "sub", mul: "mul", div: "div", maximum: "max", minimum: "min" } as const;

const COMPARE: Record<string, CompareOp> = { lt: "lt", le: "le", gt: "gt", ge: "ge", eq: "eq", ne: "ne" };

const truth = (x: Expr): Expr => select(compare("ne", x, 0), 1, 0);

const lane = (build: (args: readonly Expr[]) => Expr): Rule => ({ kind: "lane", build });

/** x^e for a constant e: products for small whole exponents, sqrt for halves. */
function powRule(q: RuleQuery): Rule {
  const e = q.inputs[1].def.kind === "literal" ? q.inputs[1].def.value : undefined;
  if (e === undefined) throw new Refusal("`pow` with an exponent that is not a constant has no native emit rule");
  if (e === 0.5) return lane(([x]) => sqrt(x));
  if (e === -0.5) return lane(([x]) => div(1, sqrt(x)));
  if (!Number.isInteger(e) || Math.abs(e) > 8)
    throw new Refusal(`\`pow\` with the exponent ${e} has no native emit rule (whole exponents up to 8 and ±0.5 have)`);
  return lane(([x]) => {
    if (e === 0) return lit(1);
    let p: Expr = x;
    for (let k = 1; k < Math.abs(e); k++) p = mul(p, x);
    return e < 0 ? div(1, p) : p;
  });
}

/** A value cast to another element type; values are carried as numbers (bool as 0/1). */
function castRule(q: RuleQuery): Rule {
  const to = q.output.elem;
  if (to === "float") return lane(([x]) => x);
  if (to === "bool") return lane(([x]) => select(compare("ne", x, 0), 1, 0));
  return lane(([x]) => unary("trunc", x));
}

function needZeroBoundary(q: RuleQuery): void {
  const b = q.item.statics.boundary ?? "zero";
  if (b !== "zero") throw new Refusal(`\`${q.item.opcode}\` with boundary "${String(b)}" has no native emit rule (only "zero" has)`);
  if (q.inputs[0].shape.length !== 2) throw new Refusal(`\`${q.item.opcode}\` on a batch of grids (${q.inputs[0].shape.length}-D) has no native emit rule`);
}

const num = (a: unknown, fallback: number): number => (typeof a === "number" ? a : fallback);

function stencil5Taps(center: number, side: number): Tap[] {
  return [
    { di: 0, dj: 0, w: center },
    { di: -1, dj: 0, w: side },
    { di: 1, dj: 0, w: side },
    { di: 0, dj: -1, w: side },
    { di: 0, dj: 1, w: side },
  ];
}

/** `stencil(u, W)` with W known: a tap per non-zero weight, centred. */
function weightsRule(q: RuleQuery): Rule {
  needZeroBoundary(q);
  const w = q.inputs[1];
  if (w.def.kind !== "data") throw new Refusal("`stencil` with weights that are not a constant has no native emit rule");
  const [kr, kc] = w.shape;
  const taps: Tap[] = [];
  for (let a = 0; a < kr; a++)
    for (let b = 0; b < kc; b++) {
      const v = w.def.values[a * kc + b];
      if (v !== 0) taps.push({ di: a - (kr >> 1), dj: b - (kc >> 1), w: v });
    }
  return { kind: "stencil", taps };
}

/** Reductions over every entry; an axis (or kept dims) is refused. */
function fullReduction(fold: FoldOp, extra: { map?: (x: Expr) => Expr; post?: (r: Expr) => Expr } = {}): RuleOf {
  return (q) => {
    const axis = q.item.statics.axis;
    if ((axis !== undefined && axis !== null) || q.output.shape.length !== 0)
      throw new Refusal(`\`${q.item.opcode}\` over an axis has no native emit rule (over all entries it has)`);
    return { kind: "reduce", fold, ...extra };
  };
}

function matmulRule(q: RuleQuery): Rule {
  const [a, b] = q.inputs.map((v) => v.shape.length);
  if (a === 1 && b === 1) return { kind: "reduce", fold: "dot" };
  if ((a === 2 || a === 1) && b === 2) return { kind: "matmul" };
  if (a === 2 && b === 1) return { kind: "matvec" };
  throw new Refusal(`\`matmul\` of a rank-${a} and a rank-${b} operand has no native emit rule (matrix or vector @ matrix, matrix @ vector and vector @ vector have)`);
}

function grid2(q: RuleQuery, kind: "restrict" | "prolong"): Rule {
  if (q.inputs[0].shape.length !== 2) throw new Refusal(`\`${q.item.opcode}\` on a batch of grids has no native emit rule`);
  if (kind === "restrict" && q.inputs[0].shape.some((n) => n % 2 === 0)) throw new Refusal(`\`${q.item.opcode}\` of an even grid (${q.inputs[0].shape.join("×")}) has no native emit rule yet (only odd grids, 2m + 1)`);
  return { kind };
}

export const NATIVE_RULES: ReadonlyMap<string, RuleOf> = new Map<string, RuleOf>([
  ...Object.entries(UNARY).map(([name, op]): [string, RuleOf] => [name, () => lane(([x]) => unary(op, x))]),
  ...Object.entries(BINARY).map(([name, op]): [string, RuleOf] => [name, () => lane(([a, b]) => binary(op, a, b))]),
  ...Object.entries(COMPARE).map(([name, op]): [string, RuleOf] => [name, () => ({ kind: "compare", op })]),
  // Truth is "not zero" (NaN is true), as in the op records' folds.
  ["logical_and", () => lane(([a, b]) => select(compare("ne", a, 0), truth(b), 0))],
  ["logical_or", () => lane(([a, b]) => select(compare("ne", a, 0), 1, truth(b)))],
  ["logical_not", () => lane(([a]) => select(compare("eq", a, 0), 1, 0))],
  ["where", () => ({ kind: "where" })],
  ["pow", powRule],
  ["cast", castRule],
  ["copy", () => lane(([x]) => x)],
  ["parity", () => lane(() => parity())],
  [
    "stencil5",
    (q) => {
      needZeroBoundary(q);
      return { kind: "stencil", taps: stencil5Taps(num(q.item.statics.center, 4), num(q.item.statics.side, -1)) };
    },
  ],
  [
    "laplacian",
    (q) => {
      needZeroBoundary(q);
      const h = num(q.item.statics.h, 1);
      return { kind: "stencil", taps: stencil5Taps(-4 / (h * h), 1 / (h * h)) };
    },
  ],
  ["stencil", weightsRule],
  ["sum", fullReduction("sum")],
  ["mean", (q) => fullReduction("sum", { post: (r) => div(r, elementCount(q.inputs[0].shape)) })(q)],
  ["max", fullReduction("max")],
  ["min", fullReduction("min")],
  ["norm", fullReduction("sumsq", { post: sqrt })],
  ["norm_inf", fullReduction("max", { map: (x) => unary("abs", x) })],
  ["fro", fullReduction("sumsq", { post: sqrt })],
  ["dot", () => ({ kind: "reduce", fold: "dot" })],
  ["matmul", matmulRule],
  ["restrict_fw", (q) => grid2(q, "restrict")],
  ["prolong_bilinear", (q) => grid2(q, "prolong")],
  // Onto an odd grid it is prolong_bilinear (u gives the size only); onto an even one, refused.
  [
    "prolong_to",
    (q) => {
      const [m, l] = q.inputs[0].shape.slice(-2);
      const [n, k] = q.inputs[1].shape.slice(-2);
      if (n !== 2 * m + 1 || k !== 2 * l + 1) throw new Refusal(`\`prolong_to\` onto an even grid (${n}×${k}) has no native emit rule yet (only onto 2m + 1)`);
      return grid2(q, "prolong");
    },
  ],
]);

/** Why an op has no rule, for the ops of the registry that have none (the coverage test reads it). */
export const NATIVE_UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ["mod", "`mod` has no native emit rule yet (floored remainder on f32/i32)"],
  ["prod", "`prod` has no native emit rule yet (a product reduction)"],
  ["trace", "`trace` has no native emit rule yet (a strided reduction over the diagonal)"],
  ["outer", "`outer` has no native emit rule yet (a rank-1 update: a product step to add)"],
  ["diag", "`diag` has no native emit rule yet (a strided store into a zeroed matrix)"],
  ["diagonal", "`diagonal` has no native emit rule yet (a strided read)"],
  ...["transpose", "reshape", "flatten", "index", "slice", "concat", "stack", "pad", "broadcast", "index_scatter"].map(
    (n): [string, string] => [n, `\`${n}\` is a layout op, which has no native emit rule yet (buffer aliasing and strided reads in the kernel IR)`],
  ),
  ["conv", "`conv` has no native emit rule yet (channels: a product per tap)"],
  ...["tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "log1p", "expm1", "log2", "log10", "exp2", "cbrt", "rsqrt", "softplus", "trunc", "arctan2", "hypot"].map(
    (n): [string, string] => [n, `\`${n}\` has no native emit rule yet (the module computes exp, log, tanh and sigmoid itself; this function needs its own)`],
  ),
  ...["restrict_cc", "prolong_cc"].map((n): [string, string] => [n, `\`${n}\` (a cell-centred grid transfer) has no native emit rule yet: it runs op by op`]),
  ["wavefront", "`wavefront` has no native emit rule yet (the index sums of a grid, as a creation)"],
  ...["take", "put"].map((n): [string, string] => [n, `\`${n}\` reads or writes at an index known only when running, which the kernel IR has no addressing for yet`]),
  ...["fft", "ifft", "rfft", "irfft"].map((n): [string, string] => [n, `\`${n}\` is a Fourier transform, which has no native emit rule`]),
  ...["normal", "uniform", "glorot", "he", "orthogonal"].map((n): [string, string] => [n, `\`${n}\` draws random numbers, which a fused region does not`]),
]);

/** The rule for an op, or a Refusal naming it. */
export function ruleFor(q: RuleQuery): Rule {
  const of = NATIVE_RULES.get(q.item.opcode);
  if (!of) throw new Refusal(NATIVE_UNSUPPORTED.get(q.item.opcode) ?? `\`${q.item.opcode}\` has no native emit rule`);
  return of(q);
}

/** The taps of a stencil as an expression: one product per distinct weight (±1 none). */
export function stencilExpr(taps: readonly Tap[], at: (di: number, dj: number) => Expr): Expr {
  const byWeight = new Map<number, Expr[]>();
  for (const t of taps) {
    const list = byWeight.get(t.w) ?? [];
    list.push(at(t.di, t.dj));
    byWeight.set(t.w, list);
  }
  let out: Expr | undefined;
  for (const [w, reads] of byWeight) {
    const s = reads.reduce((acc, r) => add(acc, r));
    const term = w === 1 ? s : w === -1 ? neg(s) : mul(lit(w), s);
    if (out === undefined) out = term;
    else if (w === -1) out = sub(out, s);
    else out = add(out, term);
  }
  return out ?? lit(0);
}
