// A region fuser for tests: it "compiles" a region by running its ops on the native plain-TS
// kernels at call time, and hands its results back as views of buffers it reuses on every call,
// as a WebAssembly region's memory does (valid until the next call). A run with it must give
// exactly what the unfused run gives: if the interpreter kept a view past the region's next call
// without copying it out, the overwritten values would show.
import type { Region } from "../../compiler/ir/ir.js";
import { freeInRegion } from "../../compiler/ir/free.js";
import type { ConcreteStatic } from "../../compiler/ops/index.js";
import { concreteShape } from "../../compiler/types.js";
import type { NativeArray, NativeData } from "../../runtime/native/array.js";
import type { FusedRegion, Precision, RegionFuser } from "../../runtime/native/fused.js";
import { NATIVE_KERNELS } from "../../runtime/native/kernels/index.js";
import { converted, newData, storageDType } from "../../runtime/native/storage.js";

export interface ViewFuser extends RegionFuser {
  /** Calls of fused regions so far. */
  calls: number;
  /** Regions compiled. */
  compiled: number;
}

const ctx = { alloc: (dtype: NativeArray["dtype"], n: number) => newData(dtype, n) };

function evaluate(region: Region, precision: Precision, args: readonly NativeArray[]): NativeArray[] {
  const env = new Map<number, NativeArray>();
  const captured = [...freeInRegion(region)];
  region.params.forEach((p, i) => env.set(p.id, args[i]));
  captured.forEach((id, i) => env.set(id, args[region.params.length + i]));
  for (const op of region.ops) {
    const type = op.outputs[0].type;
    const out = { shape: concreteShape(type.shape), dtype: storageDType(type.dtype, precision) };
    if (op.kind === "const") env.set(op.outputs[0].id, { ...out, data: converted([op.value].flat(Infinity as 1) as number[], out.dtype) });
    else if (op.kind === "builtin") env.set(op.outputs[0].id, NATIVE_KERNELS.get(op.opcode)!(ctx, op.inputs.map((v) => env.get(v.id)!), op.statics as Record<string, ConcreteStatic>, out));
    else throw new Error(`the view fuser cannot run a \`${op.kind}\` op`);
  }
  return region.results.map((r) => env.get(r.id)!);
}

/** Refuses regions with an iterative construct inside (and any `refuse` names). */
export function viewFuser(refuse: (region: Region) => string | undefined = () => undefined): ViewFuser {
  const fuser = ((region: Region, precision: Precision) => {
    const why = refuse(region) ?? (region.ops.some((op) => op.kind !== "builtin" && op.kind !== "const") ? "it has an iterative construct inside" : undefined);
    if (why) return { ok: false, refused: why };
    fuser.compiled++;
    const buffers: NativeData[] = [];
    const fused: FusedRegion = {
      description: "test: op by op into reused buffers",
      captures: [...freeInRegion(region)],
      call(args) {
        fuser.calls++;
        // copied before any buffer is written: a result may be an argument that is a buffer
        const results = evaluate(region, precision, args).map((r) => ({ ...r, data: r.data.slice() }));
        return results.map((r, i) => {
          if (!buffers[i] || buffers[i].length !== r.data.length) buffers[i] = newData(r.dtype, r.data.length);
          buffers[i].set(r.data);
          return { dtype: r.dtype, shape: r.shape, data: buffers[i] };
        });
      },
    };
    return { ok: true as const, region: fused };
  }) as ViewFuser;
  fuser.calls = 0;
  fuser.compiled = 0;
  return fuser;
}
