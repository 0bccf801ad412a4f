// CST → AST. Tolerates nodes that error recovery left incomplete (it never throws on them:
// a missing piece becomes an `Name "?"` placeholder, and the parser has already reported it).
// Checks that are about form rather than grammar live here too: dtypes, duplicate clauses,
// lambda parameters, string escapes.
import type { CstElement, CstNode, IToken } from "chevrotain";
import type * as A from "./ast.js";
import { Diagnostics } from "../base/diagnostics.js";
import { closest } from "../base/suggest.js";

type Child = CstNode | IToken;

const isToken = (c: CstElement): c is IToken => (c as IToken).image !== undefined;

function toks(node: CstNode, name: string): IToken[] {
  return (node.children[name] ?? []).filter(isToken);
}
function kids(node: CstNode, name: string): CstNode[] {
  return (node.children[name] ?? []).filter((c): c is CstNode => !isToken(c));
}
function tok(node: CstNode, name: string): IToken | undefined {
  return toks(node, name)[0];
}
function kid(node: CstNode, name: string): CstNode | undefined {
  return kids(node, name)[0];
}

/** Tokens that recovery inserted have NaN positions; they have no text in the source. */
const realToken = (t: IToken | undefined): t is IToken => t !== undefined && !Number.isNaN(t.startOffset);

function tokenSpan(t: IToken): A.Span {
  return {
    start: { offset: t.startOffset, line: t.startLine ?? 1, column: t.startColumn ?? 1 },
    end: { offset: (t.endOffset ?? t.startOffset) + 1, line: t.endLine ?? t.startLine ?? 1, column: (t.endColumn ?? t.startColumn ?? 1) + 1 },
  };
}

const DTYPES = ["f32", "f64", "i32", "bool"] as const;

/** Element types by the names other languages give them. */
const OTHER_NAMES = new Map([
  ["float64", "the 64-bit float is written `f64` (the native backend computes it: `--backend native`)."],
  ["double", "the 64-bit float is written `f64` (the native backend computes it: `--backend native`)."],
  ["float32", "the 32-bit float is written `f32`."],
  ["float", "the 32-bit float is written `f32`."],
]);

export class AstBuilder {
  private readonly fallback: A.Span;

  constructor(
    private readonly file: string,
    private readonly diags: Diagnostics,
    endOfFile: A.Pos,
  ) {
    this.fallback = { start: endOfFile, end: endOfFile };
  }

  /** The span of a CST node, from the first to the last real token below it. */
  private span(node: Child | undefined): A.Span {
    if (node === undefined) return this.fallback;
    if (isToken(node)) return realToken(node) ? tokenSpan(node) : this.fallback;
    const loc = node.location;
    if (!loc || Number.isNaN(loc.startOffset) || Number.isNaN(loc.endOffset ?? NaN)) return this.fallback;
    return {
      start: { offset: loc.startOffset, line: loc.startLine ?? 1, column: loc.startColumn ?? 1 },
      end: { offset: (loc.endOffset ?? loc.startOffset) + 1, line: loc.endLine ?? 1, column: (loc.endColumn ?? 0) + 1 },
    };
  }

  private error(span: A.Span, message: string, extra: { label?: string; hint?: string } = {}): void {
    this.diags.error(this.file, span, "syntax", message, extra);
  }

  private ident(t: IToken | undefined): A.Ident {
    if (!realToken(t)) return { kind: "Ident", name: "?", span: this.fallback };
    return { kind: "Ident", name: t.image, span: tokenSpan(t) };
  }

  private placeholder(span = this.fallback): A.Name {
    return { kind: "Name", name: "?", span };
  }

  // ---- declarations -------------------------------------------------------------------

  program(node: CstNode, comments: A.Comment[]): A.Program {
    const decls = kids(node, "decl").map((d) => this.decl(d));
    this.requireOnePerLine(decls);
    return { kind: "Program", file: this.file, decls, comments, span: this.span(node) };
  }

