// What expression emission needs to know about where it is: the function being written, the
// lane mode (a v128 of lanes or one lane), the dtype, how a buffer read is addressed here,
// and the locals holding per-lane temporaries and broadcast registers.
import type { DType, Expr, UnaryOp } from "../kernel-ir.js";
import type { FunctionCode, Local } from "../wasm/code.js";
import { ValType } from "../wasm/opcodes.js";
import { type Mode, VALTYPE } from "./opcode-tables.js";

export type ReadExpr = Extract<Expr, { kind: "read" }>;

export interface LaneEnv {
  readonly f: FunctionCode;
  readonly mode: Mode;
  readonly dtype: DType;
  /** Pushes the lane value(s) of a read (its addressing depends on the loop region). */
  readonly read: (e: ReadExpr) => void;
  /** Locals of this mode's `let` temporaries, by name. */
  readonly temps: Map<string, Local>;
  /** Pushes the lane's red–black colour (1 or 0; a vector of them in simd mode). */
  readonly parity: () => void;
  /** Pushes a register's value, converted to dtype (and splatted in simd mode). */
  readonly register: (name: string) => void;
  /** Function indices of the host Math imports. */
  readonly host: ReadonlyMap<UnaryOp, number>;
  readonly scratch: ScratchLocals;
}

/** The Wasm type of one value in this mode: v128, or the dtype's scalar type. */
export const laneType = (mode: Mode, dtype: DType): ValType => (mode === "simd" ? ValType.v128 : VALTYPE[dtype]);

/** Reusable scratch locals by type, so repeated emissions of a body do not pile up locals. */
export class ScratchLocals {
  private readonly free = new Map<ValType, Local[]>();

  constructor(private readonly f: FunctionCode) {}

  take(type: ValType): Local {
    return this.free.get(type)?.pop() ?? this.f.local(type);
  }

  give(l: Local): void {
    const list = this.free.get(l.type) ?? [];
    list.push(l);
    this.free.set(l.type, list);
  }

  /** Runs `use` with a scratch local of `type`, returning it afterwards. */
  with<T>(type: ValType, use: (l: Local) => T): T {
    const l = this.take(type);
    try {
      return use(l);
    } finally {
      this.give(l);
    }
  }
}
