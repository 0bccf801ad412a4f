// The canonical printer of iterlang: `format(program)` prints the syntax of docs/grammar.md.
//
// Rules (the canonical form):
// - Indentation is 2 spaces per `{}` block level. The output ends with exactly one newline
//   (an empty program prints as the empty string).
// - Blank lines: between top-level declarations one blank line is forced when their kinds
//   differ (except between two of `use dim input param let export`, which stay together as
//   one group of lines) and around every block (`op`/`model` with a `{}` body, `train`,
//   `loop`). Otherwise at most one blank line is kept where the source had one (read from the
//   spans of consecutive declarations and comments); none after `{` or at the file's start.
// - Spacing: binary operators have a space on each side (`a + b`, `a @ b`, `x < 1`) except
//   `^` (`x^2`, `(n + 1)^2`) and the range `..` (`0..8`); unary minus and plus are tight
//   (`-x`), `not` is followed by a space; named arguments are `name: value`; a comma is
//   followed by one space; no spaces inside brackets. `↦ ≤ ≥ ≠` print as `=> <= >= !=`.
// - Parentheses: `Paren` nodes are printed as written; other parentheses are added only
//   where the precedence of the grammar needs them, so the output parses back to the same
//   tree. Loosest to tightest: lambda, `..`, or, and, not, comparison (non-associative),
//   `+ -`, `* / % @`, unary `- +`, `^` (right-associative, its exponent is a unary), postfix.
// - Literals: numbers as written (`text`), strings re-escaped (`\"`, `\\`, `\n`, `\t`),
//   `Diff` nodes as `grad(...)`, `jvp(...)`, `vjp(...)`.
// - Clauses of fixpoint, solve, minimize and loop print in the order
//   `init method precond until max grad`. With two or more clauses, or when the one-line form
//   is wider than the width (96 by default), each clause goes on its own line, indented 2
//   more; `-> u` stays at the end of the last line. `method picard` keeps its missing parentheses, `method cg()` its
//   empty ones. A `check`'s `for` clauses follow the same rule, in the order written.
// - A line that is still too wide breaks the outermost bracketed list that does not fit
//   (call and spec arguments, parameters, `carry (...)`, tuples, index lists, tensor
//   literals) with one item per line, indented 2 more, without a trailing comma; inner
//   lists (rows of a tensor literal) stay on one line when they fit.
// - `train` settings that started a line in the source start a line; the others follow the
//   previous setting on its line (`epochs 30 batch 64 seed 0`).
// - Comments survive exactly once, by position. Own-line comments before a declaration or
//   statement print above it at its indentation; a comment after one on the same line stays
//   at the end of its last line, two spaces before `#`; comments after the last statement
//   of a block or of the file stay there. A comment on the line of a block's `{` stays after
//   the `{` (for a `loop` whose header no longer fits on one line it opens the block
//   instead); a comment after a clause of a multi-line construct stays after that clause
//   (this keeps the construct one clause per line). Any other comment inside a statement
//   (inside a multi-line expression, a parameter list, ...) moves above the statement. A
//   line never receives two comments (the second would become part of the first).
//   Comment text is printed as written, trimmed of trailing spaces.
//
// `format(parse(format(p)))` equals `format(p)`; the printed program parses back to `p` up
// to spans. Layout uses a small Wadler-style document printer (text, groups that break as a
// whole, indentation, line breaks, end-of-line comments), the one Prettier also uses.
import type {
  Arg,
  Body,
  CarryInit,
  CheckDecl,
  ForBinding,
  Comment,
  Decl,
  Expr,
  Fixpoint,
  GradSpec,
  Ident,
  Loop,
  MethodSpec,
  Minimize,
  ModelDecl,
  OpDecl,
  Param,
  Program,
  Slice,
  Solve,
  Span,
  Stmt,
  Tag,
  TrainDecl,
  TrainSetting,
  TypeExpr,
} from "./ast.js";
import { CLAUSE_ORDER } from "./ast.js";

export interface FormatOptions {
  /** The widest a line may be before the printer breaks it; 96 by default. */
  width?: number;
}

