// Copying and rewiring regions: what specialisation (inlining an op's body at a call) and
// autodiff (a second copy of a region for its tangent or adjoint) need. None of these mutate
// their argument; each returns a new Region that shares only Values and attrs with the old.
import { mapRegions, type Module, type Op, type Region, regionsOf, type Value, ValueFactory, walkOps } from "./ir.js";

/**
 * A copy of `r` with fresh values for everything it defines (its params and every op's
 * outputs, nested regions included). A use is replaced by `map.get(id)` when present — seed
 * the map to substitute values captured from outside — and left as it is otherwise.
 * `map` is extended with old id → new value for every definition cloned, so the caller can
 * find where a value of the original went.
 */
export function cloneRegion(r: Region, map: Map<number, Value>, values: ValueFactory): Region {
  const fresh = (v: Value): Value => {
    const copy = values.value(v.type, v.hint);
    map.set(v.id, copy);
    return copy;
  };
  const use = (v: Value): Value => map.get(v.id) ?? v;
  const params = r.params.map(fresh);
  const ops = r.ops.map((op): Op => {
    const inputs = op.inputs.map(use);
    const withRegions = mapRegions(op, (inner) => cloneRegion(inner, map, values));
    return { ...withRegions, inputs, outputs: op.outputs.map(fresh) };
  });
  return { params, ops, results: r.results.map(use) };
}

/** `region` with every use of a value in `rename` (nested regions too) replaced. */
export function renameUses(region: Region, rename: ReadonlyMap<number, Value>): Region {
  if (rename.size === 0) return region;
  const use = (v: Value): Value => rename.get(v.id) ?? v;
  return {
    params: region.params,
    ops: region.ops.map((op) => ({ ...mapRegions(op, (r) => renameUses(r, rename)), inputs: op.inputs.map(use) })),
    results: region.results.map(use),
  };
}

/** `region` with every use of `from` (nested regions too) replaced by `to`. */
export function replaceAllUses(region: Region, from: Value, to: Value): Region {
  return renameUses(region, new Map([[from.id, to]]));
}

/** The largest value id a region defines or uses (-1 when it has none). */
export function maxValueIdIn(region: Region): number {
  let max = -1;
  const see = (v: Value) => {
    if (v.id > max) max = v.id;
  };
  region.params.forEach(see);
  region.results.forEach(see);
  for (const op of walkOps(region)) {
    op.inputs.forEach(see);
    op.outputs.forEach(see);
    for (const r of regionsOf(op)) {
      r.params.forEach(see);
      r.results.forEach(see);
    }
  }
  return max;
}

/** The largest value id in the module: `ValueFactory.reserve` it before adding values. */
export function maxValueId(m: Module): number {
  let max = -1;
  for (const f of m.funcs.values()) max = Math.max(max, maxValueIdIn(f.body));
  for (const e of m.exports) max = Math.max(max, e.value.id);
  return max;
}

/** A ValueFactory whose ids continue after every id already in `m`. */
export function freshValues(m: Module): ValueFactory {
  const values = new ValueFactory();
  values.reserve(maxValueId(m));
  return values;
}
