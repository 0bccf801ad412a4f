// The const ops of a module by value id: what the region fuser takes as `constants`
// (FuseOptions). Loop-invariant code motion hoists a region's literals out of it (a method's
// health 1.0, an exponent 2, a stencil weight), so the region captures them; told their values,
// the fuser compiles them as literals — which `pow`'s exponent needs at compile time — instead
// of passing them as arguments on every call.
import type { Attr, Module, Region } from "../../compiler/ir/ir.js";
import { regionsOf } from "../../compiler/ir/ir.js";

const cache = new WeakMap<Module, ReadonlyMap<number, Attr>>();

export function moduleConstants(module: Module): ReadonlyMap<number, Attr> {
  const cached = cache.get(module);
  if (cached) return cached;
  const constants = new Map<number, Attr>();
  const visit = (r: Region): void => {
    for (const op of r.ops) {
      if (op.kind === "const") constants.set(op.outputs[0].id, op.value);
      regionsOf(op).forEach(visit);
    }
  };
  for (const f of module.funcs.values()) visit(f.body);
  cache.set(module, constants);
  return constants;
}
