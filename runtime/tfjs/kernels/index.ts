// The tfjs backend's kernel table: one kernel per op name, each run inside `tf.tidy` with its
// result cast to the declared dtype. Ops this backend cannot run would be listed in
// TFJS_UNSUPPORTED with the message a user sees; test/ops/kernel-coverage.test.ts checks that
// every op record is in one or the other.
import { CREATE_KERNELS } from "./create.js";
import { ELEMENTWISE_KERNELS } from "./elementwise.js";
import { LAYOUT_KERNELS } from "./layout.js";
import { LINALG_KERNELS } from "./linalg.js";
import { RANDOM_KERNELS } from "./random.js";
import { EMPTY_REDUCTION } from "../../../compiler/ops/reduce.js";
import { REDUCE_KERNELS } from "./reduce.js";
import { SPECTRAL_KERNELS } from "./spectral.js";
import { STENCIL_KERNELS } from "./stencil.js";
import { TAKE_KERNELS } from "./take.js";
import { TALLY_KERNELS } from "./tally.js";
import { TRANSFER_KERNELS } from "./transfer.js";
import { tidyKernel, type TfjsKernel } from "./common.js";

export type { TfjsKernel } from "./common.js";

const FAMILIES: Record<string, TfjsKernel>[] = [
  ELEMENTWISE_KERNELS,
  REDUCE_KERNELS,
  LINALG_KERNELS,
  CREATE_KERNELS,
  RANDOM_KERNELS,
  STENCIL_KERNELS,
  LAYOUT_KERNELS,
  SPECTRAL_KERNELS,
  TRANSFER_KERNELS,
  TAKE_KERNELS,
  TALLY_KERNELS,
];

export const TFJS_KERNELS: ReadonlyMap<string, TfjsKernel> = new Map(
  FAMILIES.flatMap((family) => Object.entries(family)).map(([name, k]) => [name, tidyKernel(k, EMPTY_REDUCTION[name])]),
);

/** Ops the tfjs backends do not run, with what to do instead. None today. */
export const TFJS_UNSUPPORTED: ReadonlyMap<string, string> = new Map();
