// A worker thread of `run` (run.ts): it runs each request it is sent (execute.ts), one at a
// time, and posts back, in order, the events the caller listens to and then the result, or the
// error that ended it. A stop asked by the caller arrives through a shared flag, read between
// iterations. Between runs it waits (workers.ts keeps one such worker for the next run).
import { parentPort } from "node:worker_threads";
import { execute } from "./execute.js";
import type { RunMessage, WorkerMessage } from "./protocol.js";

const port = parentPort!;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

async function serve({ request, stop }: RunMessage): Promise<void> {
  const flag = new Int32Array(stop);
  try {
    const result = await execute(request, { onEvent: (event) => post({ type: "event", event }), shouldStop: () => Atomics.load(flag, 0) !== 0 });
    // The exports' buffers move to the caller rather than being copied.
    post({ type: "result", result }, Object.values(result.exports).map((t) => t.data.buffer as ArrayBuffer));
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    post({ type: "error", error: { name: error.name, message: error.message, stack: error.stack ?? "" } });
  }
}

port.on("message", (m: RunMessage) => void serve(m));
