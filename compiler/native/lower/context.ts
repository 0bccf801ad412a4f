// What every phase of the lowering reads: the graph's values and each op's rule (computed
// once; an op without one refuses the whole region here).
import type { Graph } from "./graph.js";
import { ruleFor, type Rule } from "./rules.js";
import { type LowerOptions, type OpItem, Refusal, type ValueInfo } from "./types.js";

export class LowerContext {
  private readonly rules = new Map<OpItem, Rule>();
  /**
   * Tensors that depend on no argument and are cheap per lane (the red–black colour, 1 − it,
   * …): the step kernels recompute them where they are read instead of reading a buffer.
   */
  readonly remat = new Set<number>();

  constructor(
    readonly graph: Graph,
    readonly options: LowerOptions,
  ) {}

  value(id: number): ValueInfo {
    const v = this.graph.values.get(id);
    if (!v) throw new Error(`internal error: the value %${id} is not in the graph`);
    return v;
  }

  rank(id: number): number {
    return this.value(id).shape.length;
  }

  rule(item: OpItem): Rule {
    let r = this.rules.get(item);
    if (!r) {
      const output = this.value(item.output);
      if (output.shape.length > 0 && output.elem === "i32")
        throw new Refusal(`\`${item.opcode}\` makes an i32 tensor, which a fused region does not hold (only i32 scalars)`);
      r = ruleFor({ item, inputs: item.inputs.map((i) => this.value(i)), output });
      this.rules.set(item, r);
    }
    return r;
  }
}

export const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);
