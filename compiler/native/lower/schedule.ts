// Fusion: the region's items, in order, grouped into steps. One pass, greedy, never reordering
// dependent work:
//
// - an elementwise op or a stencil joins the open loop when it has the loop's shape and needs
//   no scalar the loop is still reducing; a stencil of a value the loop computes goes one stage
//   later, enough rows behind that the neighbours it reads are written (a staged loop: the
//   producer and its stencil in one pass);
// - a reduction joins the open loop of its input's shape, at its input's stage;
// - scalar arithmetic runs between loops: before the open loop when it needs nothing the loop
//   reduces, right after it otherwise (α = rz / pq after the loop that computes pq);
// - products and grid transfers are steps of their own, moved before the open loop when they
//   read nothing it computes;
// - a repeat closes the open loop and schedules its body the same way, on its own.
import { type LowerContext, sameShape } from "./context.js";
import type { Rule, Tap } from "./rules.js";
import { type Item, type OpItem, Refusal, type RepeatItem } from "./types.js";

export interface StageNode {
  lag: number;
  readonly ops: OpItem[];
}

export interface LoopNode {
  readonly kind: "loop";
  readonly shape: readonly number[];
  readonly stages: StageNode[];
}

/** Scalar assignments; `posts` first: the finishing of reductions (√ of a norm, ÷ of a mean). */
export interface ScalarNode {
  readonly kind: "scalar";
  readonly posts: readonly OpItem[];
  readonly ops: readonly OpItem[];
}

export interface StepNode {
  readonly kind: "step";
  readonly item: OpItem;
  readonly rule: Extract<Rule, { kind: "matmul" | "matvec" | "restrict" | "prolong" }>;
}

export interface RepeatNode {
  readonly kind: "repeat";
  readonly item: RepeatItem;
  readonly body: Node[];
}

export type Node = LoopNode | ScalarNode | StepNode | RepeatNode;

export function schedule(items: readonly Item[], ctx: LowerContext): Node[] {
  const s = new Scheduler(ctx);
  for (const item of items) s.add(item);
  s.close();
  return s.nodes;
}

interface Open {
  readonly node: LoopNode;
  /** The stage each value computed in this loop is computed at. */
  readonly members: Map<number, number>;
  readonly prelude: OpItem[];
  readonly posts: OpItem[];
}

/** How far down a stencil's taps reach (rows below the lane). */
const downReach = (taps: readonly Tap[]): number => Math.max(0, ...taps.map((t) => t.di));

class Scheduler {
  readonly nodes: Node[] = [];
  private open: Open | null = null;
  private pending: OpItem[] = [];
  /** Scalars not available before the open loop ends (its reductions and what follows from them). */
  private readonly dirty = new Set<number>();

  constructor(private readonly ctx: LowerContext) {}

  add(item: Item): void {
    if (item.kind === "repeat") {
      this.close();
      this.nodes.push({ kind: "repeat", item, body: schedule(item.body, this.ctx) });
      return;
    }
    const rule = this.ctx.rule(item);
    const outRank = this.ctx.rank(item.output);
    const gridInputs = rule.kind === "stencil" || item.opcode === "prolong_to" ? [item.inputs[0]] : rule.kind === "matmul" || rule.kind === "matvec" || rule.kind === "restrict" || rule.kind === "prolong" ? item.inputs : [];
    for (const x of gridInputs)
      if (this.ctx.rank(x) > 0 && this.ctx.value(x).def.kind === "literal")
        throw new Refusal(`\`${item.opcode}\` of a constant tensor (every entry equal) has no native emit rule`);
    const tensorInputs = item.inputs.some((i) => this.ctx.rank(i) > 0);
    if (outRank === 0 && !tensorInputs) return this.scalar(item);
    switch (rule.kind) {
      case "reduce":
        if (outRank === 0) return this.reduce(item);
        break;
      case "lane":
      case "compare":
      case "where":
      case "stencil":
        if (outRank > 0) return this.lane(item, rule);
        break;
      default:
        return this.step(item, rule);
    }
    throw new Refusal(`\`${item.opcode}\` with these shapes has no native emit rule`);
  }

