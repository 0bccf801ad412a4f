// Where every value lives: registers for scalars; for tensors, a buffer when something outside
// the loop stage that computes it reads it (another step, a later stage, a stencil, a result),
// else nothing (a per-lane temporary). And the call plan's slots: each parameter's buffer(s),
// each result's.
//
// In place: result i has the type of parameter i in a method's step (x → x', r → r', …). When
// the caller donates parameter i and no step reads the old value after the new one is stored
// (or only the same lane of the same loop stage, before the store), result i is stored over
// parameter i. Otherwise the pair has two buffers and calls alternate between two kernel
// variants, so that a call never writes its own arguments. A repeat's carried tensor is
// likewise stored over by its body's result when that is legal, and copied back otherwise.
import type { LowerContext } from "./context.js";
import { type Liveness } from "./liveness.js";
import type { Node } from "./schedule.js";
import { type CaptureSlot, type ParamSlot, Refusal, type ResultSlot } from "./types.js";

type Storage = { kind: "fixed"; name: string } | { kind: "param"; index: number } | { kind: "result"; index: number };

export type Variant = 0 | 1;

export class StoragePlan {
  readonly variants: 1 | 2;
  readonly params: ParamSlot[];
  readonly results: ResultSlot[];
  readonly captures: CaptureSlot[];
  private readonly resultIndex = new Map<number, number>();
  private readonly inPlace: boolean[] = [];
  /** Body results stored straight into their repeat's carried buffer: result → carried parameter. */
  private readonly coalesced = new Map<number, number>();
  /** Temporaries that share a buffer with an earlier one whose last read came before: value → buffer. */
  private readonly shared = new Map<number, string>();

  constructor(
    private readonly ctx: LowerContext,
    readonly live: Liveness,
    nodes: readonly Node[],
  ) {
    const { graph, options } = ctx;
    graph.results.forEach((r, j) => {
      if (ctx.rank(r) > 0) this.resultIndex.set(r, j);
    });
    const donated = new Set(options.donate ?? []);
    graph.params.forEach((p, i) => {
      const r = graph.results[i];
      this.inPlace[i] = this.paired(i) && donated.has(i) && this.canReplace(p, r);
    });
    const pingPong = graph.params.some((_, i) => this.paired(i) && !this.inPlace[i]);
    this.variants = pingPong ? 2 : 1;
    this.coalesceRepeats(nodes);
    this.shareBuffers();
    this.params = graph.params.map((p, i) => this.paramSlot(p, i));
    this.results = graph.results.map((r, j) => this.resultSlot(r, j));
    this.captures = graph.captures.map((c, k) => this.captureSlot(c, k));
  }

  /** Whether parameter i and result i are one state item (same tensor type). */
  paired(i: number): boolean {
    const { params, results } = this.ctx.graph;
    if (i >= params.length || i >= results.length) return false;
    const [p, r] = [this.ctx.value(params[i]), this.ctx.value(results[i])];
    return p.shape.length > 0 && p.shape.length === r.shape.length && p.shape.every((d, k) => d === r.shape[k]);
  }

  /** Whether `neu` may be stored over `old`'s buffer: nothing reads `old` after `neu` is stored. */
  canReplace(old: number, neu: number): boolean {
    const h = this.live.home(neu);
    if (h.node === null || (h.node.kind !== "loop" && h.node.kind !== "step")) return false;
    return this.live.usesOf(old).every(
      (u) => u.pos < h.pos || (h.node!.kind === "loop" && u.node === h.node && u.stage === h.stage && !u.offset && u.pos === h.pos),
    );
  }

  private coalesceRepeats(nodes: readonly Node[]): void {
    for (const node of nodes) {
      if (node.kind !== "repeat") continue;
      this.coalesceRepeats(node.body);
      const params = new Set(node.item.carried.map((c) => c.param));
      for (const c of node.item.carried) {
        if (this.ctx.rank(c.param) === 0 || c.result === c.param) continue;
        if (params.has(c.result)) throw new Refusal(`the loop \`${node.item.label}\` exchanges its carried tensors, which a fused region does not`);
        const def = this.ctx.value(c.result).def;
        if (def.kind === "op" && !this.coalesced.has(c.result) && !this.resultIndex.has(c.result) && this.canReplace(c.param, c.result))
          this.coalesced.set(c.result, c.param);
      }
    }
  }

  /**
   * Buffer reuse by live ranges: a temporary of the main kernel (stored by a loop or a step,
   * not a result, not a repeat's carried value) takes the buffer of an earlier temporary of the
   * same shape whose last read is at an earlier step than its own first store. Values of the
   * init kernel live for the program's life (every call reads them) and are never reused.
   */
  private shareBuffers(): void {
    const candidates = [...this.live.homes.keys()].filter((id) => this.isTemporary(id));
    candidates.sort((a, b) => this.live.home(a).pos - this.live.home(b).pos);
    const free: { shape: string; name: string; until: number }[] = [];
    for (const id of candidates) {
      const shape = this.ctx.value(id).shape.join(",");
      const start = this.live.home(id).pos;
      const k = free.findIndex((f) => f.shape === shape && f.until < start);
      const name = k >= 0 ? free.splice(k, 1)[0].name : `v${id}`;
      if (k >= 0) this.shared.set(id, name);
      free.push({ shape, name, until: this.live.lastUse(id) });
    }
  }

