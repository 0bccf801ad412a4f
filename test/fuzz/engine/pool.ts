// A pool of fuzz workers with a time limit per program: a worker that does not answer in time
// is terminated (a hang, at the stage it last announced) and replaced; one that dies is a crash.
// Workers are also replaced every RECYCLE_AFTER programs, so that nothing one program leaves
// behind (tensors, memory) weighs on the next ones.
import { Worker } from "node:worker_threads";
import type { Job, Outcome, Stage, WorkerMessage } from "./protocol.js";

/** How a job ended, from the pool's side. */
export type PoolResult = { kind: "outcome"; outcome: Outcome; ms: number } | { kind: "hang" | "crash"; stage: Stage; detail: string; ms: number; warned: string[] };

const RECYCLE_AFTER = 250;
/** Per worker: a program that needs more heap than this is killed as a crash. */
const HEAP_LIMIT_MB = 1536;

interface Slot {
  worker: Worker;
  jobs: number;
}

export class FuzzPool {
  private readonly idle: Slot[] = [];
  private readonly waiting: ((slot: Slot) => void)[] = [];
  private live = 0;

  constructor(
    private readonly script: string,
    private readonly size: number,
    private readonly timeoutMs: number,
  ) {}

  private spawn(): Slot {
    const worker = new Worker(this.script, { resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB }, stdout: true, stderr: true });
    // Workers' own output (tfjs banners, a program's prints) is not the fuzzer's.
    worker.stdout.resume();
    worker.stderr.resume();
    worker.unref();
    return { worker, jobs: 0 };
  }

  private async acquire(): Promise<Slot> {
    const slot = this.idle.pop();
    if (slot) return slot;
    if (this.live < this.size) {
      this.live++;
      return this.spawn();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot | undefined): void {
    if (slot === undefined) {
      this.live--;
      const next = this.waiting.shift();
      if (next) {
        this.live++;
        next(this.spawn());
      }
      return;
    }
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.idle.push(slot);
  }

  /** Runs one job on a free worker, with the pool's time limit times `patience`. */
  async run(job: Job, patience = 1): Promise<PoolResult> {
    const limit = this.timeoutMs * patience;
    const slot = await this.acquire();
    const t0 = performance.now();
    const result = await new Promise<PoolResult>((resolve) => {
      let stage: Stage = "parse";
      let warned: string[] = [];
      const finish = (r: PoolResult, keep: boolean) => {
        clearTimeout(timer);
        slot.worker.off("message", onMessage);
        slot.worker.off("error", onError);
        slot.worker.off("exit", onExit);
        if (!keep) void slot.worker.terminate();
        resolve(r);
      };
      const ms = () => performance.now() - t0;
      const onMessage = (m: WorkerMessage) => {
        if (m.id !== job.id) return;
        if (m.type === "stage") {
          stage = m.stage;
          warned = m.warned ?? warned;
        }
        else finish({ kind: "outcome", outcome: m.outcome, ms: ms() }, true);
      };
      const onError = (e: Error) => finish({ kind: "crash", stage, detail: `${e.name}: ${e.message}`, ms: ms(), warned }, false);
      const onExit = (code: number) => finish({ kind: "crash", stage, detail: `the worker exited with code ${code}`, ms: ms(), warned }, false);
      const timer = setTimeout(() => finish({ kind: "hang", stage, detail: `no answer in ${limit} ms`, ms: ms(), warned }, false), limit);
      slot.worker.on("message", onMessage);
      slot.worker.on("error", onError);
      slot.worker.on("exit", onExit);
      slot.worker.postMessage(job);
    });
    const healthy = result.kind === "outcome" && ++slot.jobs < RECYCLE_AFTER;
    if (!healthy && result.kind === "outcome") void slot.worker.terminate();
    this.release(healthy ? slot : undefined);
    return result;
  }

  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((s) => s.worker.terminate()));
  }
}
