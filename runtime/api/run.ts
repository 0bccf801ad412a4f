// `run(program, options)`: compile and run a program in a worker thread (workers.ts), so that
// the caller's event loop keeps turning during a long solve (the executor is synchronous: tfjs
// reads values back with dataSync between iterations). Events come back as messages and reach
// `onIteration` and `observer` in order; an AbortSignal sets a flag the worker reads between
// iterations.
//
// One way to fail: a mistake in the program or its data is a diagnostic in the result
// (`ok: false`). Thrown (the promise rejects) are only what is not the program's: a file that
// cannot be read (FileReadError), a backend that cannot start (BackendUnavailableError), what a
// callback of the caller's threw, and a bug in iterlang (InternalError).
import { readFile } from "node:fs/promises";
import { InternalError } from "../../base/diagnostics.js";
import { dispatch, type RunEvent } from "../monitor/events.js";
import { type BackendName, BackendUnavailableError } from "../tfjs/backend-names.js";
import type { RunRequest } from "./execute.js";
import type { RunMessage, ThrownError, WorkerMessage } from "./protocol.js";
import type { RunOptions, RunResult } from "./types.js";
import { endWorker, giveBack, takeWorker } from "./workers.js";

/** A program file that could not be read. */
export class FileReadError extends Error {
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "FileReadError";
  }
}

/** A program: its text, or where to read it (a URL, or `{ file: path }`). */
export type ProgramSource = string | URL | { readonly file: string };

export async function run(program: ProgramSource, options: RunOptions = {}): Promise<RunResult> {
  const { source, file } = await readProgram(program, options.file);
  if (options.signal?.aborted) return abortedBeforeStart();
  const request: RunRequest = {
    source,
    file,
    sizes: { ...options.sizes },
    inputs: { ...options.inputs },
    backend: options.backend ?? "auto",
    ...(options.precision ? { precision: options.precision } : {}),
    ...(options.dataRoot ? { dataRoot: options.dataRoot } : {}),
    ...(options.resume ? { resume: options.resume } : {}),
    events: { iterations: options.onIteration !== undefined || options.observer?.onIteration !== undefined, runs: options.observer !== undefined },
  };
  return inWorker({ request, stop: new SharedArrayBuffer(4) }, options);
}

async function readProgram(program: ProgramSource, name: string | undefined): Promise<{ source: string; file: string }> {
  if (typeof program === "string") return { source: program, file: name ?? "<input>" };
  const path = program instanceof URL ? program : program.file;
  const file = name ?? (program instanceof URL ? program.pathname : program.file);
  try {
    return { source: await readFile(path, "utf8"), file };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "there is no such file" : code === "EISDIR" ? "it is a folder" : (e as Error).message;
    throw new FileReadError(String(path), code, `I can't read the program \`${String(path)}\`: ${why}.`);
  }
}

function abortedBeforeStart(): RunResult {
  return { ok: false, converged: false, exports: {}, reports: {}, diagnostics: [], sizes: {}, stopped: { reason: "aborted", message: "stopped by the caller before it started" } };
}

async function inWorker(message: RunMessage, options: RunOptions): Promise<RunResult> {
  const worker = await takeWorker();
  return new Promise((resolve, reject) => {
    const stop = new Int32Array(message.stop);
    const onAbort = () => Atomics.store(stop, 0, 1);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let settled = false;
    /** Ends the run once: the worker is kept only when `reuse`. */
    const settle = (reuse: boolean, f: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener("abort", onAbort);
      worker.off("message", onMessage).off("error", onError).off("exit", onExit);
      if (reuse) giveBack(worker);
      else endWorker(worker);
      f();
    };
    const onMessage = (m: WorkerMessage) => {
      if (m.type === "result") settle(true, () => resolve(m.result));
      else if (m.type === "error") settle(false, () => reject(rebuilt(m.error, message.request)));
      else {
        try {
          deliver(m.event, options);
        } catch (e) {
          settle(false, () => reject(e));
        }
      }
    };
    const onError = (e: Error) => settle(false, () => reject(new InternalError(`the run's worker thread failed: ${e.message}`)));
    const onExit = (code: number) => settle(false, () => reject(new InternalError(`the run's worker thread exited (code ${code}) without a result`)));
    worker.on("message", onMessage).on("error", onError).on("exit", onExit);
    worker.postMessage(message);
  });
}

/** An event to the caller's callbacks (what they throw rejects the run). */
function deliver(e: RunEvent, options: RunOptions): void {
  if (e.type === "iteration") options.onIteration?.(e.event);
  if (options.observer) dispatch(options.observer, e);
}

/** The error the worker ended with, as the class the caller can catch. */
function rebuilt(e: ThrownError, request: RunRequest): Error {
  if (e.name === "BackendUnavailableError") return new BackendUnavailableError(request.backend as BackendName, e.message);
  const err = new InternalError(e.message.replace(/^internal error: /, ""));
  err.stack = `${err.name}: ${err.message}\n(in the run's worker thread)\n${e.stack}`;
  return err;
}
