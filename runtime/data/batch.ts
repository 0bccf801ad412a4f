// Batches: the rows of one step gathered from each field, in the epoch's order. The batch size
// binds a `dim` of the model, so every batch has the same size: a last partial batch is dropped
// by default (its rows come back in other epochs, in other places of the order). `keep` gives
// it, smaller, for callers that can take a different size (evaluation).
import { internalAssert } from "../../base/diagnostics.js";
import { DataError } from "./errors.js";
import type { BatchTensor, Dataset } from "./types.js";

export type PartialBatch = "drop" | "keep";

/** How many batches an epoch has. A batch larger than the data set is a user error when dropping. */
export function batchesPerEpoch(dataset: Dataset, batch: number, partial: PartialBatch = "drop"): number {
  internalAssert(Number.isInteger(batch) && batch > 0, `a batch size of ${batch}`);
  const n = partial === "drop" ? Math.floor(dataset.rows / batch) : Math.ceil(dataset.rows / batch);
  if (n === 0) {
    throw new DataError({
      kind: "batch-too-large",
      problem: `The batch size ${batch} is larger than the data set \`${dataset.name}\`, which has ${dataset.rows} row${dataset.rows === 1 ? "" : "s"}.`,
      file: dataset.source,
      hint: `use \`batch ${dataset.rows}\` or less (a batch is never partial), or give more data.`,
    });
  }
  return n;
}

/** The rows `order[start .. start+count)` of every field, as [count, ...perRow] tensors. */
export function gather(dataset: Dataset, order: Uint32Array, start: number, count: number): Map<string, BatchTensor> {
  internalAssert(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= order.length, `gather [${start}, ${start + count}) of ${order.length}`);
  const out = new Map<string, BatchTensor>();
  for (const [name, field] of dataset.fields) {
    const width = field.perRow.reduce((a, b) => a * b, 1);
    const data = new Float32Array(count * width);
    for (let b = 0; b < count; b++) {
      const row = order[start + b];
      internalAssert(row < dataset.rows, `row ${row} of ${dataset.rows}`);
      if (width === 1) data[b] = field.data[row];
      else data.set(field.data.subarray(row * width, row * width + width), b * width);
    }
    out.set(name, { shape: [count, ...field.perRow], data });
  }
  return out;
}