  /** Two statements on one line are an error: newlines separate them. */
  private requireOnePerLine(items: readonly { span: A.Span }[]): void {
    for (let i = 1; i < items.length; i++) {
      const prev = items[i - 1].span;
      const cur = items[i].span;
      if (prev !== this.fallback && cur !== this.fallback && cur.start.line === prev.end.line)
        this.error(cur, "I expected the end of the line before this.", { label: "a second statement", hint: "put each declaration or statement on a line of its own." });
    }
  }

  decl(node: CstNode): A.Decl {
    const [name, inner] = Object.entries(node.children)[0] ?? [];
    const child = inner?.[0];
    if (child === undefined || isToken(child)) return this.letPlaceholder(node);
    switch (name) {
      case "useDecl":
        return this.useDecl(child);
      case "dimDecl":
        return this.dimDecl(child);
      case "inputDecl":
        return this.inputDecl(child);
      case "paramDecl":
        return this.paramDecl(child);
      case "opDecl":
        return { kind: "Op", ...this.signature(kid(child, "signature")), span: this.span(child) };
      case "modelDecl":
        return { kind: "Model", ...this.signature(kid(child, "signature")), span: this.span(child) };
      case "dataDecl":
        return { kind: "Data", name: this.ident(tok(child, "Identifier")), source: this.expr(kid(child, "expr")), span: this.span(child) };
      case "trainDecl":
        return this.trainDecl(child);
      case "exportDecl": {
        const value = kid(child, "expr");
        return { kind: "Export", name: this.ident(tok(child, "Identifier")), value: value ? this.expr(value) : null, span: this.span(child) };
      }
      case "checkDecl":
        return { kind: "Check", contract: this.expr(kid(child, "expr")), given: kids(child, "forBinding").map((b) => this.forBinding(b)), span: this.span(child) };
      default:
        return this.stmtOf(name, child) as A.Decl;
    }
  }

  /** `x ~ dist`, `z: type`, `z: type ~ dist` or `n = 8`; a size takes no type. */
  private forBinding(node: CstNode): A.ForBinding {
    const type = kid(node, "type");
    const draw = kid(node, "draw");
    const value = kid(node, "value");
    const b: A.ForBinding = {
      kind: "ForBinding",
      name: this.ident(tok(node, "Identifier")),
      type: type ? this.type(type) : null,
      draw: draw ? this.expr(draw) : null,
      value: value ? this.expr(value) : null,
      span: this.span(node),
    };
    if (b.value && b.type) this.error(b.span, `\`${b.name.name} = ...\` gives a size its value; a size has no type.`, { hint: `write \`for ${b.name.name} = 8\`, or \`for ${b.name.name}: f32[N] ~ normal()\` for a random value.` });
    if (!b.type && !b.draw && !b.value)
      this.error(b.span, `\`for ${b.name.name}\` says nothing about \`${b.name.name}\`.`, { hint: `give its distribution (\`for ${b.name.name} ~ normal(std: 1)\`), its type (\`for ${b.name.name}: f32[N]\`) or, for a size, its value (\`for ${b.name.name} = 8\`).` });
    return b;
  }

  private letPlaceholder(node: CstNode): A.Let {
    return { kind: "Let", names: [], type: null, value: this.placeholder(), span: this.span(node) };
  }

  private useDecl(node: CstNode): A.Use {
    const path = [tok(node, "Identifier"), ...toks(node, "path")].map((t) => this.ident(t));
    const names = toks(node, "names");
    const lastPath = toks(node, "path").at(-1);
    const close = toks(node, "RBrace");
    if (lastPath && close.length && (close.length > 1 || lastPath.startOffset > close[0].startOffset))
      this.error(this.span(node), "The `{...}` list of names comes last in a `use`.", { hint: "write `use std.krylov.{cg, gmres}`." });
    return { kind: "Use", path, names: names.length ? names.map((t) => this.ident(t)) : null, span: this.span(node) };
  }

