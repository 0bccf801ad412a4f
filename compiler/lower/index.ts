// `lower(typed)`: the typed program of a concrete elaboration to an IR module. It translates;
// it never re-derives a type, re-binds an argument or reports a user error (the checker did all
// three), so anything that goes wrong here is a compiler bug.
import type { Module, Value } from "../ir/ir.js";
import { dimValue } from "../shapes.js";
import type { TensorT } from "../types.js";
import type { TProgram } from "../typed/program.js";
import { concreteType, lowerExpr, single } from "./expr.js";
import { Lowering } from "./lowering.js";
import { lowerStmt } from "./stmt.js";
import { lowerTrain } from "./train.js";

export interface Lowered {
  module: Module;
  /** The sizes every dimension took, for the run report. */
  sizes: Map<string, number>;
  /** Inputs the caller must bind, with their concrete types. */
  inputs: { name: string; type: TensorT; hasDefault: boolean }[];
}

/**
 * `exportInput`: the module's one export is that input's value instead of the program's
 * exports (code generation computes an input's default with it, when the caller gives none).
 */
export function lower(program: TProgram, options: { exportInput?: string } = {}): Lowered {
  const L = new Lowering();
  const inputs: Lowered["inputs"] = [];
  const exports: { name: string; value: Value }[] = [];
  const inputValues: { name: string; value: Value }[] = [];
  for (const d of program.decls) {
    switch (d.k) {
      case "input": {
        const type = concreteType(d.sym.type);
        const v =
          d.fromData || !d.default
            ? L.fn.emit([], [type], (_i, outputs) => ({ kind: "input", inputs: [], outputs, name: d.sym.name, span: d.span }), [d.sym.name])[0]
            : single(lowerExpr(L, d.default), "an input's default");
        L.bind(d.sym, v);
        inputs.push({ name: d.sym.name, type, hasDefault: d.default !== undefined });
        if (d.sym.name === options.exportInput) inputValues.push({ name: d.sym.name, value: v });
        break;
      }
      case "param":
        L.bind(d.sym, single(lowerExpr(L, d.init), "a parameter's initial value"));
        break;
      case "stmt":
        lowerStmt(L, d.stmt);
        break;
      case "train":
        lowerTrain(L, d.train);
        break;
      case "export": {
        const v = single(lowerExpr(L, d.value), "an export");
        if (d.sym) L.bind(d.sym, v);
        exports.push({ name: d.name, value: v });
        break;
      }
    }
  }
  const sizes = new Map([...program.sizes].flatMap(([k, d]) => {
    const v = dimValue(d);
    return v === undefined ? [] : [[k, v] as [string, number]];
  }));
  const outputs = options.exportInput === undefined ? exports : inputValues;
  return { module: L.module(outputs, outputs.map((e) => e.value)), sizes, inputs };
}
