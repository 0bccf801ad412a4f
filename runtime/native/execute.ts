// A whole run on the native backend: inputs in, the interpreter, exports out (copied, in the
// dtype they were computed in: float64 values stay float64).
import type { FloatDType } from "../../base/dtype.js";
import type { Module } from "../../compiler/ir/ir.js";
import type { TensorT } from "../../compiler/types.js";
import type { ExecutionResult } from "../interpreter.js";
import type { NpyArray } from "../npy.js";
import type { NativeData } from "./array.js";
import type { RegionFuser } from "./fused.js";
import { NativeInterpreter } from "./interpreter.js";
import { storageDType } from "./storage.js";
import type { NativeTensor } from "./tensor.js";

export interface NativeRun {
  result: ExecutionResult<NativeTensor>;
  /** The exports' values, copied out of the run. */
  values: Map<string, { dtype: NpyArray["dtype"]; shape: number[]; data: NativeData }>;
  /** Tensors still alive after the run released everything (0 unless something leaked). */
  live: number;
}

const NPY_DTYPE = { f32: "float32", f64: "float64", i32: "int32", bool: "bool" } as const;

export function runNative(
  module: Module,
  inputs: ReadonlyMap<string, { data: NpyArray; type: TensorT }>,
  o: { precision: FloatDType; fuser: RegionFuser; attach?: (i: NativeInterpreter) => NativeInterpreter },
): NativeRun {
  const made = new NativeInterpreter({ precision: o.precision, fuser: o.fuser });
  const interpreter = o.attach ? o.attach(made) : made;
  const tensors = new Map([...inputs].map(([name, { data, type }]) => [name, interpreter.input(data.data, data.shape, storageDType(type.dtype, o.precision))]));
  try {
    const result = interpreter.run(module, tensors);
    const values = new Map(
      [...result.exports].map(([name, t]) => [name, { dtype: NPY_DTYPE[t.nativeDType], shape: [...t.shape], data: t.dataSync().slice() }]),
    );
    for (const t of new Set(result.exports.values())) t.dispose();
    return { result, values, live: interpreter.memory.numTensors - tensors.size };
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
