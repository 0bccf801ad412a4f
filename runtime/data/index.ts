// Data sets for training: loading (`loadDataset`), the order of rows per epoch (`Shuffler`),
// and batches (`gather`). See each file for its policy.
export type { BatchTensor, DataFormat, DataLocation, Dataset, DatasetSpec, Field, FieldSelect, FieldSpec } from "./types.js";
export { DataError, type DataErrorKind } from "./errors.js";
export { loadDataset } from "./load.js";
export { type ComputedField, datasetOfTensors } from "./tensors.js";
export { resolveDataPath } from "./paths.js";
export { Rng } from "./rng.js";
export { Shuffler, type ShuffleOptions } from "./shuffle.js";
export { batchesPerEpoch, gather, type PartialBatch } from "./batch.js";