  private isTemporary(id: number): boolean {
    const v = this.ctx.value(id);
    const h = this.live.home(id);
    if (v.shape.length === 0 || v.def.kind !== "op" || h.node === null || h.pos < this.live.mainStart) return false;
    if (this.resultIndex.has(id) || this.coalesced.has(id)) return false;
    return h.node.kind === "step" || (h.node.kind === "loop" && this.materialized(id));
  }

  private paramSlot(p: number, i: number): ParamSlot {
    const v = this.ctx.value(p);
    if (v.shape.length === 0) return { kind: "register", register: this.register(p) };
    const read = this.live.usesOf(p).length > 0;
    if (!this.paired(i)) return read ? { kind: "buffer", shape: v.shape, buffers: [`p${i}`, `p${i}`], read } : { kind: "unused" };
    const buffers: [string, string] = this.inPlace[i] ? [`p${i}`, `p${i}`] : [`p${i}a`, `p${i}b`];
    return { kind: "buffer", shape: v.shape, buffers, read };
  }

  private resultSlot(r: number, j: number): ResultSlot {
    const v = this.ctx.value(r);
    if (v.shape.length === 0) {
      if (v.def.kind === "literal") return { kind: "literal", value: v.def.value, elem: v.elem };
      return { kind: "register", register: this.register(r), elem: v.elem };
    }
    if (this.paired(j)) {
      const buffers: [string, string] = this.inPlace[j] ? [`p${j}`, `p${j}`] : [`p${j}b`, `p${j}a`];
      return { kind: "buffer", shape: v.shape, buffers };
    }
    return { kind: "buffer", shape: v.shape, buffers: this.variants === 2 ? [`r${j}a`, `r${j}b`] : [`r${j}`, `r${j}`] };
  }

  private captureSlot(c: number, k: number): CaptureSlot {
    const v = this.ctx.value(c);
    // A scalar capture returned as it is (a method's literal health defined outside the step)
    // is read by no op, but its result slot is its register: the call must still write it.
    const returned = v.shape.length === 0 && this.ctx.graph.results.includes(c);
    if (this.live.usesOf(c).length === 0 && !returned) return { kind: "unused", id: c };
    if (v.shape.length === 0) return { kind: "register", id: c, register: this.register(c) };
    return { kind: "buffer", id: c, shape: v.shape, buffer: `c${k}` };
  }

  /** Whether a tensor computed in a loop must be stored (something outside its stage reads it). */
  materialized(id: number): boolean {
    const h = this.live.home(id);
    if (this.ctx.rank(id) === 0 || h.node === null || h.node.kind !== "loop") return false;
    if (this.resultIndex.has(id) || this.coalesced.has(id)) return true;
    return this.live.usesOf(id).some((u) => !(u.node === h.node && u.stage === h.stage && !u.offset));
  }

  /** Reads of a loop value in its own stage that need its number (not a derived condition). */
  laneUses(id: number): number {
    const h = this.live.home(id);
    return this.live.usesOf(id).filter((u) => u.node === h.node && u.stage === h.stage && !u.cond).length;
  }

  private storage(id: number): Storage {
    const def = this.ctx.value(id).def;
    switch (def.kind) {
      case "param":
        return { kind: "param", index: def.index };
      case "capture":
        return { kind: "fixed", name: `c${def.index}` };
      case "data":
        return { kind: "fixed", name: `d${id}` };
      case "carried":
        return { kind: "fixed", name: `k${id}` };
      case "repeated":
        return this.storage(def.repeat.carried[def.index].param);
      case "literal":
        throw new Error(`internal error: the literal %${id} has no buffer`);
      case "op": {
        const j = this.resultIndex.get(id);
        if (j !== undefined) return { kind: "result", index: j };
        const into = this.coalesced.get(id);
        return into !== undefined ? this.storage(into) : { kind: "fixed", name: this.shared.get(id) ?? `v${id}` };
      }
    }
  }

  /** The buffer holding a tensor value in variant v. */
  buffer(id: number, v: Variant): string {
    const s = this.storage(id);
    if (s.kind === "fixed") return s.name;
    const slot = s.kind === "param" ? this.params[s.index] : this.results[s.index];
    if (slot.kind !== "buffer") throw new Error(`internal error: %${id} has no buffer slot`);
    return slot.buffers[v];
  }

  /** The register holding a scalar value. */
  register(id: number): string {
    const def = this.ctx.value(id).def;
    if (def.kind === "repeated") return this.register(def.repeat.carried[def.index].param);
    return `s${id}`;
  }

  /** How many of the pairs are stored in place, for the summary. */
  get inPlaceCount(): number {
    return this.inPlace.filter(Boolean).length;
  }
}
