// What a `data` declaration and a `train` block mean once checked, in one place: the data
// source (read only when running: compiling never opens it), how batches are drawn, the
// learning-rate schedule and the checkpoints. The checker builds these; the IR's `train` op
// carries them as they are; the training driver (runtime/drivers/train.ts) reads them.

/**
 * Which entries of a row make one field: CSV or .npy columns [from, to) or one column; a
 * JSON-lines key (a number, or entries [from, to) of an array); for `tensors(...)`, the data
 * set's `tensor`-th operand (its fields in order), whose rows are the records.
 */
export type FieldSelect = { from: number; to: number } | { column: number } | { key: string; from?: number; to?: number } | { tensor: number };

export interface DataField {
  name: string;
  select: FieldSelect;
  /** Entries per row: the field of a batch of B rows is f32[B, width]. */
  width: number;
}

export interface DataSource {
  /** The `data` declaration's name and line (for messages at run time). */
  name: string;
  line: number;
  format: "csv" | "npy" | "jsonl" | "tensors";
  /** As written, relative to the `.iter` file; "" for `tensors`, whose values the program computes. */
  path: string;
  /** CSV: whether the first row is a header; absent: detected (a first row that is not numeric). */
  header?: boolean;
  fields: DataField[];
}

/**
 * How many operands of a `train` op a data set takes: a `tensors(...)` set's values are computed
 * by the program and reach the driver as operands after the params (the training set's, then the
 * validation set's), one per field in order; a file's set takes none (the driver reads it).
 */
export function operandCount(source: DataSource): number {
  return source.format === "tensors" ? source.fields.length : 0;
}

/** The learning rate of step k (from 1): `lr` times the schedule's factor, after a linear warm-up. */
export type Schedule =
  | { name: "constant"; warmup: number }
  | { name: "step"; warmup: number; every: number; gamma: number }
  | { name: "cosine"; warmup: number; floor: number };

export const SCHEDULES = ["constant", "step", "cosine"] as const;

/** The factor of the base learning rate at step k ≥ 1 of `total` (a pure function: resumed runs agree). */
export function scheduleFactor(s: Schedule, k: number, total: number): number {
  if (s.warmup > 0 && k <= s.warmup) return k / s.warmup;
  const t = k - s.warmup;
  switch (s.name) {
    case "constant":
      return 1;
    case "step":
      return s.gamma ** Math.floor((t - 1) / s.every);
    case "cosine": {
      // From 1 at the first step after warm-up to `floor` at the last.
      const progress = Math.min(1, (t - 1) / Math.max(1, total - s.warmup - 1));
      return s.floor + (1 - s.floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }
}

export interface TrainSettings {
  /** Passes over the data, or a number of steps (one is given; epochs defaults to 1). */
  epochs?: number;
  steps?: number;
  batch: number;
  /** The seed of the shuffling (and nothing else: initialisers have their own seeds). */
  seed: number;
  shuffle: boolean;
  /** Rescale the gradients when their global norm exceeds this. */
  clip?: number;
  schedule: Schedule;
  checkpoint?: { dir: string; every: number; unit: "steps" | "epochs" };
}
