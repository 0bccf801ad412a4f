// The state of one lowering: the module being built, the function currently receiving ops, the
// IR value of every symbol, and the functions made for instances so far.
import { InternalError } from "../../base/diagnostics.js";
import type { Func, Module, Value } from "../ir/ir.js";
import { ValueFactory } from "../ir/ir.js";
import type { Instance, Sym } from "../typed/program.js";
import { FnLowering } from "./function.js";

/** What a call site needs from an instance's function: its name, results and captures. */
export interface LoweredInstance {
  name: string;
  results: Value[];
  /** Values of the function that created the instance, passed as extra call inputs. */
  captures: Value[];
}

/** The hint a symbol gives its value: its source name, none for the compiler's own (`%b`). */
export function hintOf(sym: Sym): string | undefined {
  return sym.name.startsWith("%") ? undefined : sym.name;
}

export class Lowering {
  readonly values = new ValueFactory();
  readonly funcs = new Map<string, Func>();
  readonly main = new FnLowering("main", this.values);
  fn: FnLowering = this.main;
  private readonly syms = new Map<number, Value>();
  private readonly instances = new Map<Instance, LoweredInstance>();

  bind(sym: Sym, v: Value): void {
    this.syms.set(sym.id, v);
  }

  valueOf(sym: Sym): Value {
    const v = this.syms.get(sym.id);
    if (!v) throw new InternalError(`the symbol \`${sym.name}\` (#${sym.id}) has no value in lowering`);
    return v;
  }

  /** Lowers `body` as a new function whose parent is the current one. */
  inFunction(name: string, body: (fn: FnLowering) => Value[], std = false): LoweredInstance {
    const outer = this.fn;
    const fn = new FnLowering(name, this.values, outer);
    this.fn = fn;
    try {
      const func = fn.finish(body(fn));
      this.funcs.set(name, std ? { ...func, std } : func);
      return { name, results: func.body.results, captures: fn.captures.map((c) => c.outer) };
    } finally {
      this.fn = outer;
    }
  }

  /**
   * The function of `inst`, made by `build` the first time. Instances that capture values of a
   * function other than `main` are made afresh each time: those values exist only there.
   */
  instance(inst: Instance, build: (name: string) => LoweredInstance): LoweredInstance {
    const known = this.instances.get(inst);
    if (known) return known;
    const creator = this.fn;
    const name = this.funcs.has(inst.name) ? `${inst.name}#${this.funcs.size}` : inst.name;
    const lowered = build(name);
    if (creator === this.main || lowered.captures.length === 0) this.instances.set(inst, lowered);
    return lowered;
  }

  /**
   * Forgets the functions made so far for instances: after it, a call makes its instance's
   * function afresh, capturing the values its symbols have then. `train` rebinds the params
   * (to its regions' parameters, then to the trained values), which cached functions captured.
   */
  forgetInstances(): void {
    this.instances.clear();
  }

  module(exports: { name: string; value: Value }[], mainResults: Value[]): Module {
    const funcs = new Map(this.funcs);
    funcs.set("main", this.main.finish(mainResults));
    return { funcs, exports };
  }
}
