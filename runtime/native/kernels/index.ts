// The native backend's kernel table: one plain-TS kernel per op name, each guarded for empty
// tensors. They are the fallback: a region the fuser compiles runs as WebAssembly instead.
// Ops this backend cannot run would be listed in NATIVE_UNSUPPORTED with the message a user
// sees; test/ops/kernel-coverage.test.ts checks that every op record is in one or the other.
import { guarded, type NativeKernel } from "./common.js";
import { CREATE_KERNELS, RANDOM_KERNELS } from "./create.js";
import { ELEMENTWISE_KERNELS } from "./elementwise.js";
import { LAYOUT_KERNELS } from "./layout.js";
import { LINALG_KERNELS } from "./linalg.js";
import { EMPTY_REDUCTION } from "../../../compiler/ops/reduce.js";
import { REDUCE_KERNELS } from "./reduce.js";
import { SPECTRAL_KERNELS } from "./spectral.js";
import { STENCIL_KERNELS } from "./stencil.js";
import { TRANSFER_KERNELS } from "./transfer.js";
import { INDEXING_KERNELS } from "./indexing.js";

export type { NativeKernel } from "./common.js";

const FAMILIES: Record<string, NativeKernel>[] = [
  ELEMENTWISE_KERNELS,
  REDUCE_KERNELS,
  LINALG_KERNELS,
  CREATE_KERNELS,
  RANDOM_KERNELS,
  STENCIL_KERNELS,
  LAYOUT_KERNELS,
  SPECTRAL_KERNELS,
  TRANSFER_KERNELS,
  INDEXING_KERNELS,
];

export const NATIVE_KERNELS: ReadonlyMap<string, NativeKernel> = new Map(
  FAMILIES.flatMap((family) => Object.entries(family)).map(([name, k]) => [name, guarded(k, EMPTY_REDUCTION[name])]),
);

/** Ops the native backend does not run, with what to do instead. None. */
export const NATIVE_UNSUPPORTED: ReadonlyMap<string, string> = new Map();
