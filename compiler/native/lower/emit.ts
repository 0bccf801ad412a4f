// The scheduled nodes as kernel-IR steps, for one variant (which buffers parameters and
// results live in). Within a loop stage, every value that is read twice, stored or reduced
// is a `let`; a value read once is written inline where it is read; all stores come last, so
// a value stored over a parameter in place is stored after every read of the old one.
import { at, compare, dot, fold, let_, lit, loop, matmul, matvec, mul, prolong, read, reg, repeat, restrict, scalars, select, stagedLoop, store, temp, unary } from "../build.js";
import type { Compare, DType, Expr, LaneStmt, LoopStep, Step } from "../kernel-ir.js";
import type { LowerContext } from "./context.js";
import { stencilExpr, type Rule } from "./rules.js";
import type { LoopNode, Node, RepeatNode, ScalarNode, StepNode } from "./schedule.js";
import type { StoragePlan, Variant } from "./storage.js";
import type { OpItem } from "./types.js";

export class Emitter {
  /** Every buffer the emitted steps name, with its shape. */
  readonly buffers = new Map<string, readonly number[]>();
  private readonly dtype: DType;

  constructor(
    readonly ctx: LowerContext,
    readonly plan: StoragePlan,
    private readonly v: Variant,
    /** The step kernels (not init): they recompute the cheap invariants (ctx.remat) per lane. */
    private readonly main: boolean,
  ) {
    this.dtype = ctx.options.precision;
  }

  steps(nodes: readonly Node[]): Step[] {
    return nodes.flatMap((node): Step[] => {
      switch (node.kind) {
        case "loop":
          return [this.loop(node)];
        case "scalar":
          return [this.scalarNode(node)];
        case "step":
          return [this.step(node)];
        case "repeat":
          return this.repeat(node);
      }
    });
  }

  private buffer(id: number): string {
    const name = this.plan.buffer(id, this.v);
    this.buffers.set(name, this.ctx.value(id).shape);
    return name;
  }

  private loop(node: LoopNode): LoopStep {
    const stages = node.stages.map((st, s) => ({ rowLag: st.lag, body: new StageEmitter(this, node, s).body(st.ops) }));
    return stages.length === 1 ? loop(this.dtype, node.shape, stages[0].body) : stagedLoop(this.dtype, node.shape, stages);
  }

  /** A value as a lane reads it in (node, stage): a literal, a register, a temporary or a buffer read. */
  laneRef(id: number, node: LoopNode | null, stage: number, inline: ReadonlyMap<number, Expr>): Expr {
    const v = this.ctx.value(id);
    if (v.shape.length === 0 || v.def.kind === "literal") return this.scalarRef(id);
    const h = this.plan.live.home(id);
    if (node && h.node === node && h.stage === stage) return inline.get(id) ?? temp(`t${id}`);
    if (this.ctx.remat.has(id) && (this.main || !this.plan.materialized(id))) return this.recompute(id, node, stage, inline);
    return read(this.buffer(id));
  }

  /** A cheap invariant written out where it is read (its inputs are literals and such invariants). */
  private recompute(id: number, node: LoopNode | null, stage: number, inline: ReadonlyMap<number, Expr>): Expr {
    const def = this.ctx.value(id).def;
    if (def.kind !== "op") throw new Error(`internal error: %${id} is not an op to recompute`);
    const ref = (x: number) => this.laneRef(x, node, stage, inline);
    return this.opExpr(def.item, this.ctx.rule(def.item), ref, (c) => this.condition(c, ref, true));
  }

  scalarRef(id: number): Expr {
    const def = this.ctx.value(id).def;
    return def.kind === "literal" ? lit(def.value) : reg(this.plan.register(id));
  }

  /** An op's value from its inputs' (lane or scalar) references. */
  opExpr(op: OpItem, rule: Rule, ref: (id: number) => Expr, cond: (id: number) => Compare, grid?: (id: number) => string): Expr {
    switch (rule.kind) {
      case "lane":
        return rule.build(op.inputs.map(ref));
      case "compare":
        return select(compare(rule.op, ref(op.inputs[0]), ref(op.inputs[1])), 1, 0);
      case "where":
        return select(cond(op.inputs[0]), ref(op.inputs[1]), ref(op.inputs[2]));
      case "stencil": {
        if (!grid) throw new Error(`internal error: a stencil outside a loop`);
        const name = grid(op.inputs[0]);
        return stencilExpr(rule.taps, (di, dj) => at(name, di, dj));
      }
      case "reduce":
        return scalarReduce(rule, op.inputs.map(ref));
      default:
        throw new Error(`internal error: \`${op.opcode}\` is not an expression`);
    }
  }

  /** A condition tested by its comparison when it is one (and reachable here), else `c ≠ 0`. */
  condition(c: number, ref: (id: number) => Expr, derivable: boolean): Compare {
    const def = this.ctx.value(c).def;
    if (derivable && def.kind === "op") {
      const rule = this.ctx.rule(def.item);
      if (rule.kind === "compare") return compare(rule.op, ref(def.item.inputs[0]), ref(def.item.inputs[1]));
    }
    return compare("ne", ref(c), 0);
  }

