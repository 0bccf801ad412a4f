// Linear algebra: matmul (`@`), transpose, eye, outer, diag, diagonal, trace.
//
// matmul follows NumPy's matmul: a vector on the left is a row ([K] @ [K, M] -> [M]), on the
// right a column ([N, K] @ [K] -> [N]), vector @ vector is the inner product (a scalar), and
// leading (batch) dims broadcast. Computed in f32; two i32 operands give i32.
import { type Dim, dimConst, dimEq, dimToString, dimValue } from "../shapes.js";
import { broadcastShapes, shapeToString, type TensorT } from "../types.js";
import type { Value } from "../ir/ir.js";
import { arg, arithmetic, op, show, staticDim, staticDims, tensor } from "./common.js";
import { linearRules, NoRule, type RuleBuilder, shapeOfValue } from "./rules.js";

/** A vector as a 1-row (left operand) or 1-column (right operand) matrix; matrices as they are. */
function asMatrix(b: RuleBuilder, v: Value, as: "row" | "column"): Value {
  const s = shapeOfValue(v);
  if (s.length !== 1) return v;
  return b.op("reshape", [v], { dims: as === "row" ? [1, s[0]] : [s[0], 1] });
}

/** The last two sizes of X @ Y: the rows of X and the columns of Y. */
function matrixTail(X: Value, Y: Value): number[] {
  const [x, y] = [shapeOfValue(X), shapeOfValue(Y)];
  return [x[x.length - 2], y[y.length - 1]];
}

/** A matrix (or batch of them) transposed in its last two axes. */
function swapLast(b: RuleBuilder, v: Value): Value {
  const r = shapeOfValue(v).length;
  const perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return b.op("transpose", [v], { perm });
}

export function matmulShape(a: TensorT, b: TensorT): TensorT | string {
  if (a.shape.length === 0 || b.shape.length === 0) {
    return `\`@\` needs tensors with at least one dimension, got ${show(a)} @ ${show(b)} (to scale, use \`*\`)`;
  }
  if (a.dtype === "bool" || b.dtype === "bool") return `\`@\` needs numbers, got ${show(a)} @ ${show(b)}`;
  const av = a.shape.length === 1;
  const bv = b.shape.length === 1;
  const A = av ? [dimConst(1), a.shape[0]] : a.shape;
  const B = bv ? [b.shape[0], dimConst(1)] : b.shape;
  const ka = A[A.length - 1];
  const kb = B[B.length - 2];
  if (!dimEq(ka, kb)) {
    return `\`@\` needs the inner sizes to agree: ${show(a)} @ ${show(b)} has ${dimToString(ka)} vs ${dimToString(kb)}`;
  }
  const batch = broadcastShapes(A.slice(0, -2), B.slice(0, -2));
  if (typeof batch === "string") {
    return `\`@\` needs batch dims that broadcast: ${show(a)} @ ${show(b)}: ${batch}`;
  }
  const rows = av ? [] : [A[A.length - 2]];
  const cols = bv ? [] : [B[B.length - 1]];
  return tensor(arithmetic(a.dtype, b.dtype), [...batch, ...rows, ...cols]);
}

op({
  name: "matmul",
  kind: "linalg",
  linear: { in: [0, 1] },
  doc: "Matrix product `a @ b` (NumPy matmul: vectors, matrices, broadcast batches).",
  params: [
    { name: "a", kind: "tensor" },
    { name: "b", kind: "tensor" },
  ],
  shape: (q) => matmulShape(arg(q, 0), arg(q, 1)),
  // NumPy matmul's adjoints: vectors become 1-row or 1-column matrices, batch axes unbroadcast.
  vjp: (b, a, c) => {
    const [x, y] = a.inputs;
    const [X, Y] = [asMatrix(b, x, "row"), asMatrix(b, y, "column")];
    const out = shapeOfValue(c);
    const kept = (x.type.shape.length > 1 ? 1 : 0) + (y.type.shape.length > 1 ? 1 : 0);
    const C = b.op("reshape", [c], { dims: [...out.slice(0, out.length - kept), ...matrixTail(X, Y)] });
    const dX = b.unbroadcast(b.op("matmul", [C, swapLast(b, Y)]), X);
    const dY = b.unbroadcast(b.op("matmul", [swapLast(b, X), C]), Y);
    return [b.op("reshape", [dX], { dims: shapeOfValue(x) }), b.op("reshape", [dY], { dims: shapeOfValue(y) })];
  },
  jvp: (b, a, [tx, ty]) => {
    const [x, y] = a.inputs;
    const terms = [tx && b.op("matmul", [tx, y]), ty && b.op("matmul", [x, ty])].filter((t): t is Value => t !== undefined);
    return terms.length === 2 ? b.op("add", terms) : terms[0];
  },
});

function permutation(perm: Dim[] | undefined, rank: number): number[] | string {
  if (perm === undefined || perm.length === 0) return [...Array(rank).keys()].reverse();
  const p = perm.map((d) => dimValue(d));
  const sorted = [...p].sort((x, y) => (x ?? -1) - (y ?? -1));
  if (p.length !== rank || !sorted.every((v, i) => v === i)) {
    return `\`transpose\` needs a permutation of 0..${rank - 1}, got [${perm.map(dimToString).join(", ")}]`;
  }
  return p as number[];
}