  private dimDecl(node: CstNode): A.DimDecl {
    const items = kids(node, "dimItem").map((item): A.DimItem => {
      const value = kid(item, "expr");
      return { kind: "DimItem", name: this.ident(tok(item, "Identifier")), value: value ? this.expr(value) : null, span: this.span(item) };
    });
    return { kind: "Dim", items, span: this.span(node) };
  }

  private inputDecl(node: CstNode): A.InputDecl {
    const value = kid(node, "expr");
    return {
      kind: "Input",
      name: this.ident(tok(node, "Identifier")),
      type: this.type(kid(node, "type")),
      default: value ? this.expr(value) : null,
      span: this.span(node),
    };
  }

  private paramDecl(node: CstNode): A.ParamDecl {
    const init = kid(node, "expr");
    return {
      kind: "ParamDecl",
      name: this.ident(tok(node, "Identifier")),
      type: this.type(kid(node, "type")),
      init: init ? this.expr(init) : null,
      span: this.span(node),
    };
  }

  private signature(node: CstNode | undefined): Omit<A.OpDecl, "kind" | "span"> {
    if (!node) return { name: this.ident(undefined), params: [], result: null, tags: [], body: { kind: "ExprBody", expr: this.placeholder(), span: this.fallback } };
    const result = kid(node, "type");
    const block = kid(node, "block");
    const body: A.Body = block
      ? { kind: "Block", stmts: this.block(block), span: this.span(block) }
      : { kind: "ExprBody", expr: this.expr(kid(node, "expr")), span: this.span(kid(node, "expr")) };
    return {
      name: this.ident(tok(node, "Identifier")),
      params: kids(node, "parameter").map((p) => this.parameter(p)),
      result: result ? this.type(result) : null,
      tags: kids(node, "tags").map((t): A.Tag => ({ ...this.spec(t), kind: "Tag" })),
      body,
    };
  }

  private parameter(node: CstNode): A.Param {
    const type = kid(node, "type");
    const dflt = kid(node, "expr");
    return {
      kind: "Param",
      name: this.ident(tok(node, "Identifier")),
      type: type ? this.type(type) : null,
      default: dflt ? this.expr(dflt) : null,
      span: this.span(node),
    };
  }

  private block(node: CstNode): A.Stmt[] {
    const stmts = kids(node, "stmt").map((s) => this.stmt(s));
    this.requireOnePerLine(stmts);
    return stmts;
  }

  private trainDecl(node: CstNode): A.TrainDecl {
    let lastLine = this.span(tok(node, "LBrace")).start.line;
    const settings = kids(node, "trainSetting").map((s): A.TrainSetting => {
      const span = this.span(s);
      const newline = span.start.line !== lastLine;
      lastLine = span.end.line;
      const every = tok(s, "Every");
      const count = kid(s, "count");
      return {
        kind: "TrainSetting",
        key: this.ident(tok(s, "key")),
        value: this.expr(kid(s, "expr")),
        every: every ? { count: this.expr(count), unit: this.ident(tok(s, "unit")), span: { start: tokenSpan(every).start, end: this.span(tok(s, "unit")).end } } : null,
        newline,
        span,
      };
    });
    const seen = new Map<string, A.TrainSetting>();
    for (const st of settings) {
      if (seen.has(st.key.name)) this.error(st.key.span, `The setting \`${st.key.name}\` is given twice.`, { label: "the second one", hint: `keep one \`${st.key.name}\`.` });
      else seen.set(st.key.name, st);
    }
    return { kind: "Train", model: this.ident(tok(node, "model")), data: this.ident(tok(node, "data")), settings, span: this.span(node) };
  }

  // ---- statements ---------------------------------------------------------------------

  stmt(node: CstNode): A.Stmt {
    const [name, inner] = Object.entries(node.children)[0] ?? [];
    const child = inner?.[0];
    if (child === undefined || isToken(child)) return this.letPlaceholder(node);
    return this.stmtOf(name, child);
  }

