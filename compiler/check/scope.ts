// What a name stands for while checking. Scopes chain to their parent; the root scope falls
// back to the op registry. A scope knows whether it is the standard library's (`std`), so a
// lambda written there is checked as library code.
import type * as A from "../../grammar/ast.js";
import { type OpRecord, opNames, getOp } from "../ops/index.js";
import type { Dim } from "../shapes.js";
import type { CheckedData } from "./data.js";
import type { TensorT, TupleT } from "../types.js";
import type { ReportRef, Sym } from "../typed/program.js";
import type { Def } from "./defs.js";

export type Binding =
  /** A size: `dim N`, a size parameter `n` bound at a call site, or a size an input binds. */
  | { kind: "dim"; name: string; value: Dim; span: A.Span }
  /**
   * A tensor value and its symbol; `what` says where it came from, for messages. The result of
   * a construct carries its report, whose fields the program may read (`u.iterations`).
   */
  | { kind: "value"; name: string; type: TensorT; span: A.Span; what: string; sym: Sym; report?: ReportRef }
  /** A tuple of tensors under one name (`let pair = (a, b)`), one symbol per item. */
  | { kind: "tuple"; name: string; type: TupleT; span: A.Span; what: string; syms: Sym[] }
  | { kind: "op"; decl: A.OpDecl | A.ModelDecl; scope: Scope }
  | { kind: "lambda"; node: A.Lambda; scope: Scope }
  | { kind: "builtin"; spec: OpRecord }
  /** A data set; `checked` is absent when its declaration had an error. */
  | { kind: "data"; decl: A.DataDecl; checked?: CheckedData }
  /** A compile-time number, string or bool bound to an op parameter (`sweeps: 2`, `cycle: "W"`). */
  | { kind: "static"; name: string; value: number | string | boolean; span: A.Span }
  /** A name whose definition had an error: uses stay silent, so one mistake is reported once. */
  | { kind: "poisoned"; name: string; span: A.Span };

export class Scope {
  private readonly names = new Map<string, Binding>();
  /** Names this scope's block defines somewhere, bound or not yet (see `later`). */
  private upcoming = new Map<string, Def>();

  /** True for the standard library's scope and the scopes inside it. */
  readonly std: boolean;

  constructor(
    readonly parent?: Scope,
    std = false,
  ) {
    this.std = std || (parent?.std ?? false);
  }

  /** Records what the block of this scope will define, for "used before it is defined". */
  expect(defs: ReadonlyMap<string, Def>): void {
    this.upcoming = new Map(defs);
  }

  /** Where a name that is not visible here is defined further down an enclosing block. */
  later(name: string): Def | undefined {
    return this.upcoming.get(name) ?? this.parent?.later(name);
  }

  define(name: string, b: Binding): void {
    this.names.set(name, b);
  }

  /** The binding defined in this very scope (not a parent), for duplicate checks. */
  own(name: string): Binding | undefined {
    return this.names.get(name);
  }

  lookup(name: string): Binding | undefined {
    const b = this.names.get(name) ?? this.parent?.lookup(name);
    if (b !== undefined || this.parent !== undefined) return b;
    const spec = getOp(name);
    return spec && !spec.internal ? { kind: "builtin", spec } : undefined;
  }

  /** Every visible name, for "did you mean" suggestions (only sizes when `sizesOnly`). */
  visibleNames(sizesOnly = false): string[] {
    const own = [...this.names].filter(([, b]) => b.kind !== "poisoned" && (!sizesOnly || b.kind === "dim")).map(([n]) => n);
    if (this.parent) return [...own, ...this.parent.visibleNames(sizesOnly)];
    return sizesOnly ? own : [...own, ...opNames().filter((n) => !getOp(n)?.internal)];
  }

  child(): Scope {
    return new Scope(this);
  }
}

/** Where a binding was defined, for notes like "`u` was declared on line 4". */
export function bindingLine(b: Binding): number | undefined {
  switch (b.kind) {
    case "dim":
    case "value":
    case "tuple":
      return b.span.start.line;
    case "op":
      return b.decl.span.start.line;
    case "lambda":
      return b.node.span.start.line;
    case "data":
      return b.decl.span.start.line;
    case "poisoned":
    case "builtin":
      return undefined;
  }
}
