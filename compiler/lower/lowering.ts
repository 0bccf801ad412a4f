// The state of one lowering: the module being built, the function currently receiving ops,
// and the op instances made so far.
import type * as A from "../../grammar/ast.js";
import { typeFrom } from "../check/annotations.js";
import { CheckContext } from "../check/context.js";
import type { Scope } from "../check/scope.js";
import type { Func, Module, Value } from "../ir/ir.js";
import { ValueFactory } from "../ir/ir.js";
import { dimValue } from "../shapes.js";
import type { TensorT, Type } from "../types.js";
import { FnLowering, LowerError } from "./context.js";

/** How deeply op calls may nest while lowering (a recursion that does not end stops here). */
const MAX_DEPTH = 64;
const NO_SPAN: A.Span = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };

/** What a call site needs from an instance: its result types and the values it captures. */
export interface Instance {
  name: string;
  results: Value[];
  /** Values of the function that created the instance, passed as extra call inputs. */
  captures: Value[];
}

export class Lowering {
  readonly values = new ValueFactory();
  readonly funcs = new Map<string, Func>();
  readonly main = new FnLowering("main", this.values);
  fn: FnLowering = this.main;
  private readonly instances = new Map<string, Instance>();
  private depth = 0;

  /** Lowers `body` as a new function whose parent is the current one; returns its instance. */
  inFunction(name: string, body: (fn: FnLowering) => Value[], span?: A.Span): Instance {
    const outer = this.fn;
    if (++this.depth > MAX_DEPTH) {
      this.depth = 0;
      throw new LowerError(`Calls nest more than ${MAX_DEPTH} deep here (at \`${name}\`), so this recursion does not end.`, span ?? NO_SPAN, "end the recursion with a compile-time `if` on a size that shrinks at each call.");
    }
    const fn = new FnLowering(name, this.values, outer);
    this.fn = fn;
    try {
      const results = body(fn);
      const func = fn.finish(results);
      this.funcs.set(name, func);
      return { name, results: func.body.results, captures: fn.captures.map((c) => c.outer) };
    } finally {
      this.fn = outer;
      this.depth = Math.max(0, this.depth - 1);
    }
  }

  /**
   * The instance called `name`, made by `build` the first time. Instances that capture values
   * of a function other than `main` are made afresh each time: those values exist only there.
   */
  instance(name: string, build: () => Instance): Instance {
    const known = this.instances.get(name);
    if (known) return known;
    const creator = this.fn;
    const inst = build();
    if (creator === this.main || inst.captures.length === 0) this.instances.set(name, inst);
    else {
      // A fresh name per uncached instance keeps function names unique in the module.
      const unique = `${name}#${this.funcs.size}`;
      const func = this.funcs.get(name)!;
      this.funcs.delete(name);
      this.funcs.set(unique, { ...func, name: unique });
      return { ...inst, name: unique };
    }
    return inst;
  }

  /** A type annotation with this lowering's concrete sizes. */
  typeOf(t: A.TypeExpr, scope: Scope): Type | undefined {
    return typeFrom(new CheckContext("<lowering>"), t, scope);
  }

  concreteDims(t: TensorT, span: A.Span): number[] {
    return t.shape.map((d) => {
      const v = dimValue(d);
      if (v === undefined || !Number.isInteger(v)) throw new LowerError("This shape has a size without a whole-number value.", span);
      return v;
    });
  }

  module(exports: { name: string; value: Value }[], mainResults: Value[]): Module {
    const funcs = new Map(this.funcs);
    funcs.set("main", this.main.finish(mainResults));
    return { funcs, exports };
  }
}
