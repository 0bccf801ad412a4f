// Native kernels of the multigrid grid transfers and the red–black colouring
// (compiler/ops/multigrid.ts holds their meaning): full weighting R and bilinear
// prolongation P = 4 Rᵀ, both with the weights [1 2 1; 2 4 2; 1 2 1].
import { CELL_TAPS, ghostSign, indexSums, parityValues } from "../../../compiler/ops/multigrid.js";
import { input, type NativeKernel, output } from "./common.js";

const FW = [1, 2, 1, 2, 4, 2, 1, 2, 1];

/** (R u)[i, j] = Σ FW[a, b] u[2i + a, 2j + b] / 16 on each grid of the last two axes (zero beyond an even grid's end). */
const restrictFw: NativeKernel = (ctx, inputs, _s, out) => {
  const u = input(inputs, 0);
  const [n, k] = u.shape.slice(-2);
  const [m, l] = out.shape.slice(-2);
  const y = output(ctx, out);
  for (let g = 0; g < u.data.length / (n * k); g++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < l; j++) {
        let acc = 0;
        // An even size 2m has its last point's neighbour outside: the zero boundary.
        for (let a = 0; a < 3; a++)
          for (let b = 0; b < 3; b++) {
            const [r, q] = [2 * i + a, 2 * j + b];
            if (r < n && q < k) acc += FW[a * 3 + b] * u.data[g * n * k + r * k + q];
          }
        y.data[g * m * l + i * l + j] = acc / 16;
      }
  return y;
};

/** P v = 4 Rᵀ v: each coarse value spread onto its nine fine neighbours with weights FW / 4. */
const prolongBilinear: NativeKernel = (ctx, inputs, _s, out) => {
  const v = input(inputs, 0);
  const [m, l] = v.shape.slice(-2);
  const [n, k] = out.shape.slice(-2);
  const fine = new Float64Array(out.shape.reduce((p, d) => p * d, 1));
  for (let g = 0; g < v.data.length / (m * l); g++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < l; j++) {
        const c = v.data[g * m * l + i * l + j] / 4;
        for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) fine[g * n * k + (2 * i + a) * k + 2 * j + b] += FW[a * 3 + b] * c;
      }
  const y = output(ctx, out);
  y.data.set(fine);
  return y;
};

/** P v onto u's grid: the (2m+1)×(2m+1) prolongation, its last row and column dropped for an even 2m×2m grid. */
const prolongTo: NativeKernel = (ctx, inputs, _s, out) => {
  const v = input(inputs, 0);
  const [m, l] = v.shape.slice(-2);
  const [n, k] = out.shape.slice(-2);
  const y = output(ctx, out);
  const fine = new Float64Array(y.data.length);
  for (let g = 0; g < v.data.length / (m * l); g++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < l; j++) {
        const c = v.data[g * m * l + i * l + j] / 4;
        for (let a = 0; a < 3; a++)
          for (let b = 0; b < 3; b++) {
            const [r, q] = [2 * i + a, 2 * j + b];
            if (r < n && q < k) fine[g * n * k + r * k + q] += FW[a * 3 + b] * c;
          }
      }
  y.data.set(fine);
  return y;
};

/**
 * The cell-centred prolongation along one axis: fine index q reads coarse i = q >> 1 with
 * weight ¾ and its neighbour toward q's side with ¼ — beyond an edge, the ghost: the edge cell
 * itself times the boundary's sign.
 */
function cellParents(q: number, m: number, sign: number): [number, number, number] {
  const i = q >> 1;
  const other = q % 2 === 0 ? i - 1 : i + 1;
  return other < 0 || other >= m ? [i, i, sign * CELL_TAPS[0]] : [i, other, CELL_TAPS[0]];
}

/** P v: per axis ¾ of the parent and ¼ of its neighbour (compiler/ops/multigrid.ts), each 2D grid of the batch. */
const prolongCc: NativeKernel = (ctx, inputs, statics, out) => {
  const v = input(inputs, 0);
  const [m, l] = v.shape.slice(-2);
  const [n, k] = out.shape.slice(-2);
  const [near, sign] = [CELL_TAPS[1], ghostSign(statics.boundary)];
  const y = output(ctx, out);
  for (let g = 0; g < v.data.length / (m * l); g++)
    for (let r = 0; r < n; r++) {
      const [i0, i1, fi] = cellParents(r, m, sign);
      for (let q = 0; q < k; q++) {
        const [j0, j1, fj] = cellParents(q, l, sign);
        const at = (i: number, j: number) => v.data[g * m * l + i * l + j];
        y.data[g * n * k + r * k + q] = near * (near * at(i0, j0) + fj * at(i0, j1)) + fi * (near * at(i1, j0) + fj * at(i1, j1));
      }
    }
  return y;
};

/** R u = Pᵀ u / 4: each fine value spread back onto the coarse cells P read it from. */
const restrictCc: NativeKernel = (ctx, inputs, statics, out) => {
  const u = input(inputs, 0);
  const [n, k] = u.shape.slice(-2);
  const [m, l] = out.shape.slice(-2);
  const [near, sign] = [CELL_TAPS[1], ghostSign(statics.boundary)];
  const coarse = new Float64Array(out.shape.reduce((p, d) => p * d, 1));
  for (let g = 0; g < u.data.length / (n * k); g++)
    for (let r = 0; r < n; r++) {
      const [i0, i1, fi] = cellParents(r, m, sign);
      for (let q = 0; q < k; q++) {
        const [j0, j1, fj] = cellParents(q, l, sign);
        const f = u.data[g * n * k + r * k + q] / 4;
        const base = g * m * l;
        coarse[base + i0 * l + j0] += near * near * f;
        coarse[base + i0 * l + j1] += near * fj * f;
        coarse[base + i1 * l + j0] += fi * near * f;
        coarse[base + i1 * l + j1] += fi * fj * f;
      }
    }
  const y = output(ctx, out);
  y.data.set(coarse);
  return y;
};

export const TRANSFER_KERNELS: Record<string, NativeKernel> = {
  restrict_cc: restrictCc,
  prolong_cc: prolongCc,
  restrict_fw: restrictFw,
  prolong_bilinear: prolongBilinear,
  prolong_to: prolongTo,
  wavefront: (ctx, _inputs, _s, out) => {
    const y = output(ctx, out);
    y.data.set(indexSums(out.shape));
    return y;
  },
  parity: (ctx, _inputs, _s, out) => {
    const y = output(ctx, out);
    y.data.set(parityValues(out.shape));
    return y;
  },
};