op({
  name: "transpose",
  kind: "layout",
  linear: "joint",
  doc: "Permutes the axes (default: reverses them; a matrix's transpose).",
  params: [
    { name: "x", kind: "tensor" },
    { name: "perm", kind: "dims", default: null, doc: "the new order of the axes, e.g. transpose(x, 0, 2, 1)" },
  ],
  shape(q) {
    const x = arg(q, 0);
    const perm = permutation(staticDims(q.statics.perm), x.shape.length);
    return typeof perm === "string" ? perm : tensor(x.dtype, perm.map((i) => x.shape[i]));
  },
  ...linearRules((b, a, c) => {
    const rank = shapeOfValue(a.inputs[0]).length;
    const perm = (a.statics.perm as number[] | null) ?? [];
    const p = perm.length ? perm : [...Array(rank).keys()].reverse();
    const inverse = p.map((_, i) => p.indexOf(i));
    return [b.op("transpose", [c], { perm: inverse })];
  }),
});

op({
  name: "eye",
  kind: "create",
  doc: "Identity matrix n×n (or n×m), f32.",
  params: [
    { name: "n", kind: "int" },
    { name: "m", kind: "int", default: null, doc: "columns; default n" },
  ],
  shape(q) {
    const n = staticDim(q.statics.n);
    if (n === undefined) return "`eye` needs a size: eye(n)";
    const m = staticDim(q.statics.m) ?? n;
    if ((dimValue(n) ?? 1) < 0 || (dimValue(m) ?? 1) < 0) return "`eye` needs non-negative sizes";
    return tensor("f32", [n, m]);
  },
});

function needVector(op: string, t: TensorT): string | undefined {
  return t.shape.length === 1 ? undefined : `\`${op}\` needs a vector, got ${show(t)}`;
}

op({
  name: "outer",
  kind: "linalg",
  linear: { in: [0, 1] },
  doc: "Outer product of two vectors: out[i, j] = a[i] * b[j].",
  params: [
    { name: "a", kind: "tensor" },
    { name: "b", kind: "tensor" },
  ],
  shape(q) {
    const [a, b] = [arg(q, 0), arg(q, 1)];
    const bad = needVector("outer", a) ?? needVector("outer", b);
    return bad ?? tensor(arithmetic(a.dtype, b.dtype), [a.shape[0], b.shape[0]]);
  },
  vjp: (b, a, c) => [b.op("matmul", [c, a.inputs[1]]), b.op("matmul", [a.inputs[0], c])],
  jvp: (b, a, [tx, ty]) => {
    const terms = [tx && b.op("outer", [tx, a.inputs[1]]), ty && b.op("outer", [a.inputs[0], ty])].filter((t): t is Value => t !== undefined);
    return terms.length === 2 ? b.op("add", terms) : terms[0];
  },
});

op({
  name: "diag",
  kind: "linalg",
  linear: "joint",
  doc: "As NumPy's diag: of a vector v, the square matrix with v on its diagonal; of a matrix, its diagonal as a vector.",
  params: [{ name: "v", kind: "tensor" }],
  shape(q) {
    const v = arg(q, 0);
    if (v.shape.length === 2) {
      const len = diagonalLength("diag", v);
      return typeof len === "string" ? len : tensor(v.dtype, [len]);
    }
    if (v.shape.length !== 1) return `\`diag\` needs a vector (to build a diagonal matrix) or a matrix (to take its diagonal), got ${show(v)}`;
    return tensor(v.dtype, [v.shape[0], v.shape[0]]);
  },
  // The two uses are each other's transpose: diagonal back to a matrix, a matrix back to its diagonal.
  ...linearRules((b, a, c) => {
    const s = shapeOfValue(a.inputs[0]);
    if (s.length === 1) return [b.op("diagonal", [c])];
    if (s[0] !== s[1]) throw new NoRule(`the adjoint of \`diag\` of a non-square ${s[0]}×${s[1]} matrix is not written yet`);
    return [b.op("diag", [c])];
  }),
});

/** The length of a matrix's diagonal: min(N, M), which must be known for symbolic sizes. */
function diagonalLength(op: string, a: TensorT): Dim | string {
  if (a.shape.length !== 2) return `\`${op}\` needs a matrix, got ${show(a)}`;
  const [n, m] = a.shape;
  if (dimEq(n, m)) return n;
  const nv = dimValue(n);
  const mv = dimValue(m);
  if (nv !== undefined && mv !== undefined) return dimConst(Math.min(nv, mv));
  return `\`${op}\` of ${show(a)} needs a square matrix or concrete sizes (the diagonal has min(${shapeToString([n, m]).slice(1, -1)}) entries)`;
}

op({
  name: "diagonal",
  kind: "linalg",
  linear: "joint",
  doc: "The diagonal of a matrix, as a vector.",
  params: [{ name: "A", kind: "tensor" }],
  shape(q) {
    const a = arg(q, 0);
    const len = diagonalLength("diagonal", a);
    return typeof len === "string" ? len : tensor(a.dtype, [len]);
  },
  ...linearRules((b, a, c) => {
    const [n, m] = shapeOfValue(a.inputs[0]);
    if (n !== m) throw new NoRule(`the adjoint of \`diagonal\` of a non-square ${n}×${m} matrix is not written yet`);
    return [b.op("diag", [c])];
  }),
});

op({
  name: "trace",
  kind: "reduction",
  linear: "joint",
  doc: "Sum of a matrix's diagonal entries.",
  params: [{ name: "A", kind: "tensor" }],
  shape(q) {
    const a = arg(q, 0);
    const len = diagonalLength("trace", a);
    return typeof len === "string" ? len : tensor(a.dtype === "bool" ? "i32" : a.dtype, []);
  },
  ...linearRules((b, a, c) => {
    const [n, m] = shapeOfValue(a.inputs[0]);
    return [b.op("mul", [c, b.op("eye", [], { n, m })])];
  }),
});
