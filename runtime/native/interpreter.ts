// The native execution backend: the shared walk (runtime/interpreter.ts) with plain-TS kernels
// for every op (runtime/native/kernels) in float32 or float64, and the region fuser's compiled
// regions where it gives them. For each region a construct's driver calls, the fuser is asked
// once; a region it compiles runs as one call, any other runs op by op; each report says which.
//
// A fused region takes its parameters' values followed by the values it captures, in the order
// of its `captures`. Its results may be views into its own memory,
// valid until its next call, so before calling it again the interpreter copies out every such
// view still held (a driver's previous state, kept for a rollback).
import type { Attr, BuiltinOp, ConstOp, ConstructOp, Module, Region } from "../../compiler/ir/ir.js";
import { namedRegions } from "../../compiler/ir/ir.js";
import type { ConcreteStatic } from "../../compiler/ops/index.js";
import { concreteShape } from "../../compiler/types.js";
import { InternalError } from "../../base/diagnostics.js";
import { type ExecutionResult, type Inputs, Interpreter } from "../interpreter.js";
import type { Env } from "../release.js";
import type { NativeArray } from "./array.js";
import { NativeTensorApi } from "./facade.js";
import type { FusedRegion, FuseResult, Precision, RegionFuser } from "./fused.js";
import { NATIVE_KERNELS } from "./kernels/index.js";
import { moduleConstants } from "./module-constants.js";
import { NO_FUSER_REASON, refusingFuser } from "./refusing-fuser.js";
import { converted, dataDType, storageDType } from "./storage.js";
import { NativeMemory, type NativeTensor, type Storage } from "./tensor.js";

export interface NativeOptions {
  /** The storage of `f32` values (default f32); `f64` values are float64 either way. */
  precision?: Precision;
  /** Compiles regions to WebAssembly; default: one that refuses every region. */
  fuser?: RegionFuser;
  /** The tensors' bookkeeping; give one to create inputs in it beforehand. */
  memory?: NativeMemory;
}

/** What the fuser said about a region, and the views of its last call still to be copied out. */
interface RegionState {
  result: FuseResult;
  views: Storage[];
}

export class NativeInterpreter extends Interpreter<NativeTensor> {
  readonly name: string;
  readonly precision: Precision;
  readonly memory: NativeMemory;
  protected readonly tf: NativeTensorApi;
  private readonly fuser: RegionFuser;
  private readonly regions = new Map<Region, RegionState>();
  /** The module's const ops by value id, for the fuser (captured literals compile as literals). */
  private constants: ReadonlyMap<number, Attr> = new Map();

  constructor(options: NativeOptions = {}) {
    super();
    this.precision = options.precision ?? "f32";
    this.memory = options.memory ?? new NativeMemory();
    this.tf = new NativeTensorApi(this.memory, this.precision);
    this.fuser = options.fuser ?? refusingFuser;
    this.name = `native-${this.precision}`;
  }

  override run(module: Module, inputs: Inputs<NativeTensor>): ExecutionResult<NativeTensor> {
    this.constants = moduleConstants(module);
    return super.run(module, inputs);
  }

  /** A native tensor of the given data (an input), converted to the storage of `dtype`. */
  input(data: ArrayLike<number>, shape: readonly number[], dtype: NativeArray["dtype"]): NativeTensor {
    return this.memory.keep(this.memory.tensor(dtype, shape, converted(data, dtype)));
  }

  protected constant(op: ConstOp): NativeTensor {
    const out = op.outputs[0].type;
    const flat = [op.value].flat(Infinity as 1) as number[];
    return this.memory.tensor(storageDType(out.dtype, this.precision), concreteShape(out.shape), converted(flat, storageDType(out.dtype, this.precision)));
  }

  protected builtin(op: BuiltinOp, args: NativeTensor[]): NativeTensor {
    const kernel = NATIVE_KERNELS.get(op.opcode);
    if (!kernel) throw new InternalError(`the native backend has no kernel for \`${op.opcode}\``);
    const type = op.outputs[0].type;
    const out = { shape: concreteShape(type.shape), dtype: storageDType(type.dtype, this.precision) };
    const result = kernel(this.memory, args.map((a) => a.array), op.statics as Record<string, ConcreteStatic>, out);
    const source = args.find((a) => a.data === result.data);
    return source ? this.memory.tensor(result.dtype, result.shape, source.storage) : this.memory.fromArray(result);
  }

  protected bytesInUse(): number {
    return this.memory.numBytes;
  }

  protected override regionFunction(region: Region, env: Env<NativeTensor>, inputs: Inputs<NativeTensor>): (...xs: NativeTensor[]) => NativeTensor[] {
    const state = this.stateOf(region);
    if (!state.result.ok) return super.regionFunction(region, env, inputs);
    const fused = state.result.region;
    // A new run of the construct: its captured values may sit in the arrays of the last run's.
    fused.invalidateCaptures?.();
    return (...xs) => this.callFused(state, fused, [...xs, ...fused.captures.map((id) => env.get(id))]);
  }

  private stateOf(region: Region): RegionState {
    let state = this.regions.get(region);
    if (!state) this.regions.set(region, (state = { result: this.fuser(region, this.precision, { constants: this.constants }), views: [] }));
    return state;
  }

  /** One call of a fused region; its results are tensors (views of its memory, or shared arguments). */
  private callFused(state: RegionState, fused: FusedRegion, args: NativeTensor[]): NativeTensor[] {
    for (const s of state.views) if (s.holders > 0) this.detach(s);
    state.views = [];
    const results = fused.call(args.map((a) => a.array));
    return results.map((r) => {
      const arg = args.find((a) => a.data === r.data);
      if (arg) return this.memory.tensor(r.dtype, r.shape, arg.storage);
      const t = this.memory.fromArray(r, fused);
      state.views.push(t.storage);
      return t;
    });
  }

  /** Copies a view out of a fused region's memory into an array of the run's own. */
  private detach(s: Storage): void {
    const copy = this.memory.alloc(dataDType(s.data), s.data.length);
    copy.set(s.data);
    s.data = copy;
    s.owner = undefined;
  }

  /** `native f64: op by op (plain TS)`, or which regions ran fused. */
  protected engineOf(op: ConstructOp): string {
    const asked = namedRegions(op).flatMap(([role, r]) => {
      const state = this.regions.get(r);
      return state ? [{ role, result: state.result }] : [];
    });
    const fused = asked.flatMap((a) => (a.result.ok ? [`${a.role} (${a.result.region.description})`] : []));
    const plain = asked.flatMap((a) => (a.result.ok ? [] : [a.result.refused === NO_FUSER_REASON ? a.role : `${a.role} (${a.result.refused})`]));
    const base = `native ${this.precision}`;
    if (fused.length === 0) return `${base}: op by op (plain TS)${plain.some((p) => p.includes("(")) ? `: ${plain.join(", ")}` : ""}`;
    return `${base}: fused ${fused.join(", ")}${plain.length ? `; op by op: ${plain.join(", ")}` : ""}`;
  }
}

