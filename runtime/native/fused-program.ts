// A lowered region, instantiated: a FusedRegion whose `call` maps the arguments onto the
// program's memory, runs one kernel and hands back views of the results. In the hot path
// (a driver passing each step's results to the next step) it compares a few array identities,
// writes the scalar arguments into registers, calls the kernel and reads the scalar results:
// no copy, no allocation.
import type { CaptureSlot, LoweredRegion, ParamSlot, ResultSlot } from "../../compiler/native/lower/index.js";
import type { NativeArray, NativeData } from "./array.js";
import type { FusedRegion, Precision } from "./fused.js";
import type { Tally } from "../../compiler/ops/tally.js";
import { tick } from "../drivers/counts.js";
import { NativeProgram, type NativeView } from "./program.js";

type Pair = readonly [NativeView, NativeView];

const SCALAR_ARRAY = {
  f32: () => new Float32Array(1),
  f64: () => new Float64Array(1),
  i32: () => new Int32Array(1),
  bool: () => new Uint8Array(1),
} as const;

/** Milliseconds of each phase of fusing a region (runtime/native/fuse.ts fills them in). */
export interface FusePhases {
  /** IR → kernel set (twice when invariants turned out uniform). */
  lowerMs: number;
  /** Running the init kernel alone to find the invariant tensors with all entries equal. */
  invariantsMs: number;
  codegenMs: number;
  wasmCompileMs: number;
  /** Instantiation, constant data and the init kernel of the final program. */
  instantiateMs: number;
  totalMs: number;
}

export class FusedProgram implements FusedRegion {
  readonly description: string;
  phases?: FusePhases;
  readonly captures: readonly number[];
  readonly program: NativeProgram;
  private readonly kernels: readonly [() => void, () => void];
  private readonly registers: Float64Array;
  /** Per parameter: its register index, its two buffer views, or null (unused). */
  private readonly paramRegs: (number | null)[];
  private readonly paramViews: (Pair | null)[];
  private readonly paramRead: boolean[];
  private readonly captureRegs: (number | null)[];
  private readonly captureViews: (NativeView | null)[];
  private readonly lastCapture: (NativeData | null)[];
  /** Tensor results per variant; scalar results per call parity (two sets, so one survives the next call). */
  private readonly tensorResults: readonly [(NativeArray | null)[], (NativeArray | null)[]];
  private readonly scalarResults: readonly [(NativeArray | null)[], (NativeArray | null)[]];
  private readonly scalarRegs: (number | null)[];
  private readonly outputs: readonly [NativeArray[], NativeArray[]];
  private parity = 0;

  constructor(
    readonly lowered: LoweredRegion,
    readonly precision: Precision,
  ) {
    this.program = NativeProgram.compile(lowered.set);
    for (const d of lowered.data) this.program.view(d.buffer).set(d.values);
    if (lowered.init) this.program.run(lowered.init);
    const p = this.program;
    this.description = `native: ${lowered.summary}`;
    this.captures = lowered.captures.map((c) => c.id);
    this.kernels = [p.kernel(lowered.variants[0]), p.kernel(lowered.variants[1])];
    this.registers = new Float64Array(p.memory.buffer, 0, p.plan.scalars.size);
    const index = (name: string) => p.plan.scalars.get(name)! / 8;
    this.paramRegs = lowered.params.map((s) => (s.kind === "register" ? index(s.register) : null));
    this.paramViews = lowered.params.map((s: ParamSlot) => (s.kind === "buffer" ? [p.view(s.buffers[0]), p.view(s.buffers[1])] : null));
    this.paramRead = lowered.params.map((s) => s.kind === "buffer" && s.read);
    this.captureRegs = lowered.captures.map((s: CaptureSlot) => (s.kind === "register" ? index(s.register) : null));
    this.captureViews = lowered.captures.map((s) => (s.kind === "buffer" ? p.view(s.buffer) : null));
    this.lastCapture = lowered.captures.map(() => null);
    const tensor = (s: ResultSlot, v: 0 | 1): NativeArray | null =>
      s.kind === "buffer" ? { dtype: precision, shape: s.shape, data: p.view(s.buffers[v]) } : null;
    this.tensorResults = [lowered.results.map((s) => tensor(s, 0)), lowered.results.map((s) => tensor(s, 1))];
    const scalar = (s: ResultSlot): NativeArray | null => {
      if (s.kind === "buffer") return null;
      const dtype = s.elem === "float" ? precision : s.elem;
      const data = SCALAR_ARRAY[dtype]();
      if (s.kind === "literal") data[0] = s.value;
      return { dtype, shape: [], data };
    };
    this.scalarResults = [lowered.results.map(scalar), lowered.results.map(scalar)];
    this.scalarRegs = lowered.results.map((s) => (s.kind === "register" ? index(s.register) : null));
    this.outputs = [lowered.results.map(() => null as unknown as NativeArray), lowered.results.map(() => null as unknown as NativeArray)];
  }

