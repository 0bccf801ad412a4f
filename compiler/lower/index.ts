// `lower(program, sizes, inputs)`: a checked program to an IR module with concrete sizes.
// Sizes come from `--set`, then `dim N = value`, then the shapes of the inputs given.
import type * as A from "../../grammar/ast.js";
import { Scope } from "../check/scope.js";
import { asNumber, staticEval } from "../check/static.js";
import { typeFrom } from "../check/annotations.js";
import { CheckContext } from "../check/context.js";
import type { Module, Value } from "../ir/ir.js";
import { type Dim, dimConst, dimEval, dimSym, dimUnify } from "../shapes.js";
import { tensor, type TensorT, typeToString } from "../types.js";
import { importModule } from "../stdlib.js";
import { LowerError } from "./context.js";
import { lowerExpr, single } from "./expr.js";
import { Lowering } from "./lowering.js";
import { bindValue, lowerStmt } from "./stmt.js";

export { LowerError } from "./context.js";

export interface LowerOptions {
  /** `--set N=63`: overrides `dim N = ...`. */
  sizes?: ReadonlyMap<string, number>;
  /** Shapes of the inputs given at run time (`--input f=f.npy`), by input name. */
  inputShapes?: ReadonlyMap<string, readonly number[]>;
  /** Lowering only to find the errors concrete sizes reveal (`iterc check`): inputs need no data. */
  checkOnly?: boolean;
}

export interface Lowered {
  module: Module;
  /** The sizes every dimension took, for the run report. */
  sizes: Map<string, number>;
  /** Inputs the caller must bind, with their concrete types. */
  inputs: { name: string; type: TensorT; hasDefault: boolean }[];
}


export function lower(program: A.Program, options: LowerOptions = {}): Lowered {
  const L = new Lowering();
  const root = new Scope();
  const sizes = new Map<string, number>();
  const inputs: Lowered["inputs"] = [];
  const exports: { name: string; value: Value }[] = [];
  for (const d of program.decls) if (d.kind === "Op" || d.kind === "Model") root.define(d.name.name, { kind: "op", decl: d, scope: root });
  for (const d of program.decls) {
    switch (d.kind) {
      case "Dim":
        for (const item of d.items) defineDim(root, item, options, sizes);
        break;
      case "Input":
        inputs.push(lowerInput(L, root, d, options, sizes));
        break;
      case "ParamDecl": {
        const t = concreteType(root, d.type, d.span);
        const v = d.init ? single(lowerExpr(L, d.init, root, t), d.init.span) : L.fn.builtin("zeros", [], { dims: L.concreteDims(t, d.span) }, d.span);
        bindValue(root, d.name, v, "parameter");
        break;
      }
      case "Export": {
        const v = d.value ? single(lowerExpr(L, d.value, root), d.value.span) : valueOf(root, d.name);
        if (d.value) bindValue(root, d.name, v, "export");
        exports.push({ name: d.name.name, value: v });
        break;
      }
      case "Let":
      case "Fixpoint":
      case "Solve":
      case "Minimize":
      case "Loop":
        lowerStmt(L, d, root);
        break;
      case "Use":
        importModule(d, root);
        break;
      default:
        break; // op, model (hoisted), data/train/check (planned: warned by the checker)
    }
  }
  return { module: L.module(exports, exports.map((e) => e.value)), sizes, inputs };
}

function valueOf(scope: Scope, id: A.Ident): Value {
  const b = scope.lookup(id.name);
  if (b?.kind !== "value" || !b.ir || Array.isArray(b.ir)) throw new LowerError(`\`${id.name}\` has no single tensor value to export.`, id.span);
  return b.ir;
}

function defineDim(root: Scope, item: A.DimItem, options: LowerOptions, sizes: Map<string, number>): void {
  const name = item.name.name;
  let value = options.sizes?.get(name);
  if (value === undefined && item.value) {
    const v = staticEval(item.value, root);
    value = v.kind === "error" ? undefined : asNumber(v);
  }
  if (value !== undefined) sizes.set(name, value);
  // A size without a value yet may still be bound by an input's shape (see lowerInput).
  root.define(name, { kind: "dim", name, value: value !== undefined ? dimConst(value) : dimSym(name), span: item.name.span });
}

function concreteType(scope: Scope, t: A.TypeExpr, span: A.Span): TensorT {
  const type = typeFrom(new CheckContext("<lowering>"), t, scope);
  if (!type || type.tag !== "tensor") throw new LowerError("This type has no concrete shape.", span);
  const env = new Map<string, number>();
  const shape = type.shape.map((d) => {
    const v = dimEval(d, env);
    if (typeof v === "string") {
      const err = new LowerError(`The shape ${typeToString(type)} has no concrete value: ${v}.`, t.span, "give every size a value with `dim N = ...` or `--set N=...`.");
      err.undecided = true;
      throw err;
    }
    return dimConst(v);
  });
  return tensor(type.dtype, shape);
}

/** Binds the sizes an input's shape mentions from the data given for it, then the input. */
function lowerInput(L: Lowering, root: Scope, d: A.InputDecl, options: LowerOptions, sizes: Map<string, number>): Lowered["inputs"][number] {
  const given = options.inputShapes?.get(d.name.name);
  const declared = typeFrom(new CheckContext("<lowering>"), d.type, root, { allowNew: true, introduced: new Map() });
  if (!declared || declared.tag !== "tensor") throw new LowerError("An input must be a tensor.", d.type.span);
  if (given) {
    if (given.length !== declared.shape.length)
      throw new LowerError(`The data given for \`${d.name.name}\` has shape [${given.join(", ")}], but it is declared as ${typeToString(declared)}.`, d.type.span);
    const bound = new Map<string, Dim>([...sizes].map(([k, v]) => [k, dimConst(v)]));
    declared.shape.forEach((dim, i) => {
      const r = dimUnify(dim, dimConst(given[i]), bound);
      if (r === false) throw new LowerError(`The data given for \`${d.name.name}\` has shape [${given.join(", ")}], but it is declared as ${typeToString(declared)}.`, d.type.span);
      if (Array.isArray(r)) {
        const v = dimEval(r[1], new Map());
        if (typeof v === "string") throw new LowerError(`The shape of \`${d.name.name}\` gives ${r[0]} = ${v}.`, d.type.span);
        bound.set(r[0], dimConst(v));
        sizes.set(r[0], v);
        root.define(r[0], { kind: "dim", name: r[0], value: dimConst(v), span: d.type.span });
      }
    });
  }
  const type = concreteType(root, d.type, d.span);
  if (!given && !d.default && !options.checkOnly)
    throw new LowerError(`The input \`${d.name.name}\` needs a value.`, d.name.span, `give it with \`--input ${d.name.name}=file.npy\` (or .json), or declare a default: \`input ${d.name.name}: ... = value\`.`);
  const v = given || !d.default ? L.fn.emit("input", [], { name: d.name.name }, [type], { span: d.span, hints: [d.name.name] })[0] : single(lowerExpr(L, d.default, root, type), d.default.span);
  bindValue(root, d.name, v, "input");
  return { name: d.name.name, type, hasDefault: d.default !== null };
}

