// The order of rows in each epoch. The permutation of epoch e is a pure function of a key and e
// (the key from the seed, the generator for e from the key and e), so a run resumed from a
// checkpoint in the middle of epoch e asks for order(e) again, skips the batches already done,
// and sees exactly the rows it would have seen. The state a checkpoint saves is the key, with
// the number of rows and whether shuffling is on, so resuming on changed data is caught.
import { internalAssert } from "../../base/diagnostics.js";
import { DataError } from "./errors.js";
import { Rng, seedWords } from "./rng.js";

export interface ShuffleOptions {
  /** Off: every epoch in file order. */
  shuffle?: boolean;
}

export class Shuffler {
  private key: number[];
  private shuffle: boolean;

  constructor(
    readonly rows: number,
    seed: number,
    options: ShuffleOptions = {},
  ) {
    internalAssert(Number.isInteger(rows) && rows >= 0 && rows <= 2 ** 32, `a shuffler of ${rows} rows`);
    this.key = seedWords(seed);
    this.shuffle = options.shuffle ?? true;
  }

  /** The rows of epoch `epoch` (0-based) in the order to visit them: a Fisher–Yates permutation. */
  order(epoch: number): Uint32Array {
    internalAssert(Number.isInteger(epoch) && epoch >= 0, `order(${epoch})`);
    const out = new Uint32Array(this.rows);
    for (let i = 0; i < out.length; i++) out[i] = i;
    if (!this.shuffle) return out;
    const rng = Rng.fromSeed([...this.key, epoch >>> 0, Math.floor(epoch / 2 ** 32)]);
    for (let i = out.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /** [key0..key3, rows, shuffle (1 or 0)]: small, JSON-safe numbers. */
  state(): number[] {
    return [...this.key, this.rows, this.shuffle ? 1 : 0];
  }

  /** Continues a run whose shuffler had `state`; the data must have the same number of rows. */
  restore(state: readonly number[], file = "(data)"): void {
    internalAssert(state.length === 6 && state.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32), `a Shuffler state is six whole numbers, not [${state}]`);
    if (state[4] !== this.rows) {
      throw new DataError({
        kind: "data-changed",
        problem: `The checkpoint was written for ${state[4]} rows of data, but the data now have ${this.rows}.`,
        file,
        hint: "resuming continues the same order over the same rows: resume with the data the run started with, or start afresh.",
      });
    }
    this.key = state.slice(0, 4);
    this.shuffle = state[5] === 1;
  }
}