  call(args: readonly NativeArray[]): NativeArray[] {
    const nParams = this.paramViews.length;
    if (args.length !== nParams + this.captureViews.length)
      throw new Error(`a fused region takes ${nParams} argument${nParams === 1 ? "" : "s"} and ${this.captureViews.length} captured value${this.captureViews.length === 1 ? "" : "s"}, got ${args.length}`);
    const v = this.variantOf(args);
    // The operator applications the region's `tally` ops stand for (they compute nothing here).
    for (const [what, n] of this.lowered.tallies) tick(what as Tally, n);
    this.copyIn(args, v);
    this.kernels[v]();
    return this.collect(v);
  }

  invalidateCaptures(): void {
    this.lastCapture.fill(null);
  }

  /** The variant whose input buffers hold the arguments already (0 when none does). */
  private variantOf(args: readonly NativeArray[]): 0 | 1 {
    for (let i = 0; i < this.paramViews.length; i++) {
      const pair = this.paramViews[i];
      if (!pair || pair[0] === pair[1]) continue;
      if (args[i].data === pair[1]) return 1;
      if (args[i].data === pair[0]) return 0;
    }
    return 0;
  }

  private copyIn(args: readonly NativeArray[], v: 0 | 1): void {
    let moves: [NativeView, NativeData][] | null = null;
    for (let i = 0; i < this.paramViews.length; i++) {
      const reg = this.paramRegs[i];
      if (reg !== null) {
        this.registers[reg] = args[i].data[0];
        continue;
      }
      const pair = this.paramViews[i];
      if (!pair || !this.paramRead[i]) continue;
      const target = pair[v];
      if (args[i].data !== target) (moves ??= []).push([target, checked(args[i], target, `argument ${i}`)]);
    }
    if (moves) applyMoves(moves, this.program.memory.buffer);
    for (let k = 0; k < this.captureViews.length; k++) {
      const a = args[this.paramViews.length + k];
      const reg = this.captureRegs[k];
      if (reg !== null) {
        this.registers[reg] = a.data[0];
        continue;
      }
      const target = this.captureViews[k];
      if (!target || a.data === this.lastCapture[k]) continue;
      target.set(checked(a, target, `captured value ${k}`));
      this.lastCapture[k] = a.data;
    }
  }

  private collect(v: 0 | 1): NativeArray[] {
    const parity = (this.parity ^= 1);
    const out = this.outputs[parity];
    const tensors = this.tensorResults[v];
    const scalars = this.scalarResults[parity];
    for (let j = 0; j < out.length; j++) {
      const t = tensors[j];
      if (t) {
        out[j] = t;
        continue;
      }
      const s = scalars[j]!;
      const reg = this.scalarRegs[j];
      if (reg !== null) s.data[0] = this.registers[reg];
      out[j] = s;
    }
    return out;
  }
}

function checked(a: NativeArray, target: NativeView, what: string): NativeData {
  if (a.data.length !== target.length)
    throw new Error(`the fused region's ${what} has ${a.data.length} entries (shape [${a.shape.join(", ")}]), ${target.length} expected`);
  return a.data;
}

/**
 * Copies arguments into their buffers. A source that is a view of this memory, overlapping a
 * buffer another copy writes first, is snapshotted before any copy (arguments passed back in
 * other positions than they came out of).
 */
function applyMoves(moves: [NativeView, NativeData][], memory: ArrayBuffer): void {
  if (moves.length > 1) {
    const overlaps = (a: NativeData, b: NativeView) =>
      a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
    for (const m of moves) {
      if (m[1].buffer !== memory) continue;
      if (moves.some((o) => o !== m && overlaps(m[1], o[0]))) m[1] = m[1].slice();
    }
  }
  for (const [target, source] of moves) target.set(source);
}