export const DEFAULT_WIDTH = 96;

export function format(program: Program, options?: FormatOptions): string {
  const printer = new Printer(options?.width ?? DEFAULT_WIDTH);
  const comments = [...program.comments].sort((a, b) => a.span.start.offset - b.span.start.offset);
  const lines = printer.list(program.decls, comments, 0, true);
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------
// Documents: a tiny version of Wadler's "prettier printer".

type Doc = string | Doc[] | Group | Indent | Line | Suffix;
interface Group {
  t: "group";
  contents: Doc;
  /** Broken even when it would fit (it holds an end-of-line comment). */
  broken: boolean;
}
interface Indent {
  t: "indent";
  contents: Doc;
}
/** A space (or nothing, when soft) if its group is flat, a new line if it is broken. */
interface Line {
  t: "line";
  soft: boolean;
}
/** Text put at the end of the current line when it ends (an end-of-line comment). */
interface Suffix {
  t: "suffix";
  text: string;
}

const line: Line = { t: "line", soft: false };
const softline: Line = { t: "line", soft: true };
const group = (contents: Doc, broken = false): Group => ({ t: "group", contents, broken });
const indent = (contents: Doc): Indent => ({ t: "indent", contents });
const suffix = (c: Comment | null | undefined): Doc => (c ? { t: "suffix", text: commentText(c) } : "");

function join(separator: Doc, docs: Doc[]): Doc[] {
  const out: Doc[] = [];
  docs.forEach((d, i) => {
    if (i > 0) out.push(separator);
    out.push(d);
  });
  return out;
}

/** `open item, item close`, one item per line when it does not fit. */
function bracketList(open: string, close: string, items: Doc[]): Doc {
  if (items.length === 0) return open + close;
  return group([open, indent([softline, join([",", line], items)]), softline, close]);
}

const FLAT = 0;
const BREAK = 1;
type Mode = typeof FLAT | typeof BREAK;
type Command = [indent: number, mode: Mode, doc: Doc];

function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Whether `next` printed flat, followed by `rest` up to its first line break, fits. */
function fits(next: Command, rest: Command[], width: number): boolean {
  const cmds: Command[] = [next];
  let restIndex = rest.length;
  while (width >= 0) {
    const cmd = cmds.pop();
    if (cmd === undefined) {
      if (restIndex === 0) return true;
      cmds.push(rest[--restIndex]);
      continue;
    }
    const [ind, mode, doc] = cmd;
    if (typeof doc === "string") width -= textWidth(doc);
    else if (Array.isArray(doc)) for (let i = doc.length - 1; i >= 0; i--) cmds.push([ind, mode, doc[i]]);
    else if (doc.t === "indent") cmds.push([ind, mode, doc.contents]);
    else if (doc.t === "group") cmds.push([ind, doc.broken ? BREAK : mode, doc.contents]);
    else if (doc.t === "line") {
      if (mode === BREAK) return true;
      if (!doc.soft) width -= 1;
    }
  }
  return false;
}

/** Lays `doc` out starting at column `start`, every line indented by at least `start`. */
function render(doc: Doc, start: number, width: number): string[] {
  const lines: string[] = [];
  let current = " ".repeat(start);
  let column = start;
  let pending: string[] = [];
  const endLine = (): void => {
    if (pending.length > 0) current += "  " + pending.join("  ");
    pending = [];
    lines.push(current.trimEnd());
  };
  const stack: Command[] = [[start, BREAK, doc]];
  while (stack.length > 0) {
    const [ind, mode, d] = stack.pop()!;
    if (typeof d === "string") {
      current += d;
      column += textWidth(d);
    } else if (Array.isArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) stack.push([ind, mode, d[i]]);
    } else if (d.t === "indent") {
      stack.push([ind + 2, mode, d.contents]);
    } else if (d.t === "group") {
      const flat = !d.broken && (mode === FLAT || fits([ind, FLAT, d.contents], stack, width - column));
      stack.push([ind, flat ? FLAT : BREAK, d.contents]);
    } else if (d.t === "line") {
      if (mode === FLAT) {
        if (!d.soft) {
          current += " ";
          column += 1;
        }
      } else {
        endLine();
        current = " ".repeat(ind);
        column = ind;
      }
    } else {
      pending.push(d.text);
    }
  }
  endLine();
  return lines;
}

