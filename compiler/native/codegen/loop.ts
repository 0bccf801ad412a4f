// A loop step becomes one Wasm function (each hot loop its own function, so the engine
// optimises it alone). Two shapes of code:
//
// Flat (one stage, no stencil offsets): the lanes are one run over all elements: an
// unrolled simd main loop (UNROLL vectors per trip), then up to UNROLL-1 vectors and up to
// LANES-1 scalar lanes, straight-line (the counts are known at compile time).
//
// Grid (stencils or stages): row by row, see grid.ts.
import { hasParity, stageReach, stmtExprs, walkExpr } from "../analysis.js";
import { emitGrid, type RowEmitter } from "./grid.js";
import { BYTES, elementCount, type LaneStmt, type LoopStep } from "../kernel-ir.js";
import { FunctionCode, type Local } from "../wasm/code.js";
import { Op, ValType } from "../wasm/opcodes.js";
import { type Addressing, addressing } from "./addressing.js";
import { type CodegenContext, registerAddress } from "./context.js";
import { emitExpr } from "./expr.js";
import { laneType, type LaneEnv, ScratchLocals } from "./lane-env.js";
import { LANES, type Mode, SPLAT, VALTYPE } from "./opcode-tables.js";
import {
  type Accumulator,
  createAccumulator,
  emitReduce,
  finishAccumulator,
  initAccumulator,
  type ReduceStmt,
} from "./reduce.js";

/** Vectors per trip of the main simd loop: two independent chains hide add latency. */
export const UNROLL = 2;

export function emitLoopFunction(loop: LoopStep, ctx: CodegenContext): FunctionCode {
  return new LoopEmitter(loop, ctx).emit();
}

class LoopEmitter implements RowEmitter {
  readonly f = new FunctionCode([], []);
  readonly scratch = new ScratchLocals(this.f);
  readonly size: number;
  private readonly lanes: number;
  private readonly registers = { simd: new Map<string, Local>(), scalar: new Map<string, Local>() };
  private readonly accumulators = new Map<LaneStmt, Accumulator>();
  /** Per stage and mode, the locals of `let` temporaries. */
  private readonly temps: { simd: Map<string, Local>; scalar: Map<string, Local> }[];

  constructor(
    readonly loop: LoopStep,
    readonly ctx: CodegenContext,
  ) {
    this.size = BYTES[loop.dtype];
    this.lanes = LANES[loop.dtype];
    this.temps = loop.stages.map(() => ({ simd: new Map(), scalar: new Map() }));
  }

  emit(): FunctionCode {
    const { f, loop } = this;
    this.hoistRegisters();
    for (const stage of loop.stages) {
      for (const st of stage.body) {
        if (st.kind !== "reduce") continue;
        const acc = createAccumulator(f, st, UNROLL);
        initAccumulator(f, loop.dtype, acc);
        this.accumulators.set(st, acc);
      }
    }
    const reach = loop.stages.map(stageReach);
    // A rank ≥ 2 loop that computes the red–black colour runs row by row (the colour needs the row).
    const flat =
      loop.stages.length === 1 &&
      reach[0].up + reach[0].down + reach[0].left + reach[0].right === 0 &&
      !(loop.shape.length >= 2 && hasParity(loop));
    if (flat) {
      const ptr = f.local(ValType.i32);
      f.i32(0).set(ptr);
      this.emitRun(0, elementCount(loop.shape), ptr, 0, 0);
    } else emitGrid(this, reach);
    for (const [st, acc] of this.accumulators) {
      finishAccumulator(f, loop.dtype, acc, registerAddress(this.ctx, (st as ReduceStmt).reg));
    }
    return f;
  }

  /** Loads each register the loop reads once, converted to dtype, and splats it. */
  private hoistRegisters(): void {
    const { f, loop } = this;
    const names = new Set<string>();
    for (const stage of loop.stages) {
      for (const st of stage.body)
        for (const root of stmtExprs(st)) for (const e of walkExpr(root)) if (e.kind === "scalar") names.add(e.reg);
    }
    for (const name of names) {
      const scalar = f.local(VALTYPE[loop.dtype]);
      const simd = f.local(ValType.v128);
      f.i32(0).load("f64", registerAddress(this.ctx, name));
      if (loop.dtype === "f32") f.op(Op.f32DemoteF64);
      f.tee(scalar).simd(SPLAT[loop.dtype]).set(simd);
      this.registers.scalar.set(name, scalar);
      this.registers.simd.set(name, simd);
    }
  }

