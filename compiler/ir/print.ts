// The IR's text form: one op per line, regions indented under the op that owns them. It is
// what `--dump-after=NAME` prints and what the IR tests compare against, so it is stable:
// the same module always gives the same text (attributes sorted by key, numbers in one form).
//
//   func main() {
//     %0.f: f32[63, 63] = input {name: "f"}
//     %1.u: f32[63, 63] = solve(%0.f) {method: "cg", options: {maxiter: 2000, rtol: 1e-6}} label "u" {
//       operator(%2.u: f32[63, 63]) {
//         %3: f32[63, 63] = stencil5(%2.u) {center: 4, side: -1, boundary: "zero"}
//         yield %3
//       }
//     }
//     export u = %1.u
//   }
//
// A value prints as `%id`, or `%id.hint` when it carries a source name. A builtin's static
// arguments come first, in the builtin's own parameter order; a construct's fields follow,
// sorted by key. A `const` prints its value inline; an op without inputs prints no
// parentheses; a construct's regions print under their names (`operator`, `start`, `step`).
import { dimToString } from "../shapes.js";
import type { TensorT } from "../types.js";
import { type Attr, type Func, type Module, namedRegions, type Op, opAttrs, opName, type Region, type Value } from "./ir.js";

const INDENT = "  ";

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function printType(t: TensorT): string {
  return `${t.dtype}[${t.shape.map(dimToString).join(", ")}]`;
}

/** `%3`, or `%3.u` when the value carries a source name. */
export function printValue(v: Value): string {
  return v.hint !== undefined && IDENT.test(v.hint) ? `%${v.id}.${v.hint}` : `%${v.id}`;
}

/** A number in the shortest form that reads back as the same double (`1e-6`, `4096`, `inf`). */
export function printNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (Object.is(n, -0)) return "-0";
  const abs = Math.abs(n);
  const s = abs !== 0 && abs < 1e-3 ? n.toExponential() : String(n);
  return s.replace("e+", "e");
}

/** The shortest decimal that reads back as the same float32 (`0.1`, not `0.10000000149`). */
export function printFloat32(n: number): string {
  if (!Number.isFinite(n) || Object.is(n, -0)) return printNumber(n);
  const target = Math.fround(n);
  for (let p = 1; p <= 9; p++) {
    const shortest = Number(n.toPrecision(p));
    if (Math.fround(shortest) === target) return printNumber(shortest);
  }
  return printNumber(target);
}

export function printAttr(a: Attr, number: (n: number) => string = printNumber): string {
  if (a === null) return "null";
  if (typeof a === "number") return number(a);
  if (typeof a === "string") return JSON.stringify(a);
  if (typeof a === "boolean") return String(a);
  if (Array.isArray(a)) return `[${(a as Attr[]).map((x) => printAttr(x, number)).join(", ")}]`;
  return printFields(Object.keys(a).sort(), a, number);
}

function printKey(k: string): string {
  return IDENT.test(k) ? k : JSON.stringify(k);
}

function printFields(keys: readonly string[], rec: Record<string, Attr>, number: (n: number) => string = printNumber): string {
  return `{${keys.map((k) => `${printKey(k)}: ${printAttr(rec[k], number)}`).join(", ")}}`;
}

/** `{...}` after the op: a builtin's statics in their own order, any other op's fields sorted. */
function printOpAttrs(op: Op): string {
  if (op.kind === "const") return "";
  const attrs = opAttrs(op);
  const keys = op.kind === "builtin" ? Object.keys(attrs) : Object.keys(attrs).sort();
  return keys.length ? ` {${keys.map((k) => `${printKey(k)}: ${printAttr(attrs[k])}`).join(", ")}}` : "";
}

function printConstValue(op: Op): string {
  if (op.kind !== "const") return "";
  const dtype = op.outputs[0]?.type.dtype;
  return ` ${printAttr(op.value, dtype === "f32" ? printFloat32 : printNumber)}`;
}

function printOp(op: Op, indent: string, lines: string[]): void {
  const defs = op.outputs.map((o) => `${printValue(o)}: ${printType(o.type)}`).join(", ");
  const head = defs ? `${defs} = ` : "";
  // An op without inputs has no parentheses (`input {name: "f"}`, `zeros {dims: [3]}`).
  const args = op.inputs.length ? `(${op.inputs.map(printValue).join(", ")})` : "";
  const label = "label" in op ? ` label ${JSON.stringify(op.label)}` : "";
  const regions = namedRegions(op);
  const open = regions.length ? " {" : "";
  lines.push(`${indent}${head}${opName(op)}${args}${printConstValue(op)}${printOpAttrs(op)}${label}${open}`);
  if (!regions.length) return;
  for (const [name, r] of regions) printRegionInto(r, name, indent + INDENT, lines);
  lines.push(`${indent}}`);
}

function printParams(params: readonly Value[]): string {
  return `(${params.map((p) => `${printValue(p)}: ${printType(p.type)}`).join(", ")})`;
}

function printRegionInto(r: Region, name: string, indent: string, lines: string[]): void {
  lines.push(`${indent}${name}${printParams(r.params)} {`);
  printBody(r, indent + INDENT, lines, "yield");
  lines.push(`${indent}}`);
}

function printBody(r: Region, indent: string, lines: string[], terminator: string | undefined): void {
  for (const op of r.ops) printOp(op, indent, lines);
  if (terminator !== undefined) lines.push(`${indent}${terminator}${r.results.length ? " " : ""}${r.results.map(printValue).join(", ")}`);
}

/** A region as `name(%params) { ops; yield results }`, indented by `depth` levels. */
export function printRegion(r: Region, name = "region", depth = 0): string {
  const lines: string[] = [];
  printRegionInto(r, name, INDENT.repeat(depth), lines);
  return lines.join("\n");
}

/**
 * A function. With `exports` (for `main`), the exported values print as `export name = %v`
 * lines, and the `return` line is left out when the results are exactly those values.
 */
export function printFunc(f: Func, exports: Module["exports"] = []): string {
  const sizes = f.sizeParams.length ? ` sizes(${f.sizeParams.join(", ")})` : "";
  const lines = [`func ${f.name}${printParams(f.body.params)}${sizes} {`];
  const sameAsExports = exports.length === f.body.results.length && exports.every((e, i) => e.value.id === f.body.results[i].id);
  const showReturn = f.body.results.length > 0 && !sameAsExports;
  printBody(f.body, INDENT, lines, showReturn ? "return" : undefined);
  for (const e of exports) lines.push(`${INDENT}export ${printKey(e.name)} = ${printValue(e.value)}`);
  lines.push("}");
  return lines.join("\n");
}

/** Every function (in the module's order, `main` last), separated by blank lines. */
export function printModule(m: Module): string {
  const funcs = [...m.funcs.values()];
  const ordered = [...funcs.filter((f) => f.name !== "main"), ...funcs.filter((f) => f.name === "main")];
  return ordered.map((f) => printFunc(f, f.name === "main" ? m.exports : [])).join("\n\n");
}
