// `data NAME = csv("file.csv", x: 0..8, y: 8)`: the source of a data set, read from the
// declaration alone. Compiling never opens the file; the widths of the fields come from the
// declaration, so a batch of B rows gives `x: f32[B, 8]` and `y: f32[B, 1]`. Columns may be
// sizes (`x: 0..D`), so a field's width is the model's `D` in a generic check too; the numbers
// of the DataSource are known in the concrete elaboration (NaN until then).
//
// `data pairs = tensors(f: F, u: U)` takes its records from tensors the program computes: each
// field is a value in scope (f32[R, w], or f32[R] for one column), all with R rows. The
// declaration binds them, as they are there, to symbols of its own (a `let` the checker
// returns), which the `train` op takes as operands; the driver reads them once when it runs.
import type * as A from "../../grammar/ast.js";
import { suggestName } from "../../base/suggest.js";
import { type Dim, dimConst, dimEq, dimSub, dimToString, dimValue } from "../shapes.js";
import { tensor, type TupleT, typeToString } from "../types.js";
import type { DataField, DataSource, FieldSelect } from "../training.js";
import type { Sym, TDecl, TTensor } from "../typed/program.js";
import type { CheckContext } from "./context.js";
import { duplicate } from "./decls.js";
import { tensorOf } from "./expr.js";
import type { Scope } from "./scope.js";
import { asDim, staticEval } from "./static.js";

/** A data set's source and the width of each field, as a size (symbolic in a generic check). */
export interface CheckedData {
  source: DataSource;
  widths: Map<string, Dim>;
  /** `tensors(...)`: the symbols holding each field's values, in the fields' order. */
  operands?: Sym[];
}

const FORMATS = ["csv", "npy", "jsonl", "tensors"] as const;
type FileFormat = Exclude<(typeof FORMATS)[number], "tensors">;
const FORMS: Record<(typeof FORMATS)[number], string> = {
  csv: '`csv("file.csv", x: 0..8, y: 8)`: columns 0 to 7 and column 8',
  npy: '`npy("file.npy", x: 0..8, y: 8)`: columns of a 2-D array (a 1-D array is one column)',
  jsonl: '`jsonl("file.jsonl", x: "features"[0..8], y: "label")`: a number under a key, or entries of an array',
  tensors: "`tensors(x: X, y: Y)`: values the program computes, f32[R, w] or f32[R], one row a record",
};

/** Defines the data set; a `tensors(...)` set also gives the `let` that binds its values where it is declared. */
export function checkData(ctx: CheckContext, d: A.DataDecl, root: Scope): TDecl | undefined {
  const prev = root.own(d.name.name);
  if (prev) return void duplicate(ctx, d.name, prev);
  const isTensors = d.source.kind === "Call" && d.source.callee.kind === "Name" && d.source.callee.name === "tensors";
  const checked = isTensors ? tensorsSource(ctx, d, root) : dataSource(ctx, d, root);
  root.define(d.name.name, { kind: "data", decl: d, ...(checked ? { checked: checked.data } : {}) });
  return checked?.decl;
}

function dataSource(ctx: CheckContext, d: A.DataDecl, scope: Scope): { data: CheckedData; decl?: TDecl } | undefined {
  const e = d.source;
  const format = e.kind === "Call" && e.callee.kind === "Name" ? e.callee.name : undefined;
  if (e.kind !== "Call" || !format || !(FORMATS as readonly string[]).includes(format)) {
    ctx.error(e.span, "bad-data", "A data set is read from a file, `csv(...)`, `npy(...)` or `jsonl(...)`, or made of tensors the program computes, `tensors(...)`.", {
      hint: (format && suggestName(format, FORMATS)) ?? `write ${FORMS.csv}, or ${FORMS.tensors}.`,
    });
    return undefined;
  }
  const fmt = format as FileFormat;
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
  return ok ? { data: { source, widths } } : undefined;
}

/** `tensors(x: X, y: Y)`: each field a tensor of R rows (f32[R, w] or f32[R]), bound here to a symbol of the data set's. */
function tensorsSource(ctx: CheckContext, d: A.DataDecl, scope: Scope): { data: CheckedData; decl: TDecl } | undefined {
  const e = d.source as A.Call;
  const fields: DataField[] = [];
  const widths = new Map<string, Dim>();
  const values: TTensor[] = [];
  let rows: { dim: Dim; field: string } | undefined;
  let ok = true;
  for (const a of e.args) {
    if (!a.name) {
      ctx.error(a.span, "bad-data", "Each argument of `tensors` names a field and gives its values: `x: X`.", { hint: `write ${FORMS.tensors}.` });
      ok = false;
      continue;
    }
    const name = a.name.name;
    if (fields.some((f) => f.name === name)) {
      ctx.error(a.name.span, "duplicate-name", `The field \`${name}\` is named twice.`);
      ok = false;
      continue;
    }
    const v = tensorOf(ctx, a.value, scope);
    if (!v) {
      ok = false;
      continue;
    }
    const { dtype, shape } = v.type;
    if (shape.length === 0 || shape.length > 2 || dtype !== "f32") {
      const what = `The field \`${name}\` of \`${d.name.name}\` is ${typeToString(v.type)}`;
      const [problem, hint] =
        dtype !== "f32"
          ? [`${what}, but a data set's values are f32.`, `convert it: \`${name}: cast(..., "f32")\`.`]
          : shape.length === 0
            ? [`${what}, which has no rows: a data set's records are the rows of its fields, f32[R, w] (w entries each) or f32[R] (one).`, "give the values of every record, one row each."]
            : [`${what}: a field is f32[R, w] (w entries per record) or f32[R] (one entry), not of rank ${shape.length}.`, `flatten each record into one row: \`reshape(..., ${dimToString(shape[0])}, w)\`.`];
      ctx.error(a.value.span, "bad-data", problem, { hint });
      ok = false;
      continue;
    }
    if (rows && !dimEq(rows.dim, shape[0])) {
      ctx.error(a.value.span, "bad-data", `The field \`${name}\` has ${dimToString(shape[0])} rows, but \`${rows.field}\` has ${dimToString(rows.dim)}: every field of \`${d.name.name}\` has one row per record.`, {
        hint: "give every field the same number of rows.",
      });
      ok = false;
      continue;
    }
    rows ??= { dim: shape[0], field: name };
    const width = shape.length === 2 ? shape[1] : dimConst(1);
    fields.push({ name, select: { tensor: fields.length }, width: dimValue(width) ?? NaN });
    widths.set(name, width);
    values.push(v);
  }
  if (ok && fields.length === 0) {
    ctx.error(e.span, "bad-data", "A data set needs at least one field.", { hint: `write ${FORMS.tensors}.` });
    ok = false;
  }
  if (!ok) return undefined;
  // The values as they are at the declaration: later `train` blocks change params, not these.
  const syms = values.map((v, i) => ctx.sym(`${d.name.name}.${fields[i].name}`, tensor(v.type.dtype, v.type.shape)));
  const value = values.length === 1 ? values[0] : { k: "tuple" as const, items: values, type: { tag: "tuple", items: values.map((v) => v.type) } as TupleT, span: e.span };
  const source: DataSource = { name: d.name.name, line: d.span.start.line, format: "tensors", path: "", fields };
  return { data: { source, widths, operands: syms }, decl: { k: "stmt", stmt: { k: "let", syms, value, span: d.span } } };
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
