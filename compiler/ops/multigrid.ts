// Grid transfers for geometric multigrid on vertex-centred 2D grids of interior points: a fine
// grid of n = 2m + 1 points per side (spacing h) nests a coarse grid of m points (spacing 2h)
// at the fine points 1, 3, …, n − 2 (0-based); an even fine grid n = 2m nests m coarse points
// at 1, 3, …, n − 1, the last next to the boundary. Both act on the last two axes (leading axes
// are a batch) and assume zero (Dirichlet) values outside the grid.
//
//   restrict_fw(u)       full weighting, f32[..., n, k] → f32[..., ⌊n/2⌋, ⌊k/2⌋]:
//                        (R u)[i, j] = Σ w[a, b] u[2i + a, 2j + b] / 16 with
//                        w = [1 2 1; 2 4 2; 1 2 1] (centred on the fine point (2i+1, 2j+1)),
//                        zero beyond the grid. A symbolic size is taken as odd, (n − 1)/2: the
//                        shapes are polynomials in the sizes, and ⌊n/2⌋ is not one; concrete
//                        sizes (every size is concrete once an op is elaborated) may be even.
//   prolong_to(v, u)     bilinear interpolation onto u's grid: 2m + 1 points as
//                        prolong_bilinear, or 2m (its last row and column dropped), so that
//                        P = 4Rᵀ on even grids too (restrict_fw's transpose rule uses it).
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
import { type Dim, dimAdd, dimConst, dimDivConst, dimEq, dimMul, dimSub, dimValue } from "../shapes.js";
import type { TensorT } from "../types.js";
import { arg, op, show, tensor } from "./common.js";
import { linearRules, ZERO_DERIVATIVE } from "./rules.js";

function gridCheck(op: string, u: TensorT): string | undefined {
  if (u.shape.length < 2) return `\`${op}\` needs a 2D grid (n×n, optionally batched), got ${show(u)}`;
  if (u.dtype === "bool") return `\`${op}\` needs numbers, got ${show(u)}`;
  return undefined;
}

/**
 * The coarse size ⌊n/2⌋: (n − 1)/2 for an odd n (symbolic sizes are taken as odd: the shapes
 * are polynomials in the sizes, and ⌊n/2⌋ is not one), n/2 for an even one, whose coarse points
 * sit on the fine points 1, 3, …, n − 1 (the last next to the boundary); a message below 2.
 */
