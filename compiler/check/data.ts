// `data NAME = csv("file.csv", x: 0..8, y: 8)`: the source of a data set, read from the
// declaration alone. Compiling never opens the file; the widths of the fields come from the
// declaration, so a batch of B rows gives `x: f32[B, 8]` and `y: f32[B, 1]`. Columns may be
// sizes (`x: 0..D`), so a field's width is the model's `D` in a generic check too; the numbers
// of the DataSource are known in the concrete elaboration (NaN until then).
import type * as A from "../../grammar/ast.js";
import { suggestName } from "../../base/suggest.js";
import { type Dim, dimConst, dimSub, dimValue } from "../shapes.js";
import type { DataField, DataSource, FieldSelect } from "../training.js";
import type { CheckContext } from "./context.js";
import { duplicate } from "./decls.js";
import type { Scope } from "./scope.js";
import { asDim, staticEval } from "./static.js";

/** A data set's source and the width of each field, as a size (symbolic in a generic check). */
export interface CheckedData {
  source: DataSource;
  widths: Map<string, Dim>;
}

const FORMATS = ["csv", "npy", "jsonl"] as const;
const FORMS: Record<(typeof FORMATS)[number], string> = {
  csv: '`csv("file.csv", x: 0..8, y: 8)`: columns 0 to 7 and column 8',
  npy: '`npy("file.npy", x: 0..8, y: 8)`: columns of a 2-D array (a 1-D array is one column)',
  jsonl: '`jsonl("file.jsonl", x: "features"[0..8], y: "label")`: a number under a key, or entries of an array',
};

export function checkData(ctx: CheckContext, d: A.DataDecl, root: Scope): void {
  const prev = root.own(d.name.name);
  if (prev) return duplicate(ctx, d.name, prev);
  const checked = dataSource(ctx, d, root);
  root.define(d.name.name, { kind: "data", decl: d, ...(checked ? { checked } : {}) });
}

function dataSource(ctx: CheckContext, d: A.DataDecl, scope: Scope): CheckedData | undefined {
  const e = d.source;
  const format = e.kind === "Call" && e.callee.kind === "Name" ? e.callee.name : undefined;
  if (e.kind !== "Call" || !format || !(FORMATS as readonly string[]).includes(format)) {
    ctx.error(e.span, "bad-data", "A data set is read from a file: `csv(...)`, `npy(...)` or `jsonl(...)`.", {
      hint: (format && suggestName(format, FORMATS)) ?? `write ${FORMS.csv}.`,
    });
    return undefined;
  }
  const fmt = format as DataSource["format"];
  const [first, ...rest] = e.args;
  if (!first || first.name || first.value.kind !== "String") {
    ctx.error(first?.span ?? e.span, "bad-data", `The first argument of \`${fmt}\` is the file's path, a string.`, { hint: `write ${FORMS[fmt]}.` });
    return undefined;
  }
  let header: boolean | undefined;
  const fields: DataField[] = [];
  const widths = new Map<string, Dim>();
  let ok = true;
  for (const a of rest) {
    if (!a.name) {
      ctx.error(a.span, "bad-data", "After the path, each argument names a field: `x: 0..8`.", { hint: `write ${FORMS[fmt]}.` });
      ok = false;
      continue;
    }
    if (a.name.name === "header" && fmt === "csv") {
      if (a.value.kind === "Bool") header = a.value.value;
      else (ctx.error(a.value.span, "bad-data", "`header` is `true` or `false`."), (ok = false));
      continue;
    }
    if (fields.some((f) => f.name === a.name!.name)) {
      ctx.error(a.name.span, "duplicate-name", `The field \`${a.name.name}\` is named twice.`);
      ok = false;
      continue;
    }
    const sel = fmt === "jsonl" ? keySelect(ctx, a.value, scope) : columnSelect(ctx, a.value, scope);
    if (!sel) ok = false;
    else {
      fields.push({ name: a.name.name, select: sel.select, width: dimValue(sel.width) ?? NaN });
      widths.set(a.name.name, sel.width);
    }
  }
  if (ok && fields.length === 0) {
    ctx.error(e.span, "bad-data", "A data set needs at least one field.", { hint: `write ${FORMS[fmt]}.` });
    ok = false;
  }
  const source: DataSource = { name: d.name.name, line: d.span.start.line, format: fmt, path: first.value.value, ...(header !== undefined ? { header } : {}), fields };
  return ok ? { source, widths } : undefined;
}

type Selected = { select: FieldSelect; width: Dim };

/** A column: a whole number ≥ 0 or a size, known when compiling; undefined after an error. */
function index(ctx: CheckContext, e: A.Expr, scope: Scope): Dim | undefined {
  const d = asDim(staticEval(e, scope));
  const n = d && dimValue(d);
  if (!d || (n !== undefined && (!Number.isInteger(n) || n < 0))) {
    ctx.error(e.span, "bad-data", "A column is a whole number ≥ 0 (or a size) known when compiling.");
    return undefined;
  }
  return d;
}

/** `0..8` (columns 0 to 7; `0..D` too) or `8`. */
function range(ctx: CheckContext, e: A.Range, scope: Scope): { from: number; to: number; width: Dim } | undefined {
  const [from, to] = [index(ctx, e.start, scope), index(ctx, e.stop, scope)];
  if (!from || !to) return undefined;
  const width = dimSub(to, from);
  const w = dimValue(width);
  if (w !== undefined && w <= 0) {
    const [a, b] = [dimValue(from), dimValue(to)];
    ctx.error(e.span, "bad-data", `The range ${a}..${b} has no columns: the end is excluded.`, { hint: `columns ${a} to ${b} are \`${a}..${b! + 1}\`.` });
    return undefined;
  }
  return { from: dimValue(from) ?? NaN, to: dimValue(to) ?? NaN, width };
}

function columnSelect(ctx: CheckContext, e: A.Expr, scope: Scope): Selected | undefined {
  if (e.kind === "Range") {
    const r = range(ctx, e, scope);
    return r && { select: { from: r.from, to: r.to }, width: r.width };
  }
  const column = index(ctx, e, scope);
  return column && { select: { column: dimValue(column) ?? NaN }, width: dimConst(1) };
}

/** `"label"` or `"features"[0..8]`. */
function keySelect(ctx: CheckContext, e: A.Expr, scope: Scope): Selected | undefined {
  if (e.kind === "String") return { select: { key: e.value }, width: dimConst(1) };
  if (e.kind === "Index" && e.target.kind === "String" && e.indices.length === 1 && e.indices[0].kind === "Range") {
    const r = range(ctx, e.indices[0], scope);
    return r && { select: { key: e.target.value, from: r.from, to: r.to }, width: r.width };
  }
  ctx.error(e.span, "bad-data", "A JSON-lines field is a key, `\"label\"`, or entries of an array under a key, `\"features\"[0..8]`.");
  return undefined;
}