  private stmtOf(name: string, node: CstNode): A.Stmt {
    switch (name) {
      case "letStmt":
        return { kind: "Let", names: this.names(kid(node, "names")), type: this.annotation(node), value: this.expr(kid(node, "expr")), span: this.span(node) };
      case "assignStmt":
        return { kind: "Assign", names: this.names(kid(node, "names")), value: this.expr(kid(node, "expr")), span: this.span(node) };
      case "returnStmt":
        return { kind: "Return", value: this.expr(kid(node, "expr")), span: this.span(node) };
      case "fixpointStmt":
        return {
          kind: "Fixpoint",
          target: this.ident(tok(node, "Identifier")),
          type: this.annotation(node),
          body: this.expr(kid(node, "expr")),
          ...this.clauses(kids(node, "clause")),
          span: this.span(node),
        };
      case "solveStmt": {
        const unknown = kid(node, "unknown");
        return {
          kind: "Solve",
          lhs: this.expr(kid(node, "lhs")),
          rhs: this.expr(kid(node, "rhs")),
          ...this.clauses(kids(node, "clause")),
          unknown: this.ident(unknown && tok(unknown, "Identifier")),
          unknownType: unknown ? this.annotation(unknown) : null,
          span: this.span(node),
        };
      }
      case "minimizeStmt": {
        const unknown = kid(node, "unknown");
        return {
          kind: "Minimize",
          objective: this.expr(kid(node, "expr")),
          ...this.clauses(kids(node, "clause")),
          unknown: this.ident(unknown && tok(unknown, "Identifier")),
          unknownType: unknown ? this.annotation(unknown) : null,
          span: this.span(node),
        };
      }
      case "loopStmt":
        return this.loopStmt(node);
      default:
        return this.letPlaceholder(node);
    }
  }

  private loopStmt(node: CstNode): A.Loop {
    const bound = kid(node, "bound");
    const block = kid(node, "block");
    return {
      kind: "Loop",
      counter: tok(node, "counter") ? this.ident(tok(node, "counter")) : null,
      bound: bound ? this.additive(bound) : null,
      carry: kids(node, "carryInit").map((c) => ({
        kind: "CarryInit",
        name: this.ident(tok(c, "Identifier")),
        type: this.annotation(c),
        value: this.expr(kid(c, "expr")),
        span: this.span(c),
      })),
      body: block ? this.block(block) : [],
      ...this.clauses(kids(node, "clause")),
      outputs: this.names(kid(node, "names")),
      span: this.span(node),
    };
  }

  private names(node: CstNode | undefined): A.Ident[] {
    if (!node) return [];
    return toks(node, "Identifier").map((t) => this.ident(t));
  }

  private annotation(node: CstNode): A.TypeExpr | null {
    const ann = kid(node, "typeAnnotation");
    const type = ann && kid(ann, "type");
    return type ? this.type(type) : null;
  }

  /** Collects clauses into their fields; a clause written twice is an error. */
  private clauses(nodes: CstNode[]): A.Clauses {
    const out: A.Clauses = { init: null, method: null, precond: null, until: null, max: null, grad: null, nullspace: null, onBackwardFail: null };
    for (const c of nodes) {
      if (realToken(tok(c, "On"))) {
        this.onClause(c, out);
        continue;
      }
      const word = tok(c, "ExprClauseWord") ?? tok(c, "SpecClauseWord");
      if (!realToken(word)) continue;
      const key = word.image as Exclude<A.ClauseName, "onBackwardFail">;
      if (out[key] !== null) {
        this.error(tokenSpan(word), `The clause \`${key}\` is given twice.`, { label: "the second one", hint: `keep one \`${key}\` clause.` });
        continue;
      }
      const spec = kid(c, "spec");
      const s = this.spec(spec);
      if (s.lambda && key !== "precond") {
        this.error(s.span, `\`${key}\` takes a name, not a lambda: only \`precond\` may be written as an operator.`, {
          hint: key === "method" ? "name a method, as in `method cg(rtol: 1e-6)`; the methods are listed in docs/stdlib.md." : "write `grad implicit`, `grad unrolled` or `grad phantom(k: 5)`.",
        });
        continue;
      }
      if (key === "method" || key === "precond") out[key] = s;
      else if (key === "grad") {
        out.grad = { kind: "GradSpec", mode: s.name, args: s.args, span: s.span };
      } else if (key === "init" || key === "until" || key === "max" || key === "nullspace") out[key] = this.expr(kid(c, "expr"));
    }
    return out;
  }