// ---------------------------------------------------------------------------------------
// Expressions and types

const LAMBDA = 0;
const RANGE = 1;
const OR = 2;
const AND = 3;
const NOT = 4;
const COMPARE = 5;
const ADDITIVE = 6;
const TERM = 7;
const UNARY = 8;
const POWER = 9;
const POSTFIX = 10;
const PRIMARY = 11;

function binaryLevel(op: string): number {
  switch (op) {
    case "or":
      return OR;
    case "and":
      return AND;
    case "+":
    case "-":
      return ADDITIVE;
    case "*":
    case "/":
    case "%":
    case "@":
      return TERM;
    case "^":
      return POWER;
    default:
      return COMPARE;
  }
}

/** How tightly an expression binds, as the grammar's precedence levels. */
function level(e: Expr): number {
  switch (e.kind) {
    case "Lambda":
    case "If":
      return LAMBDA;
    case "Range":
      return RANGE;
    case "Binary":
      return binaryLevel(e.op);
    case "Unary":
      return e.op === "not" ? NOT : UNARY;
    case "Call":
    case "Diff":
    case "Index":
    case "Member":
      return POSTFIX;
    case "Number":
    case "String":
    case "Bool":
    case "Name":
    case "TensorLit":
    case "Tuple":
    case "Paren":
      return PRIMARY;
  }
}

/** `e` printed where the grammar expects an expression of at least `min` precedence. */
function expr(e: Expr, min = LAMBDA): Doc {
  const doc = bareExpr(e);
  return level(e) < min ? ["(", doc, ")"] : doc;
}

function bareExpr(e: Expr): Doc {
  switch (e.kind) {
    case "If":
      return ["if ", expr(e.cond), " then ", expr(e.then), " else ", expr(e.else)];
    case "Number":
      return e.text;
    case "String":
      return quote(e.value);
    case "Bool":
      return e.value ? "true" : "false";
    case "Name":
      return e.name;
    case "Unary":
      return e.op === "not" ? ["not ", expr(e.operand, NOT)] : [e.op, expr(e.operand, UNARY)];
    case "Binary": {
      const lv = binaryLevel(e.op);
      if (e.op === "^") return [expr(e.left, POSTFIX), "^", expr(e.right, UNARY)];
      if (lv === COMPARE) return [expr(e.left, ADDITIVE), ` ${e.op} `, expr(e.right, ADDITIVE)];
      return [expr(e.left, lv), ` ${e.op} `, expr(e.right, lv + 1)];
    }
    case "Range":
      return [expr(e.start, OR), "..", expr(e.stop, OR)];
    case "Lambda": {
      const [only] = e.params;
      const params =
        e.params.length === 1 && only.type === null && only.default === null ? only.name.name : bracketList("(", ")", e.params.map(param));
      return [params, " => ", expr(e.body)];
    }
    case "Call":
      return [expr(e.callee, POSTFIX), args(e.args)];
    case "Diff":
      return [e.mode, args(e.args)];
    case "Index":
      return [expr(e.target, POSTFIX), bracketList("[", "]", e.indices.map(indexItem))];
    case "Member":
      return [expr(e.target, POSTFIX), ".", e.field.name];
    case "TensorLit":
      return bracketList("[", "]", e.items.map((i) => expr(i)));
    case "Tuple":
      return bracketList("(", ")", e.items.map((i) => expr(i)));
    case "Paren":
      return ["(", expr(e.inner), ")"];
  }
}

function args(list: Arg[]): Doc {
  return bracketList(
    "(",
    ")",
    list.map((a) => (a.name ? [a.name.name, ": ", expr(a.value)] : expr(a.value))),
  );
}

function indexItem(i: Expr | Slice): Doc {
  if (i.kind !== "Slice") return expr(i);
  const parts: Doc[] = [i.start ? expr(i.start) : "", ":", i.stop ? expr(i.stop) : ""];
  if (i.step) parts.push(":", expr(i.step));
  return parts;
}

