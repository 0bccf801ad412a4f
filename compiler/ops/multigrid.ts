// Grid transfers for geometric multigrid on vertex-centred 2D grids of interior points: a fine
// grid of n = 2m + 1 points per side (spacing h) nests a coarse grid of m points (spacing 2h)
// at the fine points 1, 3, …, n − 2 (0-based). Both act on the last two axes (leading axes
// are a batch) and assume zero (Dirichlet) values outside the grid.
//
//   restrict_fw(u)       full weighting, f32[..., n, k] → f32[..., (n−1)/2, (k−1)/2], n and k
//                        odd: (R u)[i, j] = Σ w[a, b] u[2i + a, 2j + b] / 16 with
//                        w = [1 2 1; 2 4 2; 1 2 1] (centred on the fine point (2i+1, 2j+1)).
//   prolong_bilinear(v)  bilinear interpolation, f32[..., m, l] → f32[..., 2m + 1, 2l + 1]:
//                        coarse values at the odd fine points, averages of 2 or 4 coarse
//                        neighbours between them, zero beyond the boundary. P = 4 Rᵀ exactly,
//                        so ⟨R u, v⟩ = ¼ ⟨u, P v⟩ (the Galerkin pairing of the two).
//
// Why these are builtins and not `.iter`: prolongation interleaves coarse values with
// averages (fine[2i+1] = v[i], fine[2i] = (v[i−1] + v[i])/2), a scatter into every other entry
// that the language's slices, which only read, cannot express; restriction could be written
// with a strided slice of a 3×3 correlation, `stencil(u, w)[1::2, 1::2]`, but a strided slice
// of a symbolic size n has the size ceil((n − 1)/2), which the checker cannot prove equal to
// the m of n = 2m + 1, so the coarse grid's type would not match the prolongation's. Here the
// shape rules are exact polynomials: restrict_fw of f32[2m + 1, 2m + 1] is f32[m, m] and
// prolong_bilinear of f32[m, m] is f32[2m + 1, 2m + 1].
//
// Implementations: restriction is one stride-2 "valid" conv2d with the 3×3 weights;
// prolongation is one stride-2 "valid" conv2dTranspose with the weights × 4, which is exactly
// 4 Rᵀ. Measured (ms per call, one thread; n = 255 → 127 and 1023 → 511): restriction cpu 1.1
// / 15, wasm 0.5 / 8; prolongation cpu 1.9 / 32, wasm 1.0 / 17, against cpu 56 / 1070 and
// wasm 4.3 / 63 for prolongation by pad, slices, stack and reshape (interleaving rows, then
// columns): the single kernels win on both backends.
import { floatOf } from "../../base/dtype.js";
import { type Dim, dimAdd, dimConst, dimDivConst, dimMul, dimSub, dimValue } from "../shapes.js";
import type { TensorT } from "../types.js";
import { arg, op, show, tensor } from "./common.js";
import { linearRules, ZERO_DERIVATIVE } from "./rules.js";

function gridCheck(op: string, u: TensorT): string | undefined {
  if (u.shape.length < 2) return `\`${op}\` needs a 2D grid (n×n, optionally batched), got ${show(u)}`;
  if (u.dtype === "bool") return `\`${op}\` needs numbers, got ${show(u)}`;
  return undefined;
}

/** (n − 1)/2 for an odd n ≥ 3, symbolic or not; a message otherwise. */
function coarseSize(n: Dim, u: TensorT): Dim | string {
  const v = dimValue(n);
  if (v !== undefined && (v < 3 || v % 2 !== 1)) {
    return `\`restrict_fw\` needs odd grid sizes of at least 3 (n = 2m + 1), got ${show(u)}; a multigrid hierarchy needs n = 2^k − 1 (15, 31, 63, 127, …) so that every coarser grid is odd too`;
  }
  return dimDivConst(dimSub(n, dimConst(1)), 2);
}

op({
  name: "restrict_fw",
  kind: "transfer",
  linear: "joint",
  doc: "Full-weighting restriction of odd n×n grids (last two axes) to (n−1)/2 × (n−1)/2: [1 2 1; 2 4 2; 1 2 1]/16 at the odd points.",
  params: [{ name: "u", kind: "tensor" }],
  shape(q) {
    const u = arg(q, 0);
    const bad = gridCheck("restrict_fw", u);
    if (bad) return bad;
    const sizes = u.shape.slice(-2).map((n) => coarseSize(n, u));
    for (const s of sizes) if (typeof s === "string") return s;
    return tensor(floatOf(u.dtype), [...u.shape.slice(0, -2), ...(sizes as Dim[])]);
  },
  // P = 4 Rᵀ, so Rᵀ = P / 4.
  ...linearRules((b, _a, c) => [b.op("mul", [b.op("prolong_bilinear", [c]), b.scalar(0.25)])]),
});

op({
  name: "prolong_bilinear",
  kind: "transfer",
  linear: "joint",
  doc: "Bilinear interpolation of m×m grids (last two axes) to (2m+1)×(2m+1), zero boundary; 4× the transpose of restrict_fw.",
  params: [{ name: "v", kind: "tensor" }],
  shape(q) {
    const v = arg(q, 0);
    const bad = gridCheck("prolong_bilinear", v);
    if (bad) return bad;
    for (const m of v.shape.slice(-2)) {
      const c = dimValue(m);
      if (c !== undefined && c < 1) return `\`prolong_bilinear\` needs a grid of at least 1×1, got ${show(v)}`;
    }
    const fine = (m: Dim): Dim => dimAdd(dimMul(dimConst(2), m), dimConst(1));
    return tensor(floatOf(v.dtype), [...v.shape.slice(0, -2), ...v.shape.slice(-2).map(fine)]);
  },
  // Pᵀ = 4 R.
  ...linearRules((b, _a, c) => [b.op("mul", [b.op("restrict_fw", [c]), b.scalar(4)])]),
});

// The red–black colouring of a grid of any rank: 1 where the sum of the indices is even. A
// builtin because the language has no rank polymorphism (a 1D, 2D or 3D grid alike).
op({
  name: "parity",
  kind: "transfer",
  doc: "The red–black checkerboard of x's grid (any rank): 1 where the indices sum to an even number, else 0.",
  params: [{ name: "x", kind: "tensor" }],
  shape: (q) => tensor(floatOf(arg(q, 0).dtype), arg(q, 0).shape),
  ...ZERO_DERIVATIVE,
});

/** The red–black checkerboard of a grid of this shape, row-major: 1 where the indices sum to even. */
export function parityValues(shape: readonly number[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let flat = 0; flat < size; flat++) {
    let rest = flat;
    let sum = 0;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      sum += rest % shape[axis];
      rest = Math.floor(rest / shape[axis]);
    }
    data[flat] = sum % 2 === 0 ? 1 : 0;
  }
  return data;
}
