// Constructors for kernel-IR values, so that a lowering (and a test) reads like the maths:
//   store("q", sub(mul(lit(4), read("p")), add(at("p", -1, 0), at("p", 1, 0))))
// They build plain data (kernel-ir.ts); nothing here checks anything (verify.ts does).
import type {
  BinaryOp,
  Compare,
  CompareOp,
  DType,
  Expr,
  FoldOp,
  LaneStmt,
  LoopStep,
  MatmulStep,
  MatvecStep,
  RepeatStep,
  ScalarStep,
  Step,
  TransferStep,
  Stage,
  UnaryOp,
} from "./kernel-ir.js";

export type ExprLike = Expr | number;

const ex = (e: ExprLike): Expr => (typeof e === "number" ? { kind: "const", value: e } : e);

/** The lane's own element of a buffer. */
export const read = (buffer: string): Expr => ({ kind: "read", buffer });
/** The neighbour di rows and dj columns away (zero outside the grid). */
export const at = (buffer: string, di: number, dj: number): Expr =>
  di === 0 && dj === 0 ? read(buffer) : { kind: "read", buffer, offset: [di, dj] };
export const reg = (name: string): Expr => ({ kind: "scalar", reg: name });
export const lit = (value: number): Expr => ({ kind: "const", value });
export const temp = (name: string): Expr => ({ kind: "temp", name });
/** The red–black colouring of the lane: 1 where its row and column sum to an even number. */
export const parity = (): Expr => ({ kind: "parity" });

export const unary = (op: UnaryOp, x: ExprLike): Expr => ({ kind: "unary", op, x: ex(x) });
export const binary = (op: BinaryOp, a: ExprLike, b: ExprLike): Expr => ({ kind: "binary", op, a: ex(a), b: ex(b) });

export const add = (a: ExprLike, b: ExprLike): Expr => binary("add", a, b);
export const sub = (a: ExprLike, b: ExprLike): Expr => binary("sub", a, b);
export const mul = (a: ExprLike, b: ExprLike): Expr => binary("mul", a, b);
export const div = (a: ExprLike, b: ExprLike): Expr => binary("div", a, b);
export const min = (a: ExprLike, b: ExprLike): Expr => binary("min", a, b);
export const max = (a: ExprLike, b: ExprLike): Expr => binary("max", a, b);
export const neg = (x: ExprLike): Expr => unary("neg", x);
export const sqrt = (x: ExprLike): Expr => unary("sqrt", x);

export const compare = (op: CompareOp, a: ExprLike, b: ExprLike): Compare => ({ op, a: ex(a), b: ex(b) });
export const select = (cond: Compare, then: ExprLike, otherwise: ExprLike): Expr => ({
  kind: "select",
  cond,
  then: ex(then),
  else: ex(otherwise),
});

/** Sum of a list of terms, left to right (a stencil's neighbours). */
export const sum = (terms: readonly ExprLike[]): Expr => terms.map(ex).reduce((acc, t) => add(acc, t));

/**
 * The 5-point stencil center·u + side·(N + S + W + E), zero outside the grid. A side of ±1
 * is a subtraction or addition instead of a product: the same result bit for bit (x·(−1)
 * is exact), one multiply fewer per lane.
 */
export function stencil5(u: string, center: number, side: number): Expr {
  const neighbours = sum([at(u, -1, 0), at(u, 1, 0), at(u, 0, -1), at(u, 0, 1)]);
  const middle = mul(lit(center), read(u));
  if (side === -1) return sub(middle, neighbours);
  if (side === 1) return add(middle, neighbours);
  return add(middle, mul(lit(side), neighbours));
}

export const let_ = (name: string, expr: ExprLike): LaneStmt => ({ kind: "let", name, expr: ex(expr) });
export const store = (buffer: string, expr: ExprLike): LaneStmt => ({ kind: "store", buffer, expr: ex(expr) });
export const fold = (op: FoldOp, register: string, x: ExprLike): LaneStmt => ({
  kind: "reduce",
  op,
  reg: register,
  x: ex(x),
});
export const dot = (register: string, a: ExprLike, b: ExprLike): LaneStmt => ({
  kind: "reduce",
  op: "dot",
  reg: register,
  a: ex(a),
  b: ex(b),
});

export const loop = (dtype: DType, shape: readonly number[], body: readonly LaneStmt[]): LoopStep => ({
  kind: "loop",
  dtype,
  shape,
  stages: [{ rowLag: 0, body }],
});
export const stagedLoop = (dtype: DType, shape: readonly number[], stages: readonly Stage[]): LoopStep => ({
  kind: "loop",
  dtype,
  shape,
  stages,
});
export const matmul = (a: string, b: string, out: string): MatmulStep => ({ kind: "matmul", a, b, out });
export const matvec = (a: string, x: string, out: string): MatvecStep => ({ kind: "matvec", a, x, out });
export const restrict = (input: string, out: string): TransferStep => ({ kind: "restrict", input, out });
export const prolong = (input: string, out: string): TransferStep => ({ kind: "prolong", input, out });
export const repeat = (count: number, steps: readonly Step[]): RepeatStep => ({ kind: "repeat", count, steps });
export const scalars = (...assigns: [string, ExprLike][]): ScalarStep => ({
  kind: "scalar",
  assigns: assigns.map(([r, e]) => ({ reg: r, expr: ex(e) })),
});
