// Exact-resume checkpoints: `writeCheckpoint` (atomic), `readCheckpoint` (checked), and
// `hashProgram` for the program hash both compare.
export { CHECKPOINT_VERSION, type Checkpoint, MANIFEST, type TensorRecord } from "./types.js";
export { CheckpointError, type CheckpointErrorKind } from "./errors.js";
export { hashProgram, shortHash } from "./hash.js";
export { writeCheckpoint } from "./write.js";
export { readCheckpoint, readManifest } from "./read.js";