function coarseSize(n: Dim, u: TensorT): Dim | string {
  const v = dimValue(n);
  if (v !== undefined && v < 2) return `\`restrict_fw\` needs grid sizes of at least 2, got ${show(u)}`;
  if (v !== undefined && v % 2 === 0) return dimConst(v / 2);
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
  // P = 4 Rᵀ, so Rᵀ = P / 4 (onto the fine grid of u: an even one is 2m, not 2m + 1).
  ...linearRules((b, a, c) => [b.op("mul", [b.op("prolong_to", [c, a.inputs[0]]), b.scalar(0.25)])]),
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

op({
  name: "prolong_to",
  kind: "transfer",
  linear: "joint",
  doc: "Bilinear interpolation of m×m grids (last two axes) onto the grid of u: (2m+1)×(2m+1) as prolong_bilinear, or 2m×2m (an even grid, its last row and column dropped); 4× the transpose of restrict_fw either way. u gives the size only.",
  params: [
    { name: "v", kind: "tensor" },
    { name: "u", kind: "tensor" },
  ],
  shape(q) {
    const v = arg(q, 0);
    const u = arg(q, 1);
    const bad = gridCheck("prolong_to", v) ?? gridCheck("prolong_to", u);
    if (bad) return bad;
    const coarse = v.shape.slice(-2);
    const fine = u.shape.slice(-2);
    for (let i = 0; i < 2; i++) {
      const odd = dimAdd(dimMul(dimConst(2), coarse[i]), dimConst(1));
      const even = dimMul(dimConst(2), coarse[i]);
      if (!dimEq(fine[i], odd) && !dimEq(fine[i], even)) return `\`prolong_to\` interpolates an m×m grid onto a (2m+1)×(2m+1) or 2m×2m one, got ${show(v)} onto ${show(u)}`;
    }
    return tensor(floatOf(v.dtype), [...v.shape.slice(0, -2), ...fine]);
  },
  // Pᵀ = 4 R; u gives only the size.
  ...linearRules((b, _a, c) => [b.op("mul", [b.op("restrict_fw", [c]), b.scalar(4)]), undefined]),
});

// Grid transfers for cell-centred grids: values at the centres of n × n cells (spacing h = 1/n,
// no point on the boundary), a fine grid of 2m cells per side nesting a coarse one of m, each
// coarse cell the union of a 2 × 2 block of fine ones.
//
//   prolong_cc(v, u, boundary)
//                      bilinear interpolation onto u's grid of 2m × 2l cells: per axis,
//                      fine[2i] = ¾ v[i] + ¼ v[i − 1], fine[2i + 1] = ¾ v[i] + ¼ v[i + 1], the
//                      value beyond an edge from the boundary condition: "zero" (Dirichlet,
//                      zero on the wall: the ghost value is −v[edge]) or "reflect" (a zero
//                      normal derivative: the ghost is v[edge], so constants interpolate
//                      exactly and a pure Neumann problem's null space is kept). Measured on the
//                      cell-centred Poisson problem at n = 32 (V(1,1), red–black Gauss–Seidel):
//                      contraction 0.19 per cycle with the matching rule on a Dirichlet problem,
//                      0.45 with "reflect"; 0.17 with "reflect" on a Neumann one.
//   restrict_cc(u, boundary)
//                      its adjoint over 4: R = Pᵀ/4, per axis coarse[i] = (f[2i − 1] + 3 f[2i] +
//                      3 f[2i + 1] + f[2i + 2]) / 8 with the same edge rule, 2m × 2l → m × l.
//                      With "reflect", constants go to constants and Σ R u = Σ u / 4: a
//                      residual of zero sum (orthogonal to the constants) restricts to one of
//                      zero sum.
//
// Bilinear P with its adjoint R has interpolation orders 2 + 2 > 2, the condition for a
// convergence rate independent of h on a second-order operator; the piecewise-constant pair
// (1 + 1) fails it. (Trottenberg, Oosterlee & Schüller, Multigrid, §2.8.4 and §7.7.)

const CELL_BOUNDARY = {
  name: "boundary",
  kind: "string",
  default: "zero",
  choices: ["zero", "reflect"],
  doc: '"zero" (Dirichlet: zero on the wall) or "reflect" (a zero normal derivative, Neumann)',
} as const;

/** ⌊n/2⌋ of an even grid size, n/2 symbolically; a message for an odd or too small one. */
function halfSize(op: string, n: Dim, u: TensorT): Dim | string {
  const v = dimValue(n);
  if (v !== undefined && (v < 2 || v % 2 !== 0)) return `\`${op}\` coarsens a cell-centred grid by halving, so it needs even sizes of at least 2, got ${show(u)}`;
  return dimDivConst(n, 2);
}

op({
  name: "restrict_cc",
  kind: "transfer",
  linear: "joint",
  doc: "Cell-centred restriction of 2m×2l grids (last two axes) to m×l: the adjoint of prolong_cc over 4, per axis (f[2i−1] + 3f[2i] + 3f[2i+1] + f[2i+2])/8, edges extended.",
  params: [{ name: "u", kind: "tensor" }, CELL_BOUNDARY],
  shape(q) {
    const u = arg(q, 0);
    const bad = gridCheck("restrict_cc", u);
    if (bad) return bad;
    const sizes = u.shape.slice(-2).map((n) => halfSize("restrict_cc", n, u));
    for (const s of sizes) if (typeof s === "string") return s;
    return tensor(floatOf(u.dtype), [...u.shape.slice(0, -2), ...(sizes as Dim[])]);
  },
  // R = Pᵀ/4, so Rᵀ = P/4 (onto u's grid).
  ...linearRules((b, a, c) => [b.op("mul", [b.op("prolong_cc", [c, a.inputs[0]], { boundary: a.statics.boundary ?? "zero" }), b.scalar(0.25)])]),
});

op({
  name: "prolong_cc",
  kind: "transfer",
  linear: "joint",
  doc: "Cell-centred bilinear interpolation of m×l grids (last two axes) onto u's 2m×2l grid: per axis ¾ of the parent cell and ¼ of its neighbour, edges extended; 4× the transpose of restrict_cc. u gives the size only.",
  params: [{ name: "v", kind: "tensor" }, { name: "u", kind: "tensor" }, CELL_BOUNDARY],
  shape(q) {
    const v = arg(q, 0);
    const u = arg(q, 1);
    const bad = gridCheck("prolong_cc", v) ?? gridCheck("prolong_cc", u);
    if (bad) return bad;
    const [coarse, fine] = [v.shape.slice(-2), u.shape.slice(-2)];
    for (let i = 0; i < 2; i++)
      if (!dimEq(fine[i], dimMul(dimConst(2), coarse[i]))) return `\`prolong_cc\` interpolates an m×l cell-centred grid onto a 2m×2l one, got ${show(v)} onto ${show(u)}`;
    return tensor(floatOf(v.dtype), [...v.shape.slice(0, -2), ...fine]);
  },
  // Pᵀ = 4 R; u gives only the size.
  ...linearRules((b, a, c) => [b.op("mul", [b.op("restrict_cc", [c], { boundary: a.statics.boundary ?? "zero" }), b.scalar(4)]), undefined]),
});

/** The per-axis weights of the cell-centred transfers: P's taps ¼ ¾ ¾ ¼ (R's are these / 2). */
export const CELL_TAPS = [0.25, 0.75, 0.75, 0.25] as const;

/** The factor of the ghost value beyond an edge, per axis: −1 for "zero" (Dirichlet), 1 for "reflect". */
export const ghostSign = (boundary: unknown): number => (boundary === "reflect" ? 1 : -1);

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

// The wavefronts of lexicographic Gauss–Seidel: entries whose indices have equal sums are
// independent for nearest-neighbour stencils (3 points in 1D, 5 in 2D, 7 in 3D), and sweeping the
// sums in increasing order updates every entry after its lower and left neighbours — exactly the
// row-major (lexicographic) order PETSc's SOR uses, with one operator application per front.
op({
  name: "wavefront",
  kind: "transfer",
  doc: "The sum of each entry's indices in x's grid (any rank): the front of lexicographic Gauss–Seidel it belongs to.",
  params: [{ name: "x", kind: "tensor" }],
  shape: (q) => tensor(floatOf(arg(q, 0).dtype), arg(q, 0).shape),
  ...ZERO_DERIVATIVE,
});

/** The sum of the indices of each entry of a grid of this shape, row-major. */
export function indexSums(shape: readonly number[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let flat = 0; flat < size; flat++) {
    let rest = flat;
    let sum = 0;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      sum += rest % shape[axis];
      rest = Math.floor(rest / shape[axis]);
    }
    data[flat] = sum;
  }
  return data;
}

/** The red–black checkerboard of a grid of this shape, row-major: 1 where the indices sum to even. */
export function parityValues(shape: readonly number[]): Float32Array {
  return indexSums(shape).map((sum) => (sum % 2 === 0 ? 1 : 0));
}
