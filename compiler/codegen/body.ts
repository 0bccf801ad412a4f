// The statements of a region in generated code: one per op — a builtin is a kernel call by
// name, a construct is ONE call into the runtime's construct module with its attributes as a
// literal and its regions as closures — and, after each op, the values it was the last use of
// are freed (as the interpreter frees them), so a module holds what the compiler planned for.
import type { Span } from "../../base/span.js";
import { InternalError } from "../../base/diagnostics.js";
import { type ConstructOp, type Op, namedRegions, type Region, type Value } from "../ir/ir.js";
import { lastUses } from "../ir/liveness.js";
import { concreteShape } from "../types.js";
import { commentText, type Literal, literal, propertyKey, stringLiteral } from "./literals.js";
import type { Names } from "./names.js";

/** What emitting a function's body collects besides its text. */
export interface BodyContext {
  names: Names;
  /** Kernels called, by opcode. */
  kernels: Set<string>;
  /** Runtime helpers used (`f32`, `free`, `tidy`, …), so the module imports exactly those. */
  helpers: Set<string>;
  /** Each `const` written, in order, with the span of the op it computes (the source map pairs them). */
  marks: { name: string; span: Span | undefined }[];
  /** Whether the function written reads `$`, the run (an input, a construct). */
  usesRun: boolean;
}

const OPCODE = /^[a-z][a-z0-9_]*$/;

/**
 * A region's statements: its ops, frees after last uses, then `return [results]`. `kept` are
 * values that outlive the region though it computes them (a module's exports).
 */
export function regionBody(region: Region, ctx: BodyContext, kept: readonly Value[] = region.results): string[] {
  const last = lastUses(region);
  const keep = new Set(kept.map((v) => v.id));
  const owned = ownValues(region);
  const dyingAt = new Map<number, Value[]>();
  for (const [id, at] of last) {
    const v = owned.get(id);
    if (v && !keep.has(id)) dyingAt.set(at, [...(dyingAt.get(at) ?? []), v]);
  }
  const lines: string[] = [];
  region.ops.forEach((op, i) => {
    lines.push(...opStatement(op, ctx));
    const unused = op.outputs.filter((o) => owned.has(o.id) && !last.has(o.id) && !keep.has(o.id));
    const dying = [...unused, ...(dyingAt.get(i) ?? [])];
    if (dying.length) {
      ctx.helpers.add("free");
      lines.push(`free(${dying.map((v) => ctx.names.of(v)).join(", ")});`);
    }
  });
  lines.push(`return [${kept.map((v) => ctx.names.of(v)).join(", ")}];`);
  return lines;
}

/**
 * The values the region computes itself, by id: not its parameters or captures, and not an
 * input's (its tensor belongs to the caller).
 */
function ownValues(region: Region): Map<number, Value> {
  return new Map(region.ops.flatMap((op) => (op.kind === "input" ? [] : op.outputs.map((o) => [o.id, o] as [number, Value]))));
}

function typeExpr(v: Value, ctx: BodyContext): string {
  ctx.helpers.add(v.type.dtype);
  return `${v.type.dtype}(${concreteShape(v.type.shape).join(", ")})`;
}

function opStatement(op: Op, ctx: BodyContext): string[] {
  const names = ctx.names;
  const args = op.inputs.map((v) => names.of(v)).join(", ");
  const declare = (expr: string): string[] => {
    const out = op.outputs[0];
    ctx.marks.push({ name: names.of(out), span: op.span });
    return [`const ${names.of(out)} = ${expr};`];
  };
  switch (op.kind) {
    case "builtin": {
      if (!OPCODE.test(op.opcode)) throw new InternalError(`the op name \`${op.opcode}\` cannot be written as a kernel name`);
      ctx.kernels.add(op.opcode);
      const statics = Object.keys(op.statics).length ? `, ${literal(op.statics as Literal)}` : "";
      return declare(`k.${op.opcode}([${args}], ${typeExpr(op.outputs[0], ctx)}${statics})`);
    }
    case "const":
      ctx.helpers.add("constant");
      return declare(`constant(${literal(op.value as Literal)}, ${typeExpr(op.outputs[0], ctx)})`);
    case "input":
      ctx.usesRun = true;
      return declare(`$.input(${stringLiteral(op.name)})`);
    case "param":
      ctx.helpers.add("param");
      return declare(`param(${args})`);
    case "loop":
    case "fixpoint":
    case "solve":
    case "minimize":
    case "unroll":
      return constructStatement(op, ctx);
    case "train":
      // Refused with a located diagnostic before code generation (compile-for-module.ts).
      throw new InternalError("a `train` op reached code generation: compiled modules do not train yet");
    case "call":
    case "diff":
      throw new InternalError(`a \`${op.kind}\` op reached code generation: the passes did not run`);
  }
}

