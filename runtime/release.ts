// Values by id while a region runs, and their release after their last use: what every
// interpreter (tfjs, native) shares.
import { InternalError } from "../base/diagnostics.js";
import type { Op, Region } from "../compiler/ir/ir.js";
import { lastUses } from "../compiler/ir/liveness.js";
import type { Tensor } from "./drivers/tensor-api.js";

/** Values by id; a region's environment falls back to its enclosing one (implicit capture). */
export class Env<T extends Tensor> {
  private readonly values = new Map<number, T>();

  constructor(private readonly parent?: Env<T>) {}

  get(id: number): T {
    const v = this.values.get(id) ?? this.parent?.get(id);
    if (v === undefined) throw new InternalError(`value %${id} has not been computed`);
    return v;
  }

  /** The value, or undefined when it was never computed (cleanup after a failure). */
  find(id: number): T | undefined {
    return this.values.get(id) ?? this.parent?.find(id);
  }

  set(id: number, t: T): void {
    this.values.set(id, t);
  }

  /** Whether the value was set in this scope (not its parent's). */
  owns(id: number): boolean {
    return this.values.has(id);
  }

  /** Every tensor this scope holds (not its parent's). */
  own(): T[] {
    return [...this.values.values()];
  }
}

interface Liveness {
  /** Each value's last use (an op index; the region's length for its results). */
  last: Map<number, number>;
  /** The values whose last use is op i. */
  dying: Map<number, number[]>;
}

/** Liveness of a region, computed once: a region runs once per iteration. */
const LIVENESS = new WeakMap<Region, Liveness>();

function livenessOf(region: Region): Liveness {
  let l = LIVENESS.get(region);
  if (l) return l;
  const last = lastUses(region);
  const dying = new Map<number, number[]>();
  for (const [id, i] of last) dying.set(i, [...(dying.get(i) ?? []), id]);
  LIVENESS.set(region, (l = { last, dying }));
  return l;
}

/**
 * Frees each value a region computes after its last use (compiler/ir/liveness.ts), so a run
 * holds what the compiler's memory estimate planned for, not every intermediate until the
 * region ends. Only the region's own values are freed (never a parameter, an input, an export
 * or a value of an enclosing region); a tensor two values share (a loop of no iterations gives
 * back its input) is freed with the last of them.
 */
export class Release<T extends Tensor> {
  private readonly last: Map<number, number>;
  private readonly dying: Map<number, number[]>;
  private readonly holders = new Map<T, number>();

  constructor(
    body: Region,
    private readonly given: ReadonlySet<T>,
    private readonly exported: ReadonlySet<number>,
  ) {
    ({ last: this.last, dying: this.dying } = livenessOf(body));
  }

  after(i: number, op: Op, env: Env<T>): void {
    for (const o of op.outputs) {
      const t = env.get(o.id);
      this.holders.set(t, (this.holders.get(t) ?? 0) + 1);
    }
    for (const o of op.outputs) if (!this.last.has(o.id)) this.drop(o.id, env);
    for (const id of this.dying.get(i) ?? []) this.drop(id, env);
  }

  private drop(id: number, env: Env<T>): void {
    if (this.exported.has(id) || !env.owns(id)) return;
    const t = env.get(id);
    const left = (this.holders.get(t) ?? 1) - 1;
    this.holders.set(t, left);
    if (left <= 0 && !this.given.has(t) && !t.isDisposed) t.dispose();
  }
}
