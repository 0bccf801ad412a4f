// A guard around the wasm backend's BatchMatMul kernel.
//
// tfjs-backend-wasm (4.x, batch_mat_mul_impl.cc) runs an unbatched, untransposed product through
// an XNNPACK fully-connected operator that it caches under the id of the right operand's data,
// keyed by (b_id, bias_id, activation) — not by the operand's shape — and reuses for any later
// product whose right operand shares that data. A reshape shares data, so the same tensor used
// as the right operand in two shapes (`M @ B` and `row @ reshape(B, 64, 1)`; GMRES's basis
// vectors, see runtime/drivers/gmres.ts) reuses an operator built for the other shape, which
// reads and writes past its buffers: `Aborted()`, `memory access out of bounds`, or wrong
// numbers. The guard remembers the shape each right operand was first used with and, when the
// same data comes back in another shape, hands the kernel a copy, whose own id caches nothing
// stale. The copy costs one pass over the operand, only in that case.
import type * as tfc from "@tensorflow/tfjs-core";
import type { Tf } from "./kernels/common.js";

/** What the guard needs of the wasm backend object. */
interface WasmBackendLike {
  readSync(dataId: object): tfc.backend_util.BackendValues;
  write(values: tfc.backend_util.BackendValues, shape: number[], dtype: tfc.DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
}

let installed = false;

const product = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

/** Whether the wasm kernel takes its cached XNNPACK path for these operands. */
function cachedPath(a: tfc.TensorInfo, b: tfc.TensorInfo, attrs: { transposeA?: boolean; transposeB?: boolean }): boolean {
  return !attrs.transposeA && !attrs.transposeB && product(a.shape.slice(0, -2)) === 1 && product(b.shape.slice(0, -2)) === 1;
}

/** Replaces the registered wasm BatchMatMul by the guarded one; once per process. */
export function guardWasmMatMul(tf: Tf): void {
  if (installed) return;
  const original = tf.getKernel(tf.BatchMatMul, "wasm");
  if (!original) return;
  installed = true;
  const channels = new WeakMap<object, string>();
  const kernelFunc: tfc.KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: tfc.TensorInfo; b: tfc.TensorInfo };
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
    if (!cachedPath(a, b, attrs)) return original.kernelFunc(args);
    const key = b.shape.slice(-2).join("x");
    const first = channels.get(b.dataId);
    if (first === undefined) channels.set(b.dataId, key);
    if (first === undefined || first === key) return original.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const copyId = backend.write(backend.readSync(b.dataId), b.shape, b.dtype);
    try {
      return original.kernelFunc({ ...args, inputs: { a, b: { dataId: copyId as tfc.DataId, shape: b.shape, dtype: b.dtype } } });
    } finally {
      backend.disposeData(copyId, true);
    }
  };
  tf.unregisterKernel(tf.BatchMatMul, "wasm");
  tf.registerKernel({ ...original, kernelFunc });
}