  /** Emits every statement of stage `s` for one lane (or one vector of lanes). */
  emitBody(s: number, at: Addressing, chunk: number): void {
    const mode: Mode = at.mode;
    const temps = this.temps[s][mode];
    // Each (buffer, offset) is loaded once per lane: later reads reuse the value until a
    // store to that buffer (the engine does not reliably merge loads from linear memory).
    const loaded = new Map<string, { buffer: string; local: Local }>();
    const type = laneType(mode, this.loop.dtype);
    const env: LaneEnv = {
      f: this.f,
      mode,
      dtype: this.loop.dtype,
      read: (e) => {
        const key = `${e.buffer}@${e.offset?.join(",") ?? "0,0"}`;
        const cached = loaded.get(key);
        if (cached) {
          this.f.get(cached.local);
          return;
        }
        at.read(e);
        const local = this.scratch.take(type);
        this.f.tee(local);
        loaded.set(key, { buffer: e.buffer, local });
      },
      temps,
      register: (name) => {
        const l = this.registers[mode].get(name);
        if (!l) throw new Error(`internal error: register \`${name}\` was not hoisted`);
        this.f.get(l);
      },
      host: this.ctx.host,
      scratch: this.scratch,
      parity: () => at.parity(),
    };
    for (const st of this.loop.stages[s].body) {
      switch (st.kind) {
        case "let": {
          emitExpr(env, st.expr);
          let l = temps.get(st.name);
          if (!l) temps.set(st.name, (l = this.f.local(laneType(mode, this.loop.dtype))));
          this.f.set(l);
          break;
        }
        case "store":
          at.storeAddress();
          emitExpr(env, st.expr);
          at.storeTo(st.buffer);
          for (const [key, entry] of loaded) {
            if (entry.buffer !== st.buffer) continue;
            loaded.delete(key);
            this.scratch.give(entry.local);
          }
          break;
        case "reduce": {
          const acc = this.accumulators.get(st);
          if (!acc) throw new Error("internal error: reduction without accumulator");
          emitReduce(env, acc, chunk);
          break;
        }
      }
    }
    for (const entry of loaded.values()) this.scratch.give(entry.local);
  }

  /**
   * `count` consecutive lanes of stage `s`, ptr pointing at the first (minus `bias`): the
   * unrolled simd loop, the leftover vectors, the scalar tail. Leaves ptr past the simd loop.
   */
  emitRun(
    s: number,
    count: number,
    ptr: Local,
    bias: number,
    cols: number,
    outside?: (di: number, dj: number) => boolean,
    row?: Local,
    startColumn = 0,
  ): void {
    const { f, lanes, size } = this;
    const dtype = this.loop.dtype;
    // Every vector starts on a column of startColumn's parity (trips and vectors are even
    // lanes apart); a scalar lane's column is known from its byte offset.
    const at = (mode: Mode, extra: number) =>
      addressing(f, this.ctx.plan, { mode, dtype, ptr, bias, extra, cols, outside, row, column: startColumn + extra / size });
    const trips = Math.floor(count / (lanes * UNROLL));
    const tripBytes = lanes * UNROLL * size;
    if (trips > 0) {
      const end = this.scratch.take(ValType.i32);
      f.get(ptr)
        .i32(trips * tripBytes)
        .op(Op.i32Add)
        .set(end);
      f.doWhile(
        () => {
          for (let c = 0; c < UNROLL; c++) this.emitBody(s, at("simd", c * 16), c);
          f.get(ptr).i32(tripBytes).op(Op.i32Add).tee(ptr);
        },
        () => f.get(end).op(Op.i32LtU),
      );
      this.scratch.give(end);
    }
    const rest = count - trips * lanes * UNROLL;
    const vectors = Math.floor(rest / lanes);
    for (let v = 0; v < vectors; v++) this.emitBody(s, at("simd", v * 16), v);
    for (let e = 0; e < rest - vectors * lanes; e++) this.emitBody(s, at("scalar", vectors * 16 + e * size), 0);
  }
}
