// A checkpoint that cannot be used, said clearly: which folder or file, what is wrong with it,
// and what to do. A user error, never a stack trace; `kind` is stable for tests and callers.
import { type Located, renderLocated } from "../located-error.js";

export type CheckpointErrorKind = "missing" | "not-a-checkpoint" | "corrupt" | "truncated" | "version" | "different-program" | "not-writable";

export interface CheckpointErrorInit extends Located {
  kind: CheckpointErrorKind;
}

export class CheckpointError extends Error implements Located {
  readonly isUserError = true;
  readonly kind: CheckpointErrorKind;
  readonly problem: string;
  /** The checkpoint folder, or the file in it that is at fault. */
  readonly file: string;
  readonly hint?: string;

  constructor(init: CheckpointErrorInit) {
    super(renderLocated(init));
    this.name = "CheckpointError";
    this.kind = init.kind;
    this.problem = init.problem;
    this.file = init.file;
    this.hint = init.hint;
  }
}
