// One function body under construction: its locals and its instruction stream. The helpers
// write bytes only; the engine validates the stack discipline when the module is compiled,
// and the tests compile every construct the code generator emits.
import { ByteWriter } from "./bytes.js";
import { BLOCK_EMPTY, Op, Simd, type SimdOp, ValType } from "./opcodes.js";

export interface Local {
  readonly index: number;
  readonly type: ValType;
}

/** A memory access width: the scalar types and a whole v128. */
export type MemType = "i32" | "f32" | "f64" | "v128";

const LOAD: Record<MemType, [number, number]> = {
  i32: [Op.i32Load, 2],
  f32: [Op.f32Load, 2],
  f64: [Op.f64Load, 3],
  v128: [-1, 4],
};
const STORE: Record<MemType, [number, number]> = {
  i32: [Op.i32Store, 2],
  f32: [Op.f32Store, 2],
  f64: [Op.f64Store, 3],
  v128: [-1, 4],
};

export class FunctionCode {
  readonly body = new ByteWriter();
  private readonly localTypes: ValType[] = [];

  constructor(
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
  ) {}

  /** The i-th parameter as a local. */
  param(i: number): Local {
    return { index: i, type: this.params[i] };
  }

  /** A fresh local of the given type. */
  local(type: ValType): Local {
    this.localTypes.push(type);
    return { index: this.params.length + this.localTypes.length - 1, type };
  }

  op(code: number): this {
    this.body.byte(code);
    return this;
  }

  simd(code: SimdOp): this {
    this.body.byte(Op.simdPrefix).u32(code);
    return this;
  }

  /** A SIMD lane instruction (extract/replace) with its lane index immediate. */
  lane(code: SimdOp, laneIndex: number): this {
    this.simd(code);
    this.body.byte(laneIndex);
    return this;
  }

  /** i8x16.shuffle with its 16 lane selectors. */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16) throw new Error("internal error: i8x16.shuffle needs 16 lanes");
    this.simd(Simd.i8x16Shuffle);
    this.body.bytes(lanes);
    return this;
  }

  i32(value: number): this {
    this.body.byte(Op.i32Const).s32(value);
    return this;
  }

  f32(value: number): this {
    this.body.byte(Op.f32Const).f32(value);
    return this;
  }

  i64(value: number): this {
    this.body.byte(Op.i64Const).s32(value);
    return this;
  }

  /** i64.trunc_sat_f64_s: no trap on NaN or overflow (NaN gives 0). */
  i64TruncSatF64(): this {
    this.body.byte(Op.miscPrefix).u32(6);
    return this;
  }

  f64(value: number): this {
    this.body.byte(Op.f64Const).f64(value);
    return this;
  }

  /** v128.const with its 16 bytes (little-endian lanes). */
  v128(bytes: readonly number[]): this {
    if (bytes.length !== 16) throw new Error("internal error: v128.const needs 16 bytes");
    this.simd(Simd.v128Const);
    this.body.bytes(bytes);
    return this;
  }

  get(l: Local): this {
    this.body.byte(Op.localGet).u32(l.index);
    return this;
  }

  set(l: Local): this {
    this.body.byte(Op.localSet).u32(l.index);
    return this;
  }

  tee(l: Local): this {
    this.body.byte(Op.localTee).u32(l.index);
    return this;
  }

  /** A load at (address on the stack) + offset; the alignment hint is the natural one. */
  load(type: MemType, offset: number): this {
    const [code, align] = LOAD[type];
    if (type === "v128") this.simd(Simd.v128Load);
    else this.op(code);
    this.body.u32(align).u32(offset);
    return this;
  }

  /** A store of (value on top) to (address below it) + offset. */
  store(type: MemType, offset: number): this {
    const [code, align] = STORE[type];
    if (type === "v128") this.simd(Simd.v128Store);
    else this.op(code);
    this.body.u32(align).u32(offset);
    return this;
  }

  /** Loads one scalar and splats it to every lane (v128.load32_splat / load64_splat). */
  loadSplat(bytes: 4 | 8, offset: number): this {
    this.simd(bytes === 4 ? Simd.v128Load32Splat : Simd.v128Load64Splat);
    this.body.u32(bytes === 4 ? 2 : 3).u32(offset);
    return this;
  }

  /** Opens a block, loop or if; `result` is its block type (none by default). */
  begin(kind: "block" | "loop" | "if", result?: ValType): this {
    this.op(kind === "block" ? Op.block : kind === "loop" ? Op.loop : Op.if);
    this.body.byte(result ?? BLOCK_EMPTY);
    return this;
  }

  else(): this {
    return this.op(Op.else);
  }

  end(): this {
    return this.op(Op.end);
  }

  br(depth: number): this {
    this.body.byte(Op.br).u32(depth);
    return this;
  }

  brIf(depth: number): this {
    this.body.byte(Op.brIf).u32(depth);
    return this;
  }

  call(funcIndex: number): this {
    this.body.byte(Op.call).u32(funcIndex);
    return this;
  }

  /**
   * A do-while loop: `body` runs, then `condition` pushes an i32, and the loop repeats while
   * it is non-zero. Callers emit it only when the body must run at least once.
   */
  doWhile(body: () => void, condition: () => void): this {
    this.begin("loop");
    body();
    condition();
    this.brIf(0);
    return this.end();
  }

  /** `if (cond) then else other`, with `cond` already on the stack. */
  ifElse(then: () => void, other?: () => void, result?: ValType): this {
    this.begin("if", result);
    then();
    if (other) {
      this.else();
      other();
    }
    return this.end();
  }

  /** The function body as the code section wants it: locals (run-length coded), code, end. */
  encode(): ByteWriter {
    const out = new ByteWriter();
    const runs: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    out.u32(runs.length);
    for (const [count, type] of runs) out.u32(count).byte(type);
    const code = this.body.finish();
    out.bytes(code);
    out.byte(Op.end);
    return out;
  }
}

export { ValType };