/** `// line 12: solve u by cg` then `const [u] = $.construct({ …attributes, regions }, [inputs]);` */
function constructStatement(op: ConstructOp, ctx: BodyContext): string[] {
  const names = ctx.names;
  const outs = op.outputs.map((o) => names.of(o));
  ctx.usesRun = true;
  ctx.marks.push({ name: outs[0], span: op.span });
  const regions = namedRegions(op).map(([name, r]) => `${propertyKey(name)}: ${closure(r, ctx)}`);
  const spec = `{ ${[...attributes(op).map(([k, v]) => `${k}: ${literal(v)}`), `regions: { ${regions.join(", ")} }`].join(", ")} }`;
  const line = op.span ? `line ${op.span.start.line}: ` : "";
  const method = op.kind === "fixpoint" || op.kind === "solve" || op.kind === "minimize" ? ` by ${op.method.name}` : "";
  return ["", `// ${commentText(`${line}${op.kind} ${op.label}${method}`)}`, `const [${outs.join(", ")}] = $.construct(${spec}, [${op.inputs.map((v) => names.of(v)).join(", ")}]);`];
}

/** A region as a closure of its parameters: its body inside `tidy`, or its results when it computes nothing. */
function closure(region: Region, ctx: BodyContext): string {
  const params = `(${region.params.map((p) => ctx.names.of(p)).join(", ")})`;
  if (region.ops.length === 0) return `${params} => [${region.results.map((r) => ctx.names.of(r)).join(", ")}]`;
  ctx.helpers.add("tidy");
  return `${params} => tidy(() => {\n${regionBody(region, ctx).join("\n")}\n})`;
}

/** The fields of a construct the runtime reads (runtime/construct-spec.ts), in a fixed order. */
function attributes(op: ConstructOp): [string, Literal][] {
  const common: [string, Literal][] = [
    ["kind", op.kind],
    ["label", op.label],
    ...(op.adjointOf ? [["adjointOf", { ...op.adjointOf, onFail: { ...op.adjointOf.onFail } }] as [string, Literal]] : []),
    ["outputs", op.outputs.map((o) => (o.hint !== undefined ? { id: o.id, hint: o.hint } : { id: o.id }))],
    ...(op.reportFields?.length ? [["reportFields", [...op.reportFields]] as [string, Literal]] : []),
  ];
  switch (op.kind) {
    case "solve":
      return [...common, ["method", { name: op.method.name, construct: op.method.construct, options: { ...op.method.options } }], ["stop", { ...op.stop }], ...(op.nullspace ? [["nullspace", true] as [string, Literal]] : [])];
    case "fixpoint":
    case "minimize":
      return [...common, ["method", { name: op.method.name, construct: op.method.construct, options: { ...op.method.options } }], ["stop", { ...op.stop }]];
    case "train":
      throw new InternalError("a `train` op reached code generation: compiled modules do not train yet");
    case "loop":
      return [...common, ["maxIter", op.maxIter], ["counter", op.counter], ["counted", op.counted]];
    case "unroll":
      return [...common, ["maxIter", op.maxIter], ["counter", op.counter], ["counted", op.counted], ["checkpoint", op.checkpoint], ...(op.iterationsOf !== undefined ? [["iterationsOf", op.iterationsOf] as [string, Literal]] : [])];
  }
}

