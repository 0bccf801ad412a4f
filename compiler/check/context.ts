// State shared by the checking passes: where diagnostics go (deduplicated, since an op body
// is checked once per distinct call), and what was learnt about each expression.
import type * as A from "../../grammar/ast.js";
import { Diagnostics, type Diagnostic } from "../diagnostics.js";
import type { Type } from "../types.js";
import { type Binding, bindingLine } from "./scope.js";

export class CheckContext {
  readonly diags: Diagnostics;
  private readonly seen = new Set<string>();
  /** Op instances already checked, keyed by op name and argument types, with their result. */
  readonly instances = new Map<string, Type | undefined>();
  /** Ops currently being checked, to catch recursion (which has no meaning for an op). */
  readonly active = new Set<string>();
  /** Ops instantiated at least once (the others are checked generically at the end). */
  readonly used = new Set<string>();

  constructor(
    readonly file: string,
    cap = 100,
  ) {
    this.diags = new Diagnostics(cap);
  }

  report(severity: Diagnostic["severity"], span: A.Span, code: string, message: string, extra: Partial<Diagnostic> = {}): void {
    const key = `${span.start.offset}:${span.end.offset}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diags.add({ severity, code, message, file: this.file, span, ...extra });
  }

  error(span: A.Span, code: string, message: string, extra: Partial<Diagnostic> = {}): void {
    this.report("error", span, code, message, extra);
  }

  warn(span: A.Span, code: string, message: string, extra: Partial<Diagnostic> = {}): void {
    this.report("warning", span, code, message, extra);
  }

  /** "`u` is the input declared on line 4" — the note that says where a name came from. */
  origin(name: string, b: Binding): string | undefined {
    const line = bindingLine(b);
    if (line === undefined) return undefined;
    const what = b.kind === "value" ? b.what : b.kind === "dim" ? "size" : b.kind;
    return `\`${name}\` is the ${what} declared on line ${line}.`;
  }
}