function param(p: Param): Doc {
  return [p.name.name, p.type ? [": ", type(p.type)] : "", p.default ? [" = ", expr(p.default)] : ""];
}

function quote(value: string): string {
  const escaped = value.replace(/[\\"\n\t]/g, (ch) => (ch === "\n" ? "\\n" : ch === "\t" ? "\\t" : "\\" + ch));
  return `"${escaped}"`;
}

function type(t: TypeExpr): Doc {
  switch (t.kind) {
    case "TensorType":
      return t.shape === null ? t.dtype : [t.dtype, bracketList("[", "]", t.shape.map((d) => expr(d)))];
    case "OpType":
      if (t.params === null && t.result === null) return "op";
      return ["op", bracketList("(", ")", (t.params ?? []).map(type)), t.result ? [" -> ", type(t.result)] : ""];
    case "TupleType":
      return bracketList("(", ")", t.items.map(type));
  }
}

function spec(s: MethodSpec | GradSpec | Tag): Doc {
  if (s.kind === "MethodSpec" && s.lambda) return expr(s.lambda);
  const name = s.kind === "GradSpec" ? s.mode.name : s.name.name;
  return s.args === null ? name : [name, args(s.args)];
}

/** `u` or `(a, b)`: the names of a `let`, an assignment or a loop's outputs. */
function names(list: Ident[]): Doc {
  return list.length === 1 ? list[0].name : ["(", join(", ", list.map((n) => n.name)), ")"];
}

function carryInit(c: CarryInit): Doc {
  return [c.name.name, c.type ? [": ", type(c.type)] : "", " = ", expr(c.value)];
}

// ---------------------------------------------------------------------------------------
// Comments

function commentText(c: Comment): string {
  return c.text.trimEnd();
}

const startOf = (s: Span): number => s.start.offset;
const endOf = (s: Span): number => s.end.offset;
const lineOf = (c: Comment): number => c.span.start.line;

interface Distribution {
  /** Own-line comments before each item (and after the previous one). */
  leading: Comment[][];
  /** Comments inside each item's span. */
  inner: Comment[][];
  /** The comment after each item on the line where it ends. */
  trailing: (Comment | null)[];
  /** Comments after the last item. */
  dangling: Comment[];
}

/** Assigns each comment (sorted by position) to the item it belongs to. */
function distribute(spans: Span[], comments: Comment[]): Distribution {
  const d: Distribution = {
    leading: spans.map(() => []),
    inner: spans.map(() => []),
    trailing: spans.map(() => null),
    dangling: [],
  };
  for (const c of comments) {
    const at = startOf(c.span);
    const inside = spans.findIndex((s) => startOf(s) <= at && at < endOf(s));
    if (inside >= 0) {
      d.inner[inside].push(c);
      continue;
    }
    let before = -1;
    spans.forEach((s, i) => {
      if (endOf(s) <= at && (before < 0 || endOf(s) >= endOf(spans[before]))) before = i;
    });
    if (before >= 0 && spans[before].end.line === lineOf(c) && d.trailing[before] === null) {
      d.trailing[before] = c;
      continue;
    }
    const after = spans.findIndex((s) => startOf(s) >= at);
    if (after >= 0) d.leading[after].push(c);
    else d.dangling.push(c);
  }
  return d;
}

/** A printed item of a list (a declaration, a statement, a line of train settings). */
interface Unit {
  leading: Comment[];
  /** Comments moved out of the item, printed between the leading ones and the item. */
  above: Comment[];
  startLine: number;
  endLine: number;
  lines: string[];
  /** A blank line before it whatever the source had. */
  blankBefore: boolean;
}

/** Prints units and the comments after them, keeping (at most one) blank line. */
function emitUnits(units: Unit[], dangling: Comment[], ind: number): string[] {
  const pad = " ".repeat(ind);
  const out: string[] = [];
  let previous: number | null = null;
  let blank = false;
  const put = (startLine: number, text: string[]): void => {
    if (previous !== null && startLine - previous > 1) blank = true;
    if (blank && out.length > 0) out.push("");
    blank = false;
    out.push(...text);
  };
  for (const u of units) {
    blank = u.blankBefore;
    for (const c of u.leading) {
      put(lineOf(c), [pad + commentText(c)]);
      previous = lineOf(c);
    }
    put(u.startLine, [...u.above.map((c) => pad + commentText(c)), ...u.lines]);
    previous = u.endLine;
  }
  for (const c of dangling) {
    put(lineOf(c), [pad + commentText(c)]);
    previous = lineOf(c);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Declarations and statements

type Item = Decl | Stmt;
type ClauseOwner = Fixpoint | Solve | Minimize | Loop;

const LINE_DECLS: ReadonlySet<string> = new Set(["Use", "Dim", "Input", "ParamDecl", "Let", "Export"]);

function isBlock(d: Item): boolean {
  return d.kind === "Loop" || d.kind === "Train" || ((d.kind === "Op" || d.kind === "Model") && d.body.kind === "Block");
}

function forcedBlank(previous: Item, next: Item): boolean {
  if (isBlock(previous) || isBlock(next)) return true;
  return previous.kind !== next.kind && !(LINE_DECLS.has(previous.kind) && LINE_DECLS.has(next.kind));
}

interface Printed {
  above: Comment[];
  lines: string[];
}

class Printer {
  constructor(private readonly width: number) {}

  private render(doc: Doc, ind: number): string[] {
    return render(doc, ind, this.width);
  }

  /** A list of declarations (`top`) or of a block's statements. */
  list(items: Item[], comments: Comment[], ind: number, top: boolean): string[] {
    const d = distribute(
      items.map((i) => i.span),
      comments,
    );
    const units = items.map((item, i): Unit => {
      const printed = this.item(item, ind, d.inner[i], d.trailing[i]);
      return {
        leading: d.leading[i],
        above: printed.above,
        startLine: item.span.start.line,
        endLine: item.span.end.line,
        lines: printed.lines,
        blankBefore: top && i > 0 && forcedBlank(items[i - 1], item),
      };
    });
    return emitUnits(units, d.dangling, ind);
  }

  private item(node: Item, ind: number, inner: Comment[], trailing: Comment | null): Printed {
    switch (node.kind) {
      case "Fixpoint":
      case "Solve":
      case "Minimize":
        return this.clauseStmt(node, ind, inner, trailing);
      case "Loop":
        return this.loop(node, ind, inner, trailing);
      case "Train":
        return this.train(node, ind, inner, trailing);
      case "Check":
        if (node.given.length) return this.check(node, ind, inner, trailing);
        break;
      case "Op":
      case "Model":
        if (node.body.kind === "Block") return this.blockDecl(node, node.body, ind, inner, trailing);
        break;
    }
    return { above: inner, lines: this.render([simple(node), suffix(trailing)], ind) };
  }

  /** `fixpoint`, `solve` and `minimize`: a head, clauses, and for the last two `-> u`. */
  private clauseStmt(node: Fixpoint | Solve | Minimize, ind: number, inner: Comment[], trailing: Comment | null): Printed {
    let head: Doc;
    let headSpan: Span;
    let arrow: Doc = "";
    if (node.kind === "Fixpoint") {
      head = ["fixpoint ", node.target.name, node.type ? [": ", type(node.type)] : "", " = ", expr(node.body)];
      headSpan = node.body.span;
    } else if (node.kind === "Solve") {
      head = ["solve ", expr(node.lhs), " = ", expr(node.rhs)];
      headSpan = node.rhs.span;
      arrow = [" -> ", node.unknown.name, node.unknownType ? [": ", type(node.unknownType)] : ""];
    } else {
      head = ["minimize ", expr(node.objective)];
      headSpan = node.objective.span;
      arrow = [" -> ", node.unknown.name, node.unknownType ? [": ", type(node.unknownType)] : ""];
    }
    const clauses = clauseList(node);
    const parts = [{ span: headSpan, doc: head }, ...clauses];
    const placed = placeAfterParts(parts, inner, trailing);
    const docs: Doc[] = [parts[0].doc, suffix(placed.after[0])];
    clauses.forEach((c, i) => docs.push(indent([line, c.doc, suffix(placed.after[i + 1])])));
    docs.push(arrow, suffix(placed.trailing));
    // Two or more clauses read best one per line, as in the language reference's examples.
    return { above: placed.above, lines: this.render(group(docs, placed.forceBreak || clauses.length >= 2), ind) };
  }

  /** `check contract for x ~ d ...`: each `for` a clause, one per line when there are two or more. */
  private check(node: CheckDecl, ind: number, inner: Comment[], trailing: Comment | null): Printed {
    const bindings = node.given.map((b) => ({ span: b.span, doc: ["for ", forBinding(b)] as Doc }));
    const parts = [{ span: node.contract.span, doc: ["check ", expr(node.contract)] as Doc }, ...bindings];
    const placed = placeAfterParts(parts, inner, trailing);
    const docs: Doc[] = [parts[0].doc, suffix(placed.after[0])];
    bindings.forEach((c, i) => docs.push(indent([line, c.doc, suffix(placed.after[i + 1])])));
    docs.push(suffix(placed.trailing));
    return { above: placed.above, lines: this.render(group(docs, placed.forceBreak || bindings.length >= 2), ind) };
  }

  /** `loop k < n carry (...) { ... } clauses -> outputs` */
  private loop(node: Loop, ind: number, inner: Comment[], trailing: Comment | null): Printed {
    const lastCarry = node.carry[node.carry.length - 1];
    const headerEnd: Span | null = lastCarry?.span ?? node.bound?.span ?? node.counter?.span ?? null;
    const bodyFrom = headerEnd ? endOf(headerEnd) : startOf(node.span) + "loop".length;
    const headerLine = headerEnd ? headerEnd.end.line : node.span.start.line;
    const clauses = clauseList(node);
    const closingFrom = Math.min(
      ...clauses.map((c) => startOf(c.span)),
      ...node.outputs.map((o) => startOf(o.span)),
      endOf(node.span),
    );
    // Header comments move above; then the block's; then those among the closing clauses.
    const above: Comment[] = [];
    const blockComments: Comment[] = [];
    const closing: Comment[] = [];
    for (const c of inner) {
      const at = startOf(c.span);
      (at < bodyFrom ? above : at < closingFrom ? blockComments : closing).push(c);
    }

    const header: Doc = [
      "loop",
      node.counter ? [" ", node.counter.name, " < ", node.bound ? expr(node.bound, ADDITIVE) : ""] : "",
      node.carry.length > 0 ? [" carry ", bracketList("(", ")", node.carry.map(carryInit))] : "",
      " {",
    ];
    let headerLines = this.render(header, ind);
    const first = node.body[0];
    const onBrace = blockComments.find(
      (c) => lineOf(c) === headerLine && (first === undefined || startOf(c.span) < startOf(first.span)),
    );
    // On the `{` line only while that is the line where the header ends (it is when the
    // header fits on one line); otherwise the comment opens the block.
    let body = blockComments;
    if (onBrace && headerLines.length === 1) {
      headerLines = this.render([header, suffix(onBrace)], ind);
      body = blockComments.filter((c) => c !== onBrace);
    }
    const bodyLines = this.list(node.body, body, ind + 2, false);

    const parts = clauses.map((c) => ({ span: c.span, doc: c.doc }));
    const placed = placeAfterParts(parts, closing, trailing);
    const docs: Doc[] = ["}"];
    clauses.forEach((c, i) => docs.push(indent([line, c.doc, suffix(placed.after[i])])));
    docs.push(" -> ", names(node.outputs), suffix(placed.trailing));
    const closingLines = this.render(group(docs, placed.forceBreak), ind);
    return { above: [...above, ...placed.above], lines: [...headerLines, ...bodyLines, ...closingLines] };
  }

  /** `op`/`model` with a `{}` body. */
  private blockDecl(node: OpDecl | ModelDecl, body: Extract<Body, { kind: "Block" }>, ind: number, inner: Comment[], trailing: Comment | null): Printed {
    const brace = startOf(body.span);
    const above = inner.filter((c) => startOf(c.span) < brace);
    let blockComments = inner.filter((c) => startOf(c.span) >= brace);
    const first = body.stmts[0];
    const onBrace = blockComments.find(
      (c) => lineOf(c) === body.span.start.line && (first === undefined || startOf(c.span) < startOf(first.span)),
    );
    if (onBrace) blockComments = blockComments.filter((c) => c !== onBrace);
    const headerLines = this.render([signature(node), " {", suffix(onBrace)], ind);
    const bodyLines = this.list(body.stmts, blockComments, ind + 2, false);
    const closing = this.render(["}", suffix(trailing)], ind);
    return { above, lines: [...headerLines, ...bodyLines, ...closing] };
  }

  /** `train m on d { settings }`: settings keep the lines they started in the source. */
  private train(node: TrainDecl, ind: number, inner: Comment[], trailing: Comment | null): Printed {
    const headerEnd = endOf(node.data.span);
    const above = inner.filter((c) => startOf(c.span) < headerEnd);
    let rest = inner.filter((c) => startOf(c.span) >= headerEnd);
    const first = node.settings[0];
    const onBrace = rest.find(
      (c) => lineOf(c) === node.data.span.end.line && (first === undefined || startOf(c.span) < startOf(first.span)),
    );
    if (onBrace) rest = rest.filter((c) => c !== onBrace);
    const headerLines = this.render([`train ${node.model.name} on ${node.data.name} {`, suffix(onBrace)], ind);

    const d = distribute(
      node.settings.map((s) => s.span),
      rest,
    );
    // Group the settings into lines: a setting starts a line when it did in the source or
    // when a comment has to stand before it or ended the previous line.
    const runs: number[][] = [];
    node.settings.forEach((s, i) => {
      const starts = i === 0 || s.newline || d.leading[i].length > 0 || d.inner[i].length > 0 || d.trailing[i - 1] !== null;
      if (starts) runs.push([i]);
      else runs[runs.length - 1].push(i);
    });
    const units = runs.map((run): Unit => {
      const last = run[run.length - 1];
      const doc: Doc = [join(" ", run.map((i) => setting(node.settings[i]))), suffix(d.trailing[last])];
      return {
        leading: d.leading[run[0]],
        above: run.flatMap((i) => d.inner[i]),
        startLine: node.settings[run[0]].span.start.line,
        endLine: node.settings[last].span.end.line,
        lines: this.render(doc, ind + 2),
        blankBefore: false,
      };
    });
    const bodyLines = emitUnits(units, d.dangling, ind + 2);
    const closing = this.render(["}", suffix(trailing)], ind);
    return { above, lines: [...headerLines, ...bodyLines, ...closing] };
  }
}

interface ClausePart {
  span: Span;
  doc: Doc;
}

/** The clauses present, in the canonical order, each with the span of its value. */
function clauseList(node: ClauseOwner): ClausePart[] {
  const parts: ClausePart[] = [];
  for (const name of CLAUSE_ORDER) {
    switch (name) {
      case "init":
        if (node.init) parts.push({ span: node.init.span, doc: ["init ", expr(node.init)] });
        break;
      case "method":
        if (node.method) parts.push({ span: node.method.span, doc: ["method ", spec(node.method)] });
        break;
      case "precond":
        if (node.precond) parts.push({ span: node.precond.span, doc: ["precond ", spec(node.precond)] });
        break;
      case "until":
        if (node.until) parts.push({ span: node.until.span, doc: ["until ", expr(node.until)] });
        break;
      case "max":
        if (node.max) parts.push({ span: node.max.span, doc: ["max ", expr(node.max)] });
        break;
      case "grad":
        if (node.grad) parts.push({ span: node.grad.span, doc: ["grad ", spec(node.grad)] });
        break;
      case "nullspace":
        if (node.nullspace) parts.push({ span: node.nullspace.span, doc: ["nullspace ", expr(node.nullspace)] });
        break;
      case "onBackwardFail":
        if (node.onBackwardFail) parts.push({ span: node.onBackwardFail.span, doc: ["on backward_fail ", spec(node.onBackwardFail)] });
        break;
    }
  }
  return parts;
}

interface Placement {
  /** The comment printed after each part (on the line where the part ends). */
  after: (Comment | null)[];
  trailing: Comment | null;
  above: Comment[];
  forceBreak: boolean;
}

/**
 * Comments inside a multi-line construct: one that followed a part (the head or a clause)
 * on the line where that part ends stays after it, and the construct prints one clause per
 * line; the last part's comment joins the statement's end; any other moves above.
 */
function placeAfterParts(parts: ClausePart[], comments: Comment[], trailing: Comment | null): Placement {
  const after: (Comment | null)[] = parts.map(() => null);
  const above: Comment[] = [];
  for (const c of comments) {
    const at = startOf(c.span);
    let best = -1;
    parts.forEach((p, i) => {
      if (endOf(p.span) <= at && p.span.end.line === lineOf(c) && (best < 0 || endOf(p.span) > endOf(parts[best].span))) best = i;
    });
    if (best >= 0 && after[best] === null) after[best] = c;
    else above.push(c);
  }
  const last = parts.length - 1;
  if (last >= 0 && after[last] !== null) {
    if (trailing === null) trailing = after[last];
    else above.push(after[last]!);
    after[last] = null;
  }
  above.sort((a, b) => startOf(a.span) - startOf(b.span));
  return { after, trailing, above, forceBreak: after.some((c) => c !== null) };
}

function signature(node: OpDecl | ModelDecl): Doc {
  return [
    node.kind === "Op" ? "op " : "model ",
    node.name.name,
    bracketList("(", ")", node.params.map(param)),
    node.result ? [" -> ", type(node.result)] : "",
    node.tags.length ? [" is ", join(", ", node.tags.map(spec))] : "",
  ];
}

/** `x ~ normal(std: 2)`, `z: f32[N]`, `z: f32[N] ~ uniform()`, `n = 8`. */
function forBinding(b: ForBinding): Doc {
  return [b.name.name, b.type ? [": ", type(b.type)] : "", b.draw ? [" ~ ", expr(b.draw)] : "", b.value ? [" = ", expr(b.value)] : ""];
}

function setting(s: TrainSetting): Doc {
  return [
    s.key.name,
    " ",
    expr(s.value),
    s.every ? [" every ", expr(s.every.count), " ", s.every.unit.name] : "",
  ];
}

/** Declarations and statements that are one construct without blocks or clauses. */
function simple(node: Exclude<Item, ClauseOwner | TrainDecl>): Doc {
  switch (node.kind) {
    case "Use":
      return [
        "use ",
        node.path.map((p) => p.name).join("."),
        node.names ? [".{", join(", ", node.names.map((n) => n.name)), "}"] : "",
      ];
    case "Dim":
      return ["dim ", join(", ", node.items.map((i) => [i.name.name, i.value ? [" = ", expr(i.value)] : ""]))];
    case "Input":
      return ["input ", node.name.name, ": ", type(node.type), node.default ? [" = ", expr(node.default)] : ""];
    case "ParamDecl":
      return ["param ", node.name.name, ": ", type(node.type), node.init ? [" init ", expr(node.init)] : ""];
    case "Op":
    case "Model":
      // A `{}` body is printed by Printer.blockDecl; this is the `= expr` form.
      return [signature(node), " = ", node.body.kind === "ExprBody" ? expr(node.body.expr) : ""];
    case "Data":
      return ["data ", node.name.name, " = ", expr(node.source)];
    case "Export":
      return ["export ", node.name.name, node.value ? [" = ", expr(node.value)] : ""];
    case "Check":
      return ["check ", expr(node.contract)];
    case "Let":
      return ["let ", names(node.names), node.type ? [": ", type(node.type)] : "", " = ", expr(node.value)];
    case "Assign":
      return [names(node.names), " = ", expr(node.value)];
    case "Return":
      return ["return ", expr(node.value)];
  }
}
