// Checkpoints to write, a folder's exact state to compare, and file operations that fail on
// cue: at call k (an error the writer sees and undoes), or from call k on (a crash: nothing
// after it happens, not even the undo).
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { CHECKPOINT_VERSION, type Checkpoint, CheckpointError, hashProgram, type TensorRecord } from "../../runtime/checkpoint/index.js";
import { realFileOps, type SyncFileOps } from "../../runtime/monitor/atomic-write.js";

export const HASH = hashProgram("param W: f32[2, 3]\n", { N: 3 });

export function scratch(prefix: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A checkpoint whose numbers depend on `step`, so two of them differ everywhere. */
export function checkpointAt(step: number, extra: Partial<Checkpoint> = {}): Checkpoint {
  const f32 = (shape: number[], f: (i: number) => number): TensorRecord => ({ dtype: "f32", shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)) });
  return {
    version: CHECKPOINT_VERSION,
    programHash: HASH,
    step,
    epoch: Math.floor(step / 10),
    batchInEpoch: step % 10,
    rng: [step, 0xffffffff, 7, 0],
    tensors: new Map([
      ["W", f32([2, 3], (i) => Math.sin(step + i))],
      ["adam.m.W", f32([2, 3], (i) => step * 1e-3 * i)],
      ["count", { dtype: "i32", shape: [], data: Int32Array.from([step]) }],
    ]),
    meta: { lr: 1e-3 * step, schedule: "cosine" },
    ...extra,
  };
}

/** Every file and folder under `dir` with its contents: equal snapshots mean an untouched folder. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = join(dir, rel, name);
      const key = join(rel, name);
      if (statSync(path).isDirectory()) {
        out[`${key}/`] = "";
        walk(key);
      } else out[key] = readFileSync(path).toString("base64");
    }
  };
  walk("");
  return out;
}

/**
 * The real operations without the fsyncs: what a crash leaves on the disk is simulated by
 * stopping the calls, so the tests need not wait for the disk (writes stay atomic renames).
 */
export const fastOps: SyncFileOps = {
  ...realFileOps,
  writeDurable: (path, data) => writeFileSync(path, data, { flag: "wx" }),
  syncFolder: () => undefined,
};

/** Operations that count their calls, fail at call `failAt` and, as a crash, every call after it. */
export class FailingOps implements SyncFileOps {
  calls: string[] = [];
  constructor(
    private readonly failAt = -1,
    private readonly crash = false,
    /** On the failing call, a `writeDurable` first writes half of its data, as a write cut short. */
    private readonly partial = false,
  ) {}

  private step(what: string): void {
    const k = this.calls.length;
    this.calls.push(what);
    if (k === this.failAt || (this.crash && this.failAt >= 0 && k > this.failAt)) throw new Error(`injected failure at ${what}`);
  }

  writeDurable(path: string, data: string | Uint8Array): void {
    if (this.partial && this.calls.length === this.failAt) fastOps.writeDurable(path, typeof data === "string" ? data.slice(0, data.length >> 1) : data.subarray(0, data.length >> 1));
    this.step(`writeDurable ${path}`);
    fastOps.writeDurable(path, data);
  }
  rename(from: string, to: string): void {
    this.step(`rename ${to}`);
    fastOps.rename(from, to);
  }
  mkdir(path: string): void {
    this.step(`mkdir ${path}`);
    fastOps.mkdir(path);
  }
  syncFolder(path: string): void {
    this.step(`syncFolder ${path}`);
    fastOps.syncFolder(path);
  }
  remove(path: string): void {
    this.step(`remove ${path}`);
    fastOps.remove(path);
  }
}

/** The CheckpointError `run` throws (failing the test when it throws nothing or something else). */
export function checkpointError(run: () => unknown): CheckpointError {
  try {
    run();
  } catch (e) {
    if (e instanceof CheckpointError) return e;
    throw e;
  }
  throw new Error("expected a CheckpointError, but nothing was thrown");
}
