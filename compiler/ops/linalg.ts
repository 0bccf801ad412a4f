// Linear algebra: matmul (`@`), transpose, eye, outer, diag, diagonal, trace.
//
// matmul follows NumPy's matmul: a vector on the left is a row ([K] @ [K, M] -> [M]), on the
// right a column ([N, K] @ [K] -> [N]), vector @ vector is the inner product (a scalar), and
// leading (batch) dims broadcast. Computed in f32; two i32 operands give i32.
import { type Dim, dimConst, dimEq, dimToString, dimValue } from "../shapes.js";
import { broadcastShapes, shapeToString, type TensorT } from "../types.js";
import {
  arg,
  arithmetic,
  builtin,
  castTo,
  concreteInts,
  input,
  show,
  staticDim,
  staticDims,
  tensor,
} from "./common.js";
import type { Tensor, Tf } from "./registry.js";

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

/** Broadcasts the batch dims of a (rank >= 2) operand and folds them into one. */
function toBatch3(tf: Tf, x: Tensor, batch: number[]): Tensor {
  const [r, c] = x.shape.slice(-2);
  const full = [...batch, r, c];
  const grown = x.shape.length === full.length && x.shape.every((d, i) => d === full[i]) ? x : tf.broadcastTo(x, full);
  return tf.reshape(grown, [batch.reduce((p, d) => p * d, 1), r, c]);
}

function matmulImpl(tf: Tf, a0: Tensor, b0: Tensor, outShape: number[]): Tensor {
  let a = castTo(tf, a0, "f32");
  let b = castTo(tf, b0, "f32");
  if (a.rank === 1) a = tf.reshape(a, [1, a.shape[0]]);
  if (b.rank === 1) b = tf.reshape(b, [b.shape[0], 1]);
  if (a.rank === 2 && b.rank === 2) return tf.reshape(tf.matMul(a, b), outShape);
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const n = Math.max(batchA.length, batchB.length);
  const batch: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = batchA[batchA.length - n + i] ?? 1;
    const db = batchB[batchB.length - n + i] ?? 1;
    batch.push(da === 1 ? db : da);
  }
  return tf.reshape(tf.matMul(toBatch3(tf, a, batch), toBatch3(tf, b, batch)), outShape);
}

builtin({
  name: "matmul",
  doc: "Matrix product `a @ b` (NumPy matmul: vectors, matrices, broadcast batches).",
  params: [
    { name: "a", kind: "tensor" },
    { name: "b", kind: "tensor" },
  ],
  shape: (q) => matmulShape(arg(q, 0), arg(q, 1)),
  impl: (tf, inputs, _s, out) => matmulImpl(tf, input(inputs, 0), input(inputs, 1), out.shape),
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

builtin({
  name: "transpose",
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
  impl(tf, inputs, statics) {
    const x = input(inputs, 0);
    const perm = concreteInts(statics.perm);
    return tf.transpose(x, perm.length > 0 ? perm : undefined);
  },
});

builtin({
  name: "eye",
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
  impl: (tf, _inputs, _s, out) => tf.eye(out.shape[0], out.shape[1]),
});

function needVector(op: string, t: TensorT): string | undefined {
  return t.shape.length === 1 ? undefined : `\`${op}\` needs a vector, got ${show(t)}`;
}

builtin({
  name: "outer",
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
  impl(tf, inputs, _s, out) {
    const a = castTo(tf, input(inputs, 0), out.dtype);
    const b = castTo(tf, input(inputs, 1), out.dtype);
    return tf.mul(tf.reshape(a, [-1, 1]), tf.reshape(b, [1, -1]));
  },
});

builtin({
  name: "diag",
  doc: "The square matrix with vector v on its diagonal.",
  params: [{ name: "v", kind: "tensor" }],
  shape(q) {
    const v = arg(q, 0);
    return needVector("diag", v) ?? tensor(v.dtype, [v.shape[0], v.shape[0]]);
  },
  impl: (tf, inputs) => tf.diag(input(inputs, 0)),
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

function diagonalImpl(tf: Tf, a: Tensor): Tensor {
  const [n, m] = a.shape;
  const len = Math.min(n, m);
  const idx = tf.range(0, len * (m + 1), m + 1, "int32");
  return tf.gather(tf.reshape(a, [n * m]), idx);
}

builtin({
  name: "diagonal",
  doc: "The diagonal of a matrix, as a vector.",
  params: [{ name: "A", kind: "tensor" }],
  shape(q) {
    const a = arg(q, 0);
    const len = diagonalLength("diagonal", a);
    return typeof len === "string" ? len : tensor(a.dtype, [len]);
  },
  impl: (tf, inputs) => diagonalImpl(tf, input(inputs, 0)),
});

builtin({
  name: "trace",
  doc: "Sum of a matrix's diagonal entries.",
  params: [{ name: "A", kind: "tensor" }],
  shape(q) {
    const a = arg(q, 0);
    const len = diagonalLength("trace", a);
    return typeof len === "string" ? len : tensor(a.dtype === "bool" ? "i32" : a.dtype, []);
  },
  impl: (tf, inputs, _s, out) => tf.sum(castTo(tf, diagonalImpl(tf, input(inputs, 0)), out.dtype)),
});
