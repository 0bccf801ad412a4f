// State shared by the checking passes: where diagnostics go (one per place and kind, since an
// op body is checked once per distinct call), which op calls are being checked (so a mistake
// inside an op's body can say which call and which sizes revealed it, and a mistake inside the
// standard library is reported at the user's call), the instances made so far, and the
// symbols handed out to every value.
import type * as A from "../../grammar/ast.js";
import { Diagnostics, type Diagnostic, type DiagnosticCode } from "../../base/diagnostics.js";
import { type Dim, dimSymbols, dimToString } from "../shapes.js";
import type { TensorT } from "../types.js";
import type { FloatDType } from "../../base/dtype.js";
import type { Instance, Sym } from "../typed/program.js";
import type { MemoryLimit } from "./memory.js";
import { type Binding, bindingLine } from "./scope.js";

/** A call whose op body is being checked: `A(f)` on line 6, with `n` bound to `N + 1`. */
export interface CallSite {
  name: string;
  span: A.Span;
  sizes: ReadonlyMap<string, Dim>;
  /** The callee is standard-library code (an op of stdlib/, or a lambda written there). */
  std: boolean;
  /** For a standard-library op: its module's file. */
  file?: string;
  /** False for a lambda: written where it is used, so not worth naming in a note. */
  named: boolean;
}

/**
 * `generic`: sizes without a value stay symbolic (`iterc check` of a file whose sizes are given
 * at run time); both branches of an `if` on them are checked, and a recursive op is checked
 * once. `concrete`: every size is a number, every `if` is decided, and every instance is
 * elaborated — what lowering consumes.
 */
export type CheckMode = "generic" | "concrete";

/** How deeply instances may nest in a concrete elaboration (a recursion that does not end stops here). */
export const MAX_INSTANCE_DEPTH = 64;

export class CheckContext {
  readonly diags: Diagnostics;
  private readonly seen = new Set<string>();
  private nextSym = 0;
  /** Op instances already checked, by op identity and argument key (undefined: it failed). */
  readonly instances = new Map<string, Instance | undefined>();
  /** Instances currently being checked, to catch recursion. */
  readonly active = new Set<string>();
  /** Ops instantiated at least once (the others are checked generically at the end). */
  readonly used = new Set<string>();
  /** The calls whose bodies are being checked, outermost first. */
  readonly calls: CallSite[] = [];
  /** The `param`s declared so far, in order: what `train` may fit. */
  readonly params: Sym[] = [];
  /** Exported names, with the line of their `export`. */
  readonly exported = new Map<string, number>();
  /** Set when a concrete elaboration met a size without a value: it decides nothing then. */
  undecided = false;
  /** The memory a concrete elaboration may plan for (compiler/check/memory.ts); none: no limit. */
  memory: MemoryLimit | undefined;
  /** How `f32` values are computed (`--precision f64`: in float64); the tolerance floor follows it. */
  precision: FloatDType = "f32";
  /**
   * Tolerances finer than float32 reaches (but not float64): refused once the construct they
   * belong to turns out to compute in float32 (compiler/check/clauses.ts, settleTolerances).
   */
  readonly fineTolerances: { span: A.Span; text: string }[] = [];

  constructor(
    readonly file: string,
    readonly mode: CheckMode = "generic",
    cap = 100,
  ) {
    this.diags = new Diagnostics(cap);
  }

  sym(name: string, type: TensorT): Sym {
    return { id: this.nextSym++, name, type };
  }

  report(severity: Diagnostic["severity"], span0: A.Span, code: DiagnosticCode, message0: string, extra: Partial<Diagnostic> = {}): void {
    const lib = this.libraryCall();
    // Inside the standard library, a span means nothing in the user's file: the mistake is
    // reported at the user's call, saying where in the library it arose.
    const span = lib ? lib.userSpan : span0;
    const message = lib ? `In \`${lib.op}\` of the standard library (${lib.file}:${span0.start.line}): ${message0}` : message0;
    const key = `${span.start.offset}:${span.end.offset}:${lib ? "method-does-not-fit" : code}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (lib) {
      const { label: _label, notes: _notes, ...rest } = extra;
      this.diags.add({ severity, code: "method-does-not-fit", message, file: this.file, span, ...rest });
      return;
    }
    const call = this.callNote(span);
    const notes = [...(extra.notes ?? []), ...(call ? [call] : [])];
    this.diags.add({ severity, code, message, file: this.file, span, ...extra, ...(notes.length ? { notes } : {}) });
  }

  error(span: A.Span, code: DiagnosticCode, message: string, extra: Partial<Diagnostic> = {}): void {
    this.report("error", span, code, message, extra);
  }

  warn(span: A.Span, code: DiagnosticCode, message: string, extra: Partial<Diagnostic> = {}): void {
    this.report("warning", span, code, message, extra);
  }

  /** Whether the code being checked is the standard library's (called from the user's). */
  inLibrary(): boolean {
    return this.libraryCall() !== undefined;
  }

  /**
   * When the innermost calls being checked are standard-library ops: the innermost one (where
   * the mistake is) and the user's call that entered the library (where it is reported).
   */
  private libraryCall(): { op: string; file: string; userSpan: A.Span } | undefined {
    let i = this.calls.length - 1;
    if (i < 0 || !this.calls[i].std) return undefined;
    // The innermost library op names the place (a lambda written in the library is inside one).
    const inner = [...this.calls].reverse().find((c) => c.file !== undefined);
    while (i > 0 && this.calls[i - 1].std) i--;
    return { op: inner?.name ?? "?", file: inner?.file ?? "stdlib", userSpan: this.calls[i].span };
  }

  /** "in the call of `A` on line 6, where `n` is N + 1" for a mistake inside a called body. */
  private callNote(span: A.Span): string | undefined {
    const c = [...this.calls].reverse().find((x) => x.named);
    if (!c || (span.start.offset >= c.span.start.offset && span.end.offset <= c.span.end.offset)) return undefined;
    const sizes = [...c.sizes].map(([n, d]) => `\`${n}\` is ${dimToString(d)}`);
    return `in the call of \`${c.name}\` on line ${c.span.start.line}${sizes.length ? `, where ${sizes.join(" and ")}` : ""}.`;
  }

  /** A size a concrete elaboration needs and nothing gave a value. */
  noValue(d: Dim, span: A.Span): void {
    this.undecided = true;
    const name = [...dimSymbols(d)][0] ?? "N";
    this.error(span, "bad-size", `The size \`${dimToString(d)}\` has no value yet.`, { hint: `give it one with \`dim ${name} = ...\` or \`--set ${name}=...\`.` });
  }

  /** "`u` is the input declared on line 4" — the note that says where a name came from. */
  origin(name: string, b: Binding): string | undefined {
    const line = bindingLine(b);
    if (line === undefined) return undefined;
    const what = b.kind === "value" || b.kind === "tuple" ? b.what : b.kind === "dim" ? "size" : b.kind === "data" ? "data set" : b.kind;
    return `\`${name}\` is the ${what} declared on line ${line}.`;
  }
}