  /** `on backward_fail POLICY`: the only event a clause can name. */
  private onClause(c: CstNode, out: A.Clauses): void {
    const event = tok(c, "event");
    if (!realToken(event)) return;
    if (event.image !== "backward_fail") {
      const hint = closest(event.image, ["backward_fail"]);
      this.error(tokenSpan(event), `\`on ${event.image}\` is not a clause: the event a construct can handle is \`backward_fail\`.`, {
        hint: hint ? `did you mean \`on ${hint}\`?` : "write `on backward_fail raise` or `on backward_fail phantom(k: 5)`.",
      });
      return;
    }
    if (out.onBackwardFail !== null) {
      this.error(tokenSpan(event), "The clause `on backward_fail` is given twice.", { label: "the second one", hint: "keep one `on backward_fail` clause." });
      return;
    }
    const policy = this.spec(kid(c, "spec"));
    if (policy.lambda) this.error(policy.span, "`on backward_fail` takes a policy, not a lambda.", { hint: "write `on backward_fail raise` or `on backward_fail phantom(k: 5)`." });
    else out.onBackwardFail = policy;
  }

  private spec(node: CstNode | undefined): A.MethodSpec {
    const lambda = node && kid(node, "lambda");
    if (lambda) {
      const l = this.lambda(lambda);
      const name = l.params[0]?.name ?? this.ident(undefined);
      return { kind: "MethodSpec", name, args: null, lambda: l, span: this.span(node) };
    }
    const args = node && kid(node, "argList");
    return { kind: "MethodSpec", name: this.ident(node && tok(node, "Identifier")), args: args ? this.args(args) : null, span: this.span(node) };
  }

  // ---- types --------------------------------------------------------------------------

  type(node: CstNode | undefined): A.TypeExpr {
    const span = this.span(node);
    const tensor = node && kid(node, "tensorType");
    const op = node && kid(node, "opType");
    const tuple = node && kid(node, "tupleType");
    if (op) {
      const hasParens = tok(op, "LParen") !== undefined;
      const result = kid(op, "result");
      return { kind: "OpType", params: hasParens ? kids(op, "params").map((p) => this.type(p)) : null, result: result ? this.type(result) : null, span };
    }
    if (tuple) {
      const items = kids(tuple, "type").map((t) => this.type(t));
      if (items.length === 1) {
        this.error(span, "A tuple type needs two or more types.", { hint: "for one type, drop the parentheses." });
        return items[0];
      }
      return { kind: "TupleType", items, span };
    }
    const name = tensor && tok(tensor, "Identifier");
    const dtype = this.dtype(name);
    const dims = tensor && tok(tensor, "LBracket") ? kids(tensor, "expr").map((e) => this.expr(e)) : null;
    return { kind: "TensorType", dtype, shape: dims, span };
  }

  private dtype(t: IToken | undefined): A.DType {
    if (!realToken(t)) return "f32";
    if ((DTYPES as readonly string[]).includes(t.image)) return t.image as A.DType;
    const near = closest(t.image, DTYPES) ?? "";
    const hint = OTHER_NAMES.get(t.image) ?? (near.length ? `did you mean \`${near}\`?` : "the element types are `f32`, `f64`, `i32` and `bool`.");
    this.error(tokenSpan(t), `I don't know the element type \`${t.image}\`.`, { label: "unknown element type", hint });
    return "f32";
  }

