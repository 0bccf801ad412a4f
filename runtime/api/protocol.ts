// What `run` (run.ts) and its worker threads (worker.ts) say to each other: plain data only.
// A worker serves one run at a time, and stays for the next one (workers.ts).
import type { RunEvent } from "../monitor/events.js";
import type { RunRequest } from "./execute.js";
import type { RunResult } from "./types.js";

/** To the worker: run this. */
export interface RunMessage {
  request: RunRequest;
  /** One Int32: 0 while the run may go on, 1 once the caller asked it to stop. */
  stop: SharedArrayBuffer;
}

export interface ThrownError {
  name: string;
  message: string;
  stack: string;
}

/** From the worker: the run's events, in order, then its result or the error that ended it. */
export type WorkerMessage =
  | { type: "event"; event: RunEvent }
  | { type: "result"; result: RunResult }
  | { type: "error"; error: ThrownError };
