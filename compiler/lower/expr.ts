// Typed expressions to IR. The checker has elaborated the program with concrete sizes, so every
// type here is concrete and every call points at its instance: a problem now is a compiler bug.
import { InternalError } from "../../base/diagnostics.js";
import { builtinType } from "../ir/builder.js";
import type { Attr, Value } from "../ir/ir.js";
import type { StaticValue } from "../ops/registry.js";
import { type Dim, dimToString, dimValue } from "../shapes.js";
import { type TensorT, type Type, typeToString } from "../types.js";
import type { Instance, TExpr, TTensor } from "../typed/program.js";
import { hintOf, type LoweredInstance, type Lowering } from "./lowering.js";
import { lowerStmt } from "./stmt.js";

export type Lowered = Value | Value[];

export function single(l: Lowered, what: string): Value {
  if (Array.isArray(l)) throw new InternalError(`${what} lowered to a tuple where one tensor was checked`);
  return l;
}

function concrete(d: Dim): number {
  const v = dimValue(d);
  if (v === undefined || !Number.isInteger(v)) throw new InternalError(`the size ${dimToString(d)} reached lowering without a whole value`);
  return v;
}

/** A checked type with every size a number, as the IR carries it. */
export function concreteType(t: Type): TensorT {
  if (t.tag !== "tensor") throw new InternalError(`a ${typeToString(t)} reached lowering where a tensor was checked`);
  t.shape.forEach(concrete);
  return t;
}

/** A static argument as the IR holds it: sizes become numbers. */
function concreteStatic(v: StaticValue): Attr {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((d) => (typeof d === "number" ? d : concrete(d)));
  return concrete(v);
}

/** A builtin op of `expr`'s checked type. */
export function emitBuiltin(L: Lowering, op: string, inputs: Value[], statics: Record<string, StaticValue>, type: TensorT, span?: TExpr["span"]): Value {
  const concreteStatics = Object.fromEntries(Object.entries(statics).map(([k, v]) => [k, concreteStatic(v)]));
  return L.fn.emit(inputs, [concreteType(type)], (ins, outputs) => ({ kind: "builtin", opcode: op, inputs: ins, outputs, statics: concreteStatics, ...(span ? { span } : {}) }))[0];
}

/** A builtin used to expand a typed form (a stacked literal): typed by its own record. */
export function expand(L: Lowering, op: string, inputs: Value[], statics: Record<string, Attr>, span: TExpr["span"]): Value {
  const t = builtinType(op, inputs, statics);
  if (typeof t === "string") throw new InternalError(`\`${op}\` rejected its expansion: ${t}`);
  return emitBuiltin(L, op, inputs, statics as Record<string, StaticValue>, t, span);
}

export function lowerExpr(L: Lowering, e: TExpr): Lowered {
  switch (e.k) {
    case "const":
      return L.fn.emit([], [concreteType(e.type)], (_i, outputs) => ({ kind: "const", inputs: [], outputs, value: e.value as Attr, span: e.span }))[0];
    case "sym":
      return L.valueOf(e.sym);
    case "op":
      return emitBuiltin(
        L,
        e.op,
        e.args.map((a) => single(lowerExpr(L, a), `an argument of \`${e.op}\``)),
        e.statics,
        e.type,
        e.span,
      );
    case "call":
      return lowerCall(L, e.inst, e.args, e.span);
    case "stack":
      return lowerStack(L, e);
    case "tuple":
      return e.items.flatMap((i) => {
        const l = lowerExpr(L, i);
        return Array.isArray(l) ? l : [l];
      });
    case "diff":
      return lowerDiff(L, e);
    case "size":
    case "if":
    case "opaque":
      throw new InternalError(`a \`${e.k}\` expression reached lowering: the concrete elaboration should have decided or refused it`);
  }
}

/** A derivative: a `diff` op whose region is the function differentiated; the autodiff pass expands it. */
function lowerDiff(L: Lowering, e: Extract<TExpr, { k: "diff" }>): Value {
  const x = single(lowerExpr(L, e.x), "the point of a derivative");
  const dir = e.direction ? single(lowerExpr(L, e.direction), "the direction of a derivative") : undefined;
  const fn = L.fn.region([{ type: concreteType(e.param.type), hint: hintOf(e.param) }], ([p]) => {
    L.bind(e.param, p);
    return [single(lowerExpr(L, e.body), "the function differentiated")];
  });
  return L.fn.emit(dir ? [x, dir] : [x], [concreteType(e.type)], (inputs, outputs) => ({ kind: "diff", mode: e.mode, inputs, outputs, regions: { fn }, span: e.span }))[0];
}

/** A tensor literal of non-literal items: each gets a leading axis of 1, then they are concatenated. */
function lowerStack(L: Lowering, e: Extract<TExpr, { k: "stack" }>): Value {
  const rows = e.items.map((i) => {
    const v = single(lowerExpr(L, i), "an item of a tensor literal");
    return expand(L, "reshape", [v], { dims: [1, ...concreteType(v.type).shape.map(concrete)] }, i.span);
  });
  return rows.slice(1).reduce((acc, r) => expand(L, "concat", [acc, r], { axis: 0 }, e.span), rows[0]);
}

/** A call of an instance: its function (made once), called on the arguments and its captures. */
function lowerCall(L: Lowering, inst: Instance, args: TTensor[], span: TExpr["span"]): Lowered {
  const inputs = args.map((a) => single(lowerExpr(L, a), `an argument of \`${inst.name}\``));
  const fn = L.instance(inst, (name) => lowerInstance(L, inst, name));
  const outs = L.fn.emit([...inputs, ...fn.captures], fn.results.map((r) => r.type), (ins, outputs) => ({ kind: "call", inputs: ins, outputs, callee: fn.name, span }));
  return outs.length === 1 && inst.type.tag === "tensor" ? outs[0] : outs;
}

/** One instance's body as its own function, with its tensor parameters as parameters. */
function lowerInstance(L: Lowering, inst: Instance, name: string): LoweredInstance {
  if (!inst.result) throw new InternalError(`the instance \`${inst.name}\` reached lowering without a body`);
  const result = inst.result;
  return L.inFunction(name, (fn) => {
    for (const p of inst.params) L.bind(p, fn.param(concreteType(p.type), hintOf(p)));
    for (const d of inst.defaults) L.bind(d.sym, single(lowerExpr(L, d.value), `the default of \`${d.sym.name}\``));
    for (const s of inst.body) lowerStmt(L, s);
    const r = lowerExpr(L, result);
    return Array.isArray(r) ? r : [r];
  }, inst.std);
}