  // ---- expressions --------------------------------------------------------------------

  expr(node: CstNode | undefined): A.Expr {
    if (!node) return this.placeholder();
    const lambda = kid(node, "lambda");
    if (lambda) return this.lambda(lambda);
    const cond = kid(node, "ifExpr");
    if (cond) return { kind: "If", cond: this.expr(kid(cond, "cond")), then: this.expr(kid(cond, "then")), else: this.expr(kid(cond, "else")), span: this.span(cond) };
    const range = kid(node, "range");
    if (!range) return this.placeholder(this.span(node));
    const parts = kids(range, "orExpr").map((o) => this.orExpr(o));
    if (parts.length === 2) return { kind: "Range", start: parts[0], stop: parts[1], span: this.span(range) };
    return parts[0] ?? this.placeholder(this.span(range));
  }

  private lambda(node: CstNode): A.Lambda {
    if (toks(node, "Identifier").length === 0)
      this.error(this.span(node), "A lambda needs at least one parameter.", { hint: "write `x => ...`; a value that takes no argument is a `let`." });
    const params = toks(node, "Identifier").map(
      (t): A.Param => ({ kind: "Param", name: this.ident(t), type: null, default: null, span: tokenSpan(t) }),
    );
    return { kind: "Lambda", params, body: this.expr(kid(node, "expr")), span: this.span(node) };
  }

