// A checkpoint: everything a training run needs to continue exactly where it stopped.

export interface TensorRecord {
  dtype: "f32" | "i32";
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface Checkpoint {
  /** The format version; `CHECKPOINT_VERSION` when written by this iterlang. */
  version: number;
  /** `hashProgram(source, sizes)` of the program that wrote it. */
  programHash: string;
  step: number;
  epoch: number;
  batchInEpoch: number;
  /** The shuffler's state (whole numbers below 2^32). */
  rng: number[];
  /** Params and optimiser state, by name. */
  tensors: Map<string, TensorRecord>;
  /** Learning-rate schedule position and the like. */
  meta: Record<string, number | string>;
}

/** The version this iterlang writes and reads. */
export const CHECKPOINT_VERSION = 1;

/** The manifest's name in a checkpoint folder: its presence makes the folder a checkpoint. */
export const MANIFEST = "checkpoint.json";

/** The `format` field of every manifest. */
export const FORMAT_TAG = "iterlang-checkpoint";

export interface ManifestTensor {
  name: string;
  /** Relative to the checkpoint folder: `step-200/W.npy`. */
  file: string;
  dtype: "f32" | "i32";
  shape: number[];
  bytes: number;
  sha256: string;
}

/** `checkpoint.json`. Its own `sha256` covers every other field (compact JSON, in this order). */
export interface Manifest {
  format: typeof FORMAT_TAG;
  version: number;
  programHash: string;
  step: number;
  epoch: number;
  batchInEpoch: number;
  rng: number[];
  meta: Record<string, number | string>;
  tensors: ManifestTensor[];
  sha256: string;
}
