// What the fuzzer's main thread and its workers say to each other, and the sizes a program is
// run at (small, so that running is quick).
import type { Program as Ast } from "../../../grammar/ast.js";
import type { BackendName } from "../../../runtime/tfjs/backend.js";

export type Stage = "parse" | "format" | "check" | "run";

export interface Job {
  id: number;
  source: string;
  /** Whether to run a program that passes check. */
  run: boolean;
  backend: BackendName;
}

export interface ErrorInfo {
  name: string;
  message: string;
  stack: string;
}

/**
 * How a program ended: `rejected` with diagnostics or a user error at `stage` (the answer we
 * want for bad input), `completed` through the last stage, or `internal`: an exception that is
 * not a user error, or a broken invariant — a bug.
 */
export type Outcome = { end: "rejected" | "completed"; stage: Stage } | { end: "internal"; stage: Stage; error: ErrorInfo };

/**
 * `warned`, with the `run` stage: the codes of the warnings check gave. A run that hangs after
 * a `long-run` warning (an iteration bound of a million or more, said where it is written)
 * keeps the promise: the user was told.
 */
export type WorkerMessage = { type: "stage"; id: number; stage: Stage; warned?: string[] } | { type: "done"; id: number; outcome: Outcome };

/** The largest size a program is run at: a `dim` with a larger value is set smaller. */
export const RUN_SIZE_CAP = 16;
const SMALL_SIZES = [3, 7, 15];

/**
 * `--set` values for the program's `dim`s that have none or a literal above RUN_SIZE_CAP
 * (chosen by the program's id among 3, 7 and 15, the grid sizes multigrid accepts).
 */
export function sizesFor(program: Ast, id: number): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const d of program.decls) {
    if (d.kind !== "Dim") continue;
    for (const item of d.items) {
      const v = item.value;
      if (v === null || (v.kind === "Number" && v.value > RUN_SIZE_CAP)) sizes.set(item.name.name, SMALL_SIZES[(id + sizes.size) % SMALL_SIZES.length]);
    }
  }
  return sizes;
}
