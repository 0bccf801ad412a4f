// cse: common-subexpression elimination. Two pure ops with the same opcode, the same inputs,
// the same attributes and the same output types compute the same values, so the later one is
// dropped and its uses take the earlier one's outputs. An op inside a region may reuse an
// equivalent op of an enclosing region (it dominates the region); never the reverse, and
// never across sibling regions. Inputs of ops whose record says `commutative` are compared as
// a set.
//
// Iterative constructs are merged when they are instances of the same source construct (same
// span) with the same inputs, fields and region bodies (compared up to the names of the values
// the regions define): `L = loss(W)` and `grad(loss, W)` run the forward fixpoint of `loss`
// once, and print one report. Their regions may hold only mergeable ops (no random draws).
// An adjoint that pointed at a merged construct points at its twin.
//
// Never merged:
// - `input`, `param`, `call`, `diff`: each names a program input or parameter, or is removed
//   before this pass runs;
// - ops whose record says they are not pure, the random initialisers: two `normal(seed: 0)`
//   give the same numbers today, but they initialise two different parameters, which training
//   must keep apart.
import { type Attr, type ConstructOp, isConstruct, mapRegions, type Module, type Op, opAttrs, opName, type Region, regionsOf, type Value, walkOps } from "../ir/ir.js";
import { printType } from "../ir/print.js";
import { getOp, isPure } from "../ops/index.js";
import type { Pass } from "./pipeline.js";

/** A builtin whose record says it may be merged with its twin or moved out of a loop. */
export function isPureBuiltin(opcode: string): boolean {
  const r = getOp(opcode);
  return r !== undefined && isPure(r);
}

/** An exact key for an attribute: -0, NaN and every digit of a double are kept apart. */
function attrKey(a: Attr): string {
  if (typeof a === "number") return Object.is(a, -0) ? "-0" : String(a);
  if (a === null || typeof a !== "object") return JSON.stringify(a);
  if (Array.isArray(a)) return `[${(a as Attr[]).map(attrKey).join(",")}]`;
  return `{${Object.keys(a)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${attrKey(a[k])}`)
    .join(",")}}`;
}

export function isMergeable(op: Op): boolean {
  return op.outputs.length > 0 && (op.kind === "const" || (op.kind === "builtin" && isPureBuiltin(op.opcode)));
}

function opKey(op: Op): string {
  const ids = op.inputs.map((v) => v.id);
  if (op.kind === "builtin" && getOp(op.opcode)?.commutative) ids.sort((a, b) => a - b);
  return `${opName(op)}(${ids.join(",")})${attrKey(opAttrs(op))}->${op.outputs.map((o) => printType(o.type)).join(",")}`;
}

/** Available expressions: a region's own, then its enclosing regions'. */
class Available {
  private readonly own = new Map<string, Value[]>();
  constructor(private readonly parent?: Available) {}

  get(key: string): Value[] | undefined {
    return this.own.get(key) ?? this.parent?.get(key);
  }

  set(key: string, outputs: Value[]): void {
    this.own.set(key, outputs);
  }
}

class Cse {
  readonly rename = new Map<number, Value>();
  private use = (v: Value): Value => this.rename.get(v.id) ?? v;

  region(r: Region, parent?: Available): Region {
    const available = new Available(parent);
    const ops: Op[] = [];
    for (const original of r.ops) {
      const inputs = original.inputs.map(this.use);
      const op: Op = this.repoint({ ...mapRegions(original, (inner) => this.region(inner, available)), inputs });
      if (isMergeable(op) || isMergeableConstruct(op)) {
        const key = isConstruct(op) ? constructKey(op) : opKey(op);
        const earlier = available.get(key);
        if (earlier) {
          op.outputs.forEach((o, i) => this.rename.set(o.id, earlier[i]));
          continue;
        }
        available.set(key, op.outputs);
      }
      ops.push(op);
    }
    return { params: r.params, ops, results: r.results.map(this.use) };
  }

  /** An adjoint or unrolled construct refers to its forward construct by output id: renamed too. */
  private repoint(op: Op): Op {
    if (!isConstruct(op)) return op;
    const out: ConstructOp = { ...op };
    if (out.adjointOf) out.adjointOf = { ...out.adjointOf, forward: this.use({ id: out.adjointOf.forward } as Value).id };
    if (out.kind === "unroll" && out.iterationsOf !== undefined) out.iterationsOf = this.use({ id: out.iterationsOf } as Value).id;
    return out;
  }
}

function isMergeableConstruct(op: Op): op is ConstructOp {
  return isConstruct(op) && op.kind !== "train" && op.span !== undefined && regionsOf(op).every((r) => [...walkOps(r)].every((o) => isMergeable(o) || isConstruct(o)));
}

/**
 * The identity of a construct: its kind, source span, inputs and every field but its outputs,
 * and its regions with the values they define numbered in order of definition (so that two
 * instances whose bodies differ only in value ids get the same key).
 */
function constructKey(op: ConstructOp): string {
  const local = new Map<number, string>();
  const ref = (v: Value) => local.get(v.id) ?? `#${v.id}`;
  const define = (v: Value) => {
    local.set(v.id, `$${local.size}`);
    return `${local.get(v.id)}:${printType(v.type)}`;
  };
  const region = (r: Region): string => {
    const params = r.params.map(define).join(",");
    const ops = r.ops.map((o) => {
      const inner = regionsOf(o).map(region).join("");
      return `${opName(o)}(${o.inputs.map(ref).join(",")})${attrKey(opAttrs(o))}${inner}->${o.outputs.map(define).join(",")}`;
    });
    return `{(${params})${ops.join(";")}=>${r.results.map(ref).join(",")}}`;
  };
  const { inputs, outputs, regions: _regions, span, ...fields } = op;
  const where = `${span!.start.offset}-${span!.end.offset}`;
  return `${op.kind}@${where}(${inputs.map((v) => v.id).join(",")})${attrKey(fields as unknown as Attr)}${regionsOf(op).map(region).join("")}->${outputs.map((o) => printType(o.type)).join(",")}`;
}

export const cse: Pass = {
  name: "cse",
  run(m: Module): Module {
    const c = new Cse();
    const funcs = new Map([...m.funcs].map(([name, f]) => [name, { ...f, body: c.region(f.body) }]));
    return { funcs, exports: m.exports.map((e) => ({ name: e.name, value: c.rename.get(e.value.id) ?? e.value })) };
  },
};