  close(): void {
    const open = this.open;
    if (!open) return;
    if (open.prelude.length) this.nodes.push({ kind: "scalar", posts: [], ops: open.prelude });
    this.nodes.push(open.node);
    if (open.posts.length || this.pending.length) this.nodes.push({ kind: "scalar", posts: open.posts, ops: this.pending });
    this.pending = [];
    this.dirty.clear();
    this.open = null;
  }

  private openLoop(shape: readonly number[]): Open {
    this.open = { node: { kind: "loop", shape, stages: [{ lag: 0, ops: [] }] }, members: new Map(), prelude: [], posts: [] };
    return this.open;
  }

  private scalar(item: OpItem): void {
    if (item.inputs.some((i) => this.dirty.has(i))) {
      this.pending.push(item);
      this.dirty.add(item.output);
    } else if (this.open) this.open.prelude.push(item);
    else this.nodes.push({ kind: "scalar", posts: [], ops: [item] });
  }

  private reduce(item: OpItem): void {
    const shape = this.ctx.value(item.inputs[0]).shape;
    for (const i of item.inputs)
      if (!sameShape(this.ctx.value(i).shape, shape)) throw new Refusal(`\`${item.opcode}\` of tensors of different shapes has no native emit rule`);
    const open = this.open && sameShape(this.open.node.shape, shape) ? this.open : (this.close(), this.openLoop(shape));
    const stage = Math.max(0, ...item.inputs.map((i) => open.members.get(i) ?? 0));
    this.place(open, item, stage);
    this.dirty.add(item.output);
    const rule = this.ctx.rule(item);
    if (rule.kind === "reduce" && rule.post) open.posts.push(item);
  }

  private lane(item: OpItem, rule: Rule): void {
    const shape = this.ctx.value(item.output).shape;
    const grids = rule.kind === "stencil" ? [item.inputs[0]] : item.inputs;
    for (const i of grids) {
      const v = this.ctx.value(i);
      if (v.shape.length > 0 && !sameShape(v.shape, shape))
        throw new Refusal(`\`${item.opcode}\` broadcasting [${v.shape.join(", ")}] to [${shape.join(", ")}] has no native emit rule (only scalars broadcast)`);
    }
    const fits = this.open && sameShape(this.open.node.shape, shape) && !item.inputs.some((i) => this.dirty.has(i));
    const open = fits ? this.open! : (this.close(), this.openLoop(shape));
    let stage = 0;
    let stencilFrom: number | undefined;
    grids.forEach((i, k) => {
      const at = open.members.get(i);
      if (at === undefined) return;
      if (rule.kind === "stencil" && k === 0) {
        stage = Math.max(stage, at + 1);
        stencilFrom = at;
      } else stage = Math.max(stage, at);
    });
    this.ensureStage(open, stage);
    if (stencilFrom !== undefined && rule.kind === "stencil") this.ensureLag(open, stencilFrom, stage, downReach(rule.taps));
    this.place(open, item, stage);
  }

  private step(item: OpItem, rule: Rule): void {
    const independent = this.open && !item.inputs.some((i) => this.open!.members.has(i));
    if (!independent) this.close();
    this.nodes.push({ kind: "step", item, rule: rule as StepNode["rule"] });
  }

  private place(open: Open, item: OpItem, stage: number): void {
    open.node.stages[stage].ops.push(item);
    open.members.set(item.output, stage);
  }

  private ensureStage(open: Open, stage: number): void {
    const stages = open.node.stages;
    while (stages.length <= stage) stages.push({ lag: stages[stages.length - 1].lag, ops: [] });
  }

  /** Shifts stage `to` and those after it so that it runs at least `rows` behind stage `from`. */
  private ensureLag(open: Open, from: number, to: number, rows: number): void {
    const stages = open.node.stages;
    const missing = rows - (stages[to].lag - stages[from].lag);
    if (missing <= 0) return;
    for (let s = to; s < stages.length; s++) stages[s].lag += missing;
  }
}
