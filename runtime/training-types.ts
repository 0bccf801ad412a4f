// What runtime/constructs.ts asks of a run for its `train` blocks (training-host.ts gives it,
// from files). Its own file, with type imports only, so that what says what each construct
// means reaches no Node module: generated modules run it in a browser (test/structure).
import type { DataSource } from "../compiler/training.js";
import type { Checkpoint } from "./checkpoint/types.js";
import type { Dataset } from "./data/types.js";
import type { Tensor } from "./drivers/tensor-api.js";
import type { StepProgress } from "./drivers/train.js";

export interface TrainingHost {
  /** A file's data set, read now; or a `tensors(...)` set from its values (`operands`, one per field). */
  load(source: DataSource, operands: readonly Tensor[]): Dataset;
  save(dir: string, c: Omit<Checkpoint, "version" | "programHash">): string;
  /** The checkpoint of the `train` block named `label`, when the run resumes one. */
  resumeFor(label: string): Checkpoint | undefined;
  onStep?: (label: string, step: number, epoch: number, loss: number, seconds: number, progress: StepProgress) => void;
}