  /** Left-associative chains: `a op b op c` with operators as tokens of one category. */
  private chain(operands: A.Expr[], ops: IToken[], map: (t: IToken) => A.BinaryOp = (t) => t.image as A.BinaryOp): A.Expr {
    let left = operands[0] ?? this.placeholder();
    for (let i = 1; i < operands.length; i++) {
      const right = operands[i];
      left = { kind: "Binary", op: map(ops[i - 1]), left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private orExpr(node: CstNode): A.Expr {
    return this.chain(kids(node, "andExpr").map((n) => this.andExpr(n)), toks(node, "Or"), () => "or");
  }

  private andExpr(node: CstNode): A.Expr {
    return this.chain(kids(node, "notExpr").map((n) => this.notExpr(n)), toks(node, "And"), () => "and");
  }

  private notExpr(node: CstNode): A.Expr {
    const inner = kid(node, "notExpr");
    if (inner) return { kind: "Unary", op: "not", operand: this.notExpr(inner), span: this.span(node) };
    const cmp = kid(node, "compare");
    return cmp ? this.compare(cmp) : this.placeholder(this.span(node));
  }

  private compare(node: CstNode): A.Expr {
    const normalise = (t: IToken): A.BinaryOp => ({ "≤": "<=", "≥": ">=", "≠": "!=" })[t.image] as A.BinaryOp ?? (t.image as A.BinaryOp);
    return this.chain(kids(node, "additive").map((n) => this.additive(n)), toks(node, "CompareOp"), normalise);
  }

  private additive(node: CstNode): A.Expr {
    return this.chain(kids(node, "term").map((n) => this.term(n)), toks(node, "AdditiveOp"));
  }

  private term(node: CstNode): A.Expr {
    return this.chain(kids(node, "unary").map((n) => this.unary(n)), toks(node, "MultiplicativeOp"));
  }

  private unary(node: CstNode): A.Expr {
    const op = tok(node, "AdditiveOp");
    const inner = kid(node, "unary");
    if (op && inner) return { kind: "Unary", op: op.image as "-" | "+", operand: this.unary(inner), span: this.span(node) };
    const power = kid(node, "power");
    return power ? this.power(power) : this.placeholder(this.span(node));
  }

  private power(node: CstNode): A.Expr {
    const base = this.postfix(kid(node, "postfix"));
    const exponent = kid(node, "unary");
    if (!exponent) return base;
    const right = this.unary(exponent);
    return { kind: "Binary", op: "^", left: base, right, span: { start: base.span.start, end: right.span.end } };
  }

  private postfix(node: CstNode | undefined): A.Expr {
    if (!node) return this.placeholder();
    let e = this.primary(kid(node, "primary"));
    for (const s of kids(node, "suffix")) e = this.suffix(e, s);
    return e;
  }

  private suffix(target: A.Expr, node: CstNode): A.Expr {
    const span = { start: target.span.start, end: this.span(node).end };
    const argList = kid(node, "argList");
    if (argList) return this.call(target, this.args(argList), span);
    const field = tok(node, "Identifier");
    if (field) return { kind: "Member", target, field: this.ident(field), span };
    return { kind: "Index", target, indices: kids(node, "indexItem").map((i) => this.indexItem(i)), span };
  }

  /** `grad(...)`, `jvp(...)`, `vjp(...)` are derivative expressions, not ordinary calls. */
  private call(callee: A.Expr, args: A.Arg[], span: A.Span): A.Expr {
    if (callee.kind === "Name" && (callee.name === "grad" || callee.name === "jvp" || callee.name === "vjp"))
      return { kind: "Diff", mode: callee.name, args, span };
    return { kind: "Call", callee, args, span };
  }

  private args(node: CstNode): A.Arg[] {
    return kids(node, "arg").map((a): A.Arg => {
      const name = tok(a, "Identifier");
      return { kind: "Arg", name: name ? this.ident(name) : null, value: this.expr(kid(a, "expr")), span: this.span(a) };
    });
  }

  private indexItem(node: CstNode): A.Expr | A.Slice {
    const start = kid(node, "start");
    if (!tok(node, "colon") && !start) {
      this.error(this.span(node), "I expected an index or a slice here.", { label: "empty", hint: "write an index (`a[0]`), a slice (`a[1:N]`) or `:` for a whole axis." });
      return this.placeholder(this.span(node));
    }
    if (!tok(node, "colon")) return this.expr(start);
    const stop = kid(node, "stop");
    const step = kid(node, "step");
    return {
      kind: "Slice",
      start: start ? this.expr(start) : null,
      stop: stop ? this.expr(stop) : null,
      step: step ? this.expr(step) : null,
      span: this.span(node),
    };
  }

  private primary(node: CstNode | undefined): A.Expr {
    if (!node) return this.placeholder();
    const span = this.span(node);
    const num = tok(node, "NumberLit");
    if (num) return { kind: "Number", text: num.image, value: Number(num.image), isInt: /^\d+$/.test(num.image), span };
    const str = tok(node, "StringLit");
    if (str) return { kind: "String", value: this.unescape(str), span };
    if (tok(node, "True")) return { kind: "Bool", value: true, span };
    if (tok(node, "False")) return { kind: "Bool", value: false, span };
    const name = tok(node, "Identifier");
    if (name) return { kind: "Name", name: name.image, span };
    if (tok(node, "LBracket")) return { kind: "TensorLit", items: kids(node, "items").map((e) => this.expr(e)), span };
    const items = kids(node, "expr").map((e) => this.expr(e));
    if (items.length === 1) return { kind: "Paren", inner: items[0], span };
    return { kind: "Tuple", items, span };
  }

  private unescape(t: IToken): string {
    const body = t.image.slice(1, -1);
    return body.replace(/\\(.)/g, (whole, c: string, at: number) => {
      const known: Record<string, string> = { n: "\n", t: "\t", '"': '"', "\\": "\\" };
      if (c in known) return known[c];
      const start = tokenSpan(t).start;
      const pos = { offset: start.offset + 1 + at, line: start.line, column: start.column + 1 + at };
      this.error({ start: pos, end: { ...pos, offset: pos.offset + 2, column: pos.column + 2 } }, `I don't know the escape \`${whole}\` in this string.`, {
        label: "unknown escape",
        hint: 'the escapes are `\\"`, `\\\\`, `\\n` and `\\t`; write paths with `/`.',
      });
      return c;
    });
  }
}
