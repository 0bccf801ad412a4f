// Where each value is computed and where it is read, in the order the steps run: what decides
// which values need a buffer (materialisation) and which may be stored over another in place.
//
// Positions number the steps of the init kernel, then the main kernel, depth first; a repeat
// takes a position before its body (its carried values' copy-in) and one after (copy-back).
// A read inside a repeat of a value defined before it counts at the repeat's end: the body
// runs again and reads it again.
import type { LowerContext } from "./context.js";
import type { LoopNode, Node, RepeatNode } from "./schedule.js";

export interface Use {
  /** The step's position; for a read inside a repeat of an outside value, the repeat's end. */
  readonly pos: number;
  readonly node: Node | null;
  readonly stage: number;
  /** A stencil's read of its grid at offsets. */
  readonly offset: boolean;
  /** A `where`'s condition that it derives from the comparison itself (it reads no value). */
  readonly cond: boolean;
}

export interface Home {
  readonly pos: number;
  readonly node: Node | null;
  readonly stage: number;
}

/** Values defined before any step (parameters, captures, constants). */
const BEFORE: Home = { pos: -1, node: null, stage: -1 };
export const END = Number.MAX_SAFE_INTEGER;

export class Liveness {
  readonly homes = new Map<number, Home>();
  readonly uses = new Map<number, Use[]>();
  private readonly ranges = new Map<RepeatNode, [number, number]>();
  private readonly positions = new Map<Node, number>();
  private pos = 0;
  /** While collecting the main kernel's reads: those of recomputed invariants read no buffer. */
  private inMain = false;
  /** The first position of the main kernel (the init kernel's come before). */
  readonly mainStart: number;

  constructor(
    private readonly ctx: LowerContext,
    init: readonly Node[],
    main: readonly Node[],
  ) {
    this.number(init);
    this.mainStart = this.pos;
    this.number(main);
    this.collect(init, []);
    this.inMain = true;
    this.collect(main, []);
    for (const r of ctx.graph.results) if (ctx.rank(r) > 0) this.use(r, { pos: END, node: null, stage: -1, offset: false, cond: false });
  }

  /** The last position that reads a value (−1 when none does). */
  lastUse(id: number): number {
    return Math.max(-1, ...this.usesOf(id).map((u) => u.pos));
  }

  home(id: number): Home {
    return this.homes.get(id) ?? BEFORE;
  }

  usesOf(id: number): readonly Use[] {
    return this.uses.get(id) ?? [];
  }

  private number(nodes: readonly Node[]): void {
    for (const node of nodes) {
      const p = this.pos++;
      this.positions.set(node, p);
      switch (node.kind) {
        case "loop":
          node.stages.forEach((st, stage) => {
            for (const op of st.ops) this.homes.set(op.output, { pos: p, node, stage });
          });
          break;
        case "scalar":
          for (const op of node.ops) this.homes.set(op.output, { pos: p, node, stage: -1 });
          break;
        case "step":
          this.homes.set(node.item.output, { pos: p, node, stage: -1 });
          break;
        case "repeat": {
          for (const c of node.item.carried) this.homes.set(c.param, { pos: p, node, stage: -1 });
          this.number(node.body);
          const end = this.pos++;
          this.ranges.set(node, [p, end]);
          for (const c of node.item.carried) this.homes.set(c.output, { pos: end, node, stage: -1 });
          break;
        }
      }
    }
  }

  private use(id: number, u: Use): void {
    if (this.inMain && this.ctx.remat.has(id)) return;
    const list = this.uses.get(id) ?? [];
    list.push(u);
    this.uses.set(id, list);
  }

  /** A read at `pos` inside the repeats `around` (outermost first), moved to the end of the outermost one the value is older than. */
  private at(id: number, pos: number, around: readonly RepeatNode[]): number {
    const def = this.home(id).pos;
    for (const r of around) {
      const [start, end] = this.ranges.get(r)!;
      if (def < start) return Math.max(pos, end);
    }
    return pos;
  }

  private collect(nodes: readonly Node[], around: readonly RepeatNode[]): void {
    for (const node of nodes) {
      switch (node.kind) {
        case "loop":
          this.collectLoop(node, around);
          break;
        case "scalar":
          for (const op of node.ops) for (const x of op.inputs) this.plain(x, node, around);
          break;
        case "step":
          for (const x of node.item.inputs) this.plain(x, node, around);
          break;
        case "repeat": {
          const [start, end] = this.ranges.get(node)!;
          for (const c of node.item.carried) this.use(c.init, { pos: this.at(c.init, start, around), node, stage: -1, offset: false, cond: false });
          this.collect(node.body, [...around, node]);
          for (const c of node.item.carried) this.use(c.result, { pos: this.at(c.result, end, [...around, node]), node, stage: -1, offset: false, cond: false });
          break;
        }
      }
    }
  }

  private plain(x: number, node: Node, around: readonly RepeatNode[]): void {
    this.use(x, { pos: this.at(x, this.positions.get(node)!, around), node, stage: -1, offset: false, cond: false });
  }

  private collectLoop(node: LoopNode, around: readonly RepeatNode[]): void {
    const pos = this.positions.get(node)!;
    node.stages.forEach((st, stage) => {
      for (const op of st.ops) {
        const rule = this.ctx.rule(op);
        op.inputs.forEach((x, k) => {
          if (rule.kind === "stencil" && k > 0) return;
          const offset = rule.kind === "stencil" && k === 0;
          const cond = rule.kind === "where" && k === 0 && this.derivable(x, node, stage);
          this.use(x, { pos: this.at(x, pos, around), node, stage, offset, cond });
        });
      }
    });
  }

  /** Whether a `where` in (node, stage) can test its condition `c` by its comparison directly. */
  derivable(c: number, node: Node, stage: number): boolean {
    const v = this.ctx.value(c);
    if (v.def.kind !== "op" || this.ctx.rule(v.def.item).kind !== "compare") return false;
    if (v.shape.length === 0) return true;
    const h = this.home(c);
    return h.node === node && h.stage === stage;
  }
}
