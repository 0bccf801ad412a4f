// NumPy .npy bytes for users of the library, as plain typed arrays. runtime/npy.ts does the
// work; its types are restated here so that the public declarations never reach the module,
// which also speaks of tfjs tensors.
import * as npy from "../npy.js";
import type { DType, TensorData } from "./types.js";

export interface NpyArray {
  dtype: DType;
  /** C (row-major) order; [] for a scalar. */
  shape: number[];
  /** bool values are 0/1 bytes. */
  data: TensorData;
}

/** The array in a .npy file's bytes (float64 kept as float64, int64 read as int32 when it fits). */
export function readNpy(bytes: Uint8Array): NpyArray {
  return npy.readNpy(bytes);
}

/** A .npy file's bytes for the array. */
export function writeNpy(array: NpyArray): Uint8Array {
  return npy.writeNpy(array);
}
