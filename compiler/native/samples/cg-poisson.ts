// Conjugate gradients on the 2-D Poisson problem as a kernel set: what the IR-to-native
// lowering should produce for stdlib/krylov.iter's cg_step with A = stencil5(u, 4, -1), and
// the kernels the tests and bench/native run. Two passes over memory per iteration:
//
//   direction: p = r + β p   (stage 0)        update: α = rz / pq
//              q = A p       (stage 1, one           x = x + α p
//              pq = p·q       row behind)            r = r − α q,  rr = r·r
//                                                    β = rr / rz,  rz = rr
//
// The p update of the next iteration is rotated to the front of this one so that it can run
// in the same pass as the stencil that reads it (one row behind, so the stencil's lower
// neighbour row is already new). α and β are guarded as in krylov.iter (0 when the
// denominator is not positive), so a breakdown leaves the iterate unchanged.
import {
  add,
  compare,
  div,
  dot,
  fold,
  let_,
  lit,
  loop,
  mul,
  read,
  reg,
  scalars,
  select,
  stagedLoop,
  stencil5,
  store,
  sub,
  temp,
} from "../build.js";
import type { DType, KernelSet } from "../kernel-ir.js";

/** Buffer and register names, for drivers. */
export const CG = {
  x: "x",
  r: "r",
  p: "p",
  q: "q",
  rz: "rz",
  pq: "pq",
  alpha: "alpha",
  beta: "beta",
  rr: "rr",
} as const;

/** A guarded quotient: num / den when den > 0, else 0. */
const guarded = (num: string, den: string) => select(compare("gt", reg(den), 0), div(reg(num), reg(den)), 0);

/**
 * Kernels `start` (p = 0, β = 0, rz = r·r; the driver fills r = b − A x first), `direction`
 * and `update`, on an n × n grid.
 */
export function cgPoissonKernels(dtype: DType, n: number): KernelSet {
  const shape = [n, n];
  return {
    buffers: ["x", "r", "p", "q"].map((name) => ({ name, dtype, shape })),
    scalars: ["rz", "pq", "alpha", "beta", "rr"].map((name) => ({ name })),
    kernels: [
      {
        name: "start",
        steps: [loop(dtype, shape, [store("p", lit(0)), fold("sumsq", "rz", read("r"))]), scalars(["beta", 0])],
      },
      {
        name: "direction",
        steps: [
          stagedLoop(dtype, shape, [
            { rowLag: 0, body: [store("p", add(read("r"), mul(reg("beta"), read("p"))))] },
            {
              rowLag: 1,
              body: [let_("Ap", stencil5("p", 4, -1)), store("q", temp("Ap")), dot("pq", read("p"), temp("Ap"))],
            },
          ]),
        ],
      },
      {
        name: "update",
        steps: [
          scalars(["alpha", guarded("rz", "pq")]),
          loop(dtype, shape, [
            store("x", add(read("x"), mul(reg("alpha"), read("p")))),
            let_("r1", sub(read("r"), mul(reg("alpha"), read("q")))),
            store("r", temp("r1")),
            fold("sumsq", "rr", temp("r1")),
          ]),
          scalars(["beta", guarded("rr", "rz")], ["rz", reg("rr")]),
        ],
      },
    ],
  };
}