  gridBuffer(id: number): string {
    return this.buffer(id);
  }

  foldStmt(op: OpItem, rule: Extract<Rule, { kind: "reduce" }>, ref: (id: number) => Expr): LaneStmt {
    const r = this.plan.register(op.output);
    if (rule.fold === "dot") return dot(r, ref(op.inputs[0]), ref(op.inputs[1]));
    const x = ref(op.inputs[0]);
    return fold(rule.fold, r, rule.map ? rule.map(x) : x);
  }

  materialize(id: number): LaneStmt | null {
    return this.plan.materialized(id) ? store(this.buffer(id), temp(`t${id}`)) : null;
  }

  private scalarNode(node: ScalarNode): Step {
    const ref = (id: number) => this.scalarRef(id);
    const assigns: [string, Expr][] = [];
    for (const op of node.posts) {
      const rule = this.ctx.rule(op);
      const r = this.plan.register(op.output);
      if (rule.kind === "reduce" && rule.post) assigns.push([r, rule.post(reg(r))]);
    }
    for (const op of node.ops) {
      const expr = this.opExpr(op, this.ctx.rule(op), ref, (c) => this.condition(c, ref, true));
      assigns.push([this.plan.register(op.output), expr]);
    }
    return scalars(...assigns);
  }

  private step(node: StepNode): Step {
    const [a, b] = node.item.inputs.map((i) => this.buffer(i));
    const out = this.buffer(node.item.output);
    switch (node.rule.kind) {
      case "matmul":
        return matmul(a, b, out);
      case "matvec":
        return matvec(a, b, out);
      case "restrict":
        return restrict(a, out);
      case "prolong":
        return prolong(a, out);
    }
  }

  /** Copy-in of the carried values, the repeated body, its copy-back (scalars in two phases). */
  private repeat(node: RepeatNode): Step[] {
    const { carried, count } = node.item;
    const before: Step[] = [];
    const after: Step[] = [];
    const phase1: [string, Expr][] = [];
    const phase2: [string, Expr][] = [];
    for (const c of carried) {
      const v = this.ctx.value(c.param);
      if (v.shape.length === 0) {
        const r = this.plan.register(c.param);
        before.push(scalars([r, this.scalarRef(c.init)]));
        if (c.result === c.param) continue;
        phase1.push([`m${c.param}`, this.scalarRef(c.result)]);
        phase2.push([r, reg(`m${c.param}`)]);
        continue;
      }
      const k = this.buffer(c.param);
      const initDef = this.ctx.value(c.init).def;
      const computed = initDef.kind === "literal" || this.ctx.remat.has(c.init);
      if (computed) before.push(loop(this.dtype, v.shape, [store(k, this.laneRef(c.init, null, -1, new Map()))]));
      else if (this.buffer(c.init) !== k) before.push(loop(this.dtype, v.shape, [store(k, read(this.buffer(c.init)))]));
      const result = this.buffer(c.result);
      if (result !== k) after.push(loop(this.dtype, v.shape, [store(k, read(result))]));
    }
    if (phase1.length) after.push(scalars(...phase1, ...phase2));
    return [...before, repeat(count, [...this.steps(node.body), ...after])];
  }
}

/** One stage of a loop: lets, then folds, then stores. */
class StageEmitter {
  private readonly inline = new Map<number, Expr>();

  constructor(
    private readonly e: Emitter,
    private readonly node: LoopNode,
    private readonly stage: number,
  ) {}

  private ref = (id: number): Expr => this.e.laneRef(id, this.node, this.stage, this.inline);

  body(ops: readonly OpItem[]): LaneStmt[] {
    const lets: LaneStmt[] = [];
    const folds: LaneStmt[] = [];
    const stores: LaneStmt[] = [];
    const { ctx, plan } = this.e;
    for (const op of ops) {
      const rule = ctx.rule(op);
      if (rule.kind === "reduce") {
        folds.push(this.e.foldStmt(op, rule, this.ref));
        continue;
      }
      const cond = (c: number) => this.e.condition(c, this.ref, plan.live.derivable(c, this.node, this.stage));
      const expr = this.e.opExpr(op, rule, this.ref, cond, (id) => this.e.gridBuffer(id));
      const stored = this.e.materialize(op.output);
      const uses = plan.laneUses(op.output);
      if (stored || uses > 1) lets.push(let_(`t${op.output}`, expr));
      else if (uses === 1) this.inline.set(op.output, expr);
      if (stored) stores.push(stored);
    }
    return [...lets, ...folds, ...stores];
  }
}

/** A reduction of scalars: the scalar itself (sum, max, min, mean), |x| (norms), a·b (dot). */
function scalarReduce(rule: Extract<Rule, { kind: "reduce" }>, [x, y]: Expr[]): Expr {
  if (rule.fold === "dot") return mul(x, y);
  const v = rule.map ? rule.map(x) : x;
  if (rule.fold === "sumsq") return unary("abs", v);
  return v;
}
