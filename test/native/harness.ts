// Runs a kernel set on the native backend and on the reference interpreter from the same
// inputs, so a test states only the kernel and what agreement it expects.
import type { KernelSet } from "../../compiler/native/kernel-ir.js";
import { NativeProgram } from "../../runtime/native/program.js";
import { newState, type RefState, rng, runKernelRef } from "./reference.js";

export interface Both {
  native: NativeProgram;
  ref: RefState;
}

/**
 * Fills every buffer with seeded values in [lo, hi) (rounded to the buffer's dtype, so both
 * sides start from the same numbers), sets the given scalars, runs `kernels` in order on both.
 */
export function runBoth(
  set: KernelSet,
  kernels: string[],
  o: {
    seed?: number;
    lo?: number;
    hi?: number;
    scalars?: Record<string, number>;
    fill?: Record<string, number[]>;
  } = {},
): Both {
  const native = NativeProgram.compile(set);
  const ref = newState(set);
  const rand = rng(o.seed ?? 1);
  const [lo, hi] = [o.lo ?? -1, o.hi ?? 1];
  for (const b of set.buffers) {
    const view = native.view(b.name);
    const given = o.fill?.[b.name];
    for (let i = 0; i < view.length; i++) view[i] = given ? given[i % given.length] : lo + (hi - lo) * rand();
    ref.buffers.get(b.name)!.set(view);
  }
  for (const [name, v] of Object.entries(o.scalars ?? {})) {
    native.setScalar(name, v);
    ref.scalars.set(name, v);
  }
  for (const k of kernels) {
    native.run(k);
    runKernelRef(set, k, ref);
  }
  return { native, ref };
}
