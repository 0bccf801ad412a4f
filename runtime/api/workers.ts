// The worker threads `run` uses: a run takes the waiting one, or starts a new one, and gives it
// back when it ended cleanly, so that a program that runs many programs pays for starting a
// worker (loading the compiler and tfjs, about half a second) once. One worker waits at most;
// it does not keep the process alive (`unref`). A worker whose run ended in an error, or whose
// caller stopped listening (a callback that threw), is ended rather than reused.
//
// Listeners are removed one by one, never with removeAllListeners: a Worker keeps listeners of
// its own that route its messages.
import { Worker } from "node:worker_threads";
import { workerUrl } from "./worker-url.js";

let waiting: { worker: Worker; onExit: () => void } | undefined;

export async function takeWorker(): Promise<Worker> {
  const w = waiting;
  waiting = undefined;
  if (!w) return new Worker(await workerUrl(), { execArgv: workerExecArgv(process.execArgv) });
  w.worker.off("exit", w.onExit);
  w.worker.ref();
  return w.worker;
}

/** A worker whose run ended cleanly: kept for the next run, unless one is kept already. */
export function giveBack(worker: Worker): void {
  if (waiting) {
    void worker.terminate();
    return;
  }
  const onExit = () => {
    if (waiting?.worker === worker) waiting = undefined;
  };
  worker.once("exit", onExit);
  worker.unref();
  waiting = { worker, onExit };
}

export function endWorker(worker: Worker): void {
  void worker.terminate();
}

/**
 * The parent's Node flags for a worker, without those that only describe the main script
 * (`node --input-type=module -e "…"`), which a worker refuses to start with.
 */
export function workerExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--input-type" || a === "-e" || a === "--eval" || a === "-p" || a === "--print") i++;
    else if (!/^--(input-type|eval|print)=/.test(a)) out.push(a);
  }
  return out;
}
