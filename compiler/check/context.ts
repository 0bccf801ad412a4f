// State shared by the checking passes: where diagnostics go (one per place and kind, since an
// op body is checked once per distinct call), and which op calls are being checked, so that a
// mistake inside an op's body can say which call (and which sizes) revealed it.
import type * as A from "../../grammar/ast.js";
import { Diagnostics, type Diagnostic, type DiagnosticCode } from "../../base/diagnostics.js";
import { type Dim, dimToString } from "../shapes.js";
import type { Type } from "../types.js";
import { type Binding, bindingLine } from "./scope.js";

/** A call whose op body is being checked: `A(f)` on line 6, with `n` bound to `N + 1`. */
export interface CallSite {
  name: string;
  span: A.Span;
  sizes: ReadonlyMap<string, Dim>;
}

export class CheckContext {
  readonly diags: Diagnostics;
  private readonly seen = new Set<string>();
  /** Op instances already checked, keyed by op name and argument types, with their result. */
  readonly instances = new Map<string, Type | undefined>();
  /** Ops currently being checked, to catch recursion (which has no meaning for an op). */
  readonly active = new Set<string>();
  /** Ops instantiated at least once (the others are checked generically at the end). */
  readonly used = new Set<string>();
  /** The calls whose bodies are being checked, outermost first. */
  readonly calls: CallSite[] = [];
  /** Exported names, with the line of their `export`. */
  readonly exported = new Map<string, number>();

  constructor(
    readonly file: string,
    cap = 100,
  ) {
    this.diags = new Diagnostics(cap);
  }

  report(severity: Diagnostic["severity"], span: A.Span, code: DiagnosticCode, message: string, extra: Partial<Diagnostic> = {}): void {
    // One diagnostic per place and kind: a second instance of an op repeats the first's.
    const key = `${span.start.offset}:${span.end.offset}:${code}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
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

  /** "in the call of `A` on line 6, where `n` is N + 1" for a mistake inside a called body. */
  private callNote(span: A.Span): string | undefined {
    const c = this.calls[this.calls.length - 1];
    if (!c || (span.start.offset >= c.span.start.offset && span.end.offset <= c.span.end.offset)) return undefined;
    const sizes = [...c.sizes].map(([n, d]) => `\`${n}\` is ${dimToString(d)}`);
    return `in the call of \`${c.name}\` on line ${c.span.start.line}${sizes.length ? `, where ${sizes.join(" and ")}` : ""}.`;
  }

  /** "`u` is the input declared on line 4" — the note that says where a name came from. */
  origin(name: string, b: Binding): string | undefined {
    const line = bindingLine(b);
    if (line === undefined) return undefined;
    const what = b.kind === "value" ? b.what : b.kind === "dim" ? "size" : b.kind === "data" ? "data set" : b.kind;
    return `\`${name}\` is the ${what} declared on line ${line}.`;
  }
}
