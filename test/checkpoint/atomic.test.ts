// Failure injection: a write that fails at any one of its file operations leaves the folder
// byte for byte as it was and the previous checkpoint readable; one that stops there for good
// (a crash) leaves the previous or the new checkpoint readable, and the next write tidies up.
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MANIFEST, readCheckpoint, writeCheckpoint } from "../../runtime/checkpoint/index.js";
import { checkpointAt, FailingOps, fastOps, HASH, scratch, snapshot } from "./fixtures.js";

const root = scratch("iter-ckpt-atomic-");
let n = 0;
const stepOf = (dir: string) => readCheckpoint(dir, { programHash: HASH }).step;

/** A folder holding a checkpoint of step 1, and how many operations writing step 2 over it takes. */
function withOld(): string {
  const dir = join(root, `d${n++}`);
  writeCheckpoint(dir, checkpointAt(1), fastOps);
  return dir;
}

function countOps(): { total: number; commit: number } {
  const ops = new FailingOps();
  writeCheckpoint(withOld(), checkpointAt(2), ops);
  const commit = ops.calls.findIndex((c) => c.startsWith("rename") && c.endsWith(MANIFEST));
  return { total: ops.calls.length, commit };
}

describe("a write that fails at one step", () => {
  const { total, commit } = countOps();

  it("goes through the documented steps: stage, sync, place, commit, remove the old", () => {
    const ops = new FailingOps();
    const dir = withOld();
    writeCheckpoint(dir, checkpointAt(2), ops);
    const short = ops.calls.map((c) => c.replace(dir, "D").replace(/\.tmp-step-2-\d+-[0-9a-f]+/, ".tmp").replace(/\.checkpoint\.json\.\d+\.[0-9a-f]+\.tmp/, ".manifest-tmp"));
    expect(short).toEqual([
      "mkdir D/.tmp",
      "writeDurable D/.tmp/W.npy",
      "writeDurable D/.tmp/adam.m.W.npy",
      "writeDurable D/.tmp/count.npy",
      "syncFolder D/.tmp",
      "rename D/step-2",
      "syncFolder D",
      "writeDurable D/.manifest-tmp",
      "rename D/checkpoint.json",
      "syncFolder D",
      "remove D/step-1",
      "syncFolder D",
    ]);
  });

  it("before the commit: throws, and the folder is as it was, old checkpoint readable", () => {
    for (const partial of [false, true]) {
      for (let k = 0; k <= commit; k++) {
        const dir = withOld();
        const before = snapshot(dir);
        expect(() => writeCheckpoint(dir, checkpointAt(2), new FailingOps(k, false, partial)), `step ${k}`).toThrow(/injected failure/);
        expect(snapshot(dir), `step ${k}`).toEqual(before);
        expect(stepOf(dir)).toBe(1);
      }
    }
  });

  it("after the commit: the write has happened; what is left over goes with the next write", () => {
    for (let k = commit + 1; k < total; k++) {
      const dir = withOld();
      writeCheckpoint(dir, checkpointAt(2), new FailingOps(k));
      expect(stepOf(dir), `step ${k}`).toBe(2);
      writeCheckpoint(dir, checkpointAt(3), fastOps);
      expect(readdirSync(dir).sort()).toEqual([MANIFEST, "step-3"]);
    }
  });

  it("into a folder that did not exist: removes every folder it made", () => {
    const ops = new FailingOps();
    writeCheckpoint(join(root, "count", "a", "b"), checkpointAt(1), ops);
    for (let k = 0; k < ops.calls.length; k++) {
      const outer = join(root, `fresh${k}`);
      mkdirSync(outer);
      const parent = join(outer, "new");
      const before = snapshot(outer);
      let threw = false;
      try {
        writeCheckpoint(join(parent, "a", "b"), checkpointAt(1), new FailingOps(k));
      } catch {
        threw = true;
      }
      if (threw) expect(snapshot(outer), `step ${k}`).toEqual(before);
      else expect(readCheckpoint(join(parent, "a", "b"), { programHash: HASH }).step).toBe(1);
    }
  });
});

describe("a write that crashes at a step (nothing after it runs)", () => {
  const { total, commit } = countOps();

  it("leaves the previous checkpoint before the commit and the new one after it, and the next write tidies up", () => {
    for (let k = 0; k < total; k++) {
      const dir = withOld();
      try {
        writeCheckpoint(dir, checkpointAt(2), new FailingOps(k, true, true));
      } catch {
        // the crash
      }
      expect(stepOf(dir), `step ${k}`).toBe(k <= commit ? 1 : 2);
      writeCheckpoint(dir, checkpointAt(3), fastOps);
      expect(readdirSync(dir).sort(), `step ${k}`).toEqual([MANIFEST, "step-3"]);
    }
  });
});
