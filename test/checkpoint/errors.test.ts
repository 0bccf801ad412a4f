// Checkpoints that cannot be used: each error's kind, message and the file it names, and no
// read — failed or not — changes anything in the folder.
import { appendFileSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashProgram, MANIFEST, readCheckpoint, shortHash, writeCheckpoint } from "../../runtime/checkpoint/index.js";
import { manifestText } from "../../runtime/checkpoint/manifest.js";
import { checkpointAt, checkpointError, HASH, scratch, snapshot } from "./fixtures.js";

const root = scratch("iter-ckpt-err-");
let n = 0;
/** A fresh checkpoint folder holding step 3. */
function fresh(): string {
  const dir = join(root, `c${n++}`);
  writeCheckpoint(dir, checkpointAt(3));
  return dir;
}
const read = (dir: string, programHash = HASH) => checkpointError(() => readCheckpoint(dir, { programHash }));

describe("reading a checkpoint that cannot be used", () => {
  it("another program: says so, with both hashes shortened", () => {
    const dir = fresh();
    const other = hashProgram("param W: f32[2, 3]\n", { N: 4 });
    const e = read(dir, other);
    expect(e.kind).toBe("different-program");
    expect(e.problem).toBe(`This checkpoint was written by a different program (its hash is ${shortHash(HASH)}, this program's is ${shortHash(other)}).`);
    expect(e.file).toBe(join(dir, MANIFEST));
    expect(e.message).toContain(`--> ${join(dir, MANIFEST)}`);
    expect(e.hint).toMatch(/same .iter file and the same sizes/);
  });

  it("a missing folder, a file, a folder without a manifest, a first write interrupted", () => {
    expect(read(join(root, "nowhere"))).toMatchObject({ kind: "missing", problem: "There is no checkpoint here: the folder does not exist.", file: join(root, "nowhere") });
    writeFileSync(join(root, "plain-file"), "x");
    expect(read(join(root, "plain-file")).kind).toBe("not-a-checkpoint");
    mkdirSync(join(root, "other"));
    writeFileSync(join(root, "other", "notes.txt"), "x");
    expect(read(join(root, "other")).problem).toBe("This folder is not a checkpoint: it has no `checkpoint.json`.");
    mkdirSync(join(root, "interrupted", ".tmp-step-1-1-ab"), { recursive: true });
    expect(read(join(root, "interrupted")).problem).toMatch(/no complete checkpoint: the first write into it was interrupted/);
  });

  it("a truncated, tampered, foreign or malformed manifest names checkpoint.json", () => {
    const dir = fresh();
    const path = join(dir, MANIFEST);
    const text = readFileSync(path, "utf8");
    truncateSync(path, 100);
    expect(read(dir)).toMatchObject({ kind: "corrupt", file: path, problem: "The checkpoint manifest is not valid JSON: it is damaged or was cut short." });
    writeFileSync(path, text.replace('"step": 3', '"step": 4'));
    expect(read(dir).problem).toBe("The checkpoint manifest was changed or damaged: its checksum does not match its contents.");
    writeFileSync(path, JSON.stringify({ name: "package", version: 1 }));
    expect(read(dir)).toMatchObject({ kind: "not-a-checkpoint", problem: "This is not an iterlang checkpoint manifest." });
    const m = JSON.parse(text);
    delete m.sha256;
    writeFileSync(path, manifestText({ ...m, rng: [-1] }));
    expect(read(dir).problem).toBe('The checkpoint manifest is malformed: its "rng" is not a list of 32-bit words.');
  });

  it("a newer or an older format version", () => {
    const dir = fresh();
    const m = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8"));
    delete m.sha256;
    writeFileSync(join(dir, MANIFEST), manifestText({ ...m, version: 2 }));
    expect(read(dir)).toMatchObject({ kind: "version", problem: "The checkpoint is in format 2, newer than the format 1 this iterlang reads." });
    writeFileSync(join(dir, MANIFEST), manifestText({ ...m, version: 0 }));
    expect(read(dir).problem).toBe("The checkpoint is in format 0, older than the format 1 this iterlang reads.");
  });

  it("a tensor file missing, truncated, longer, or changed: which tensor and which file", () => {
    const dir = fresh();
    const w = join(dir, "step-3", "W.npy");
    const bytes = readFileSync(w);
    truncateSync(w, 100);
    expect(read(dir)).toMatchObject({ kind: "truncated", file: w, problem: `The checkpoint file of the tensor \`W\` is truncated: 100 bytes, but ${bytes.length} were written.` });
    writeFileSync(w, bytes);
    appendFileSync(w, "x");
    expect(read(dir).problem).toMatch(/is longer than written/);
    const flipped = Buffer.from(bytes);
    flipped[bytes.length - 1] ^= 1;
    writeFileSync(w, flipped);
    expect(read(dir)).toMatchObject({ kind: "corrupt", file: w, problem: "The checkpoint file of the tensor `W` is damaged: its checksum does not match the one written." });
    rmSync(w);
    expect(read(dir)).toMatchObject({ kind: "corrupt", problem: "The checkpoint file of the tensor `W` is missing." });
  });

  it("leaves the folder exactly as it was, whether the read succeeds or fails", () => {
    const dir = fresh();
    const before = snapshot(dir);
    readCheckpoint(dir, { programHash: HASH });
    read(dir, "0".repeat(64));
    truncateSync(join(dir, "step-3", "count.npy"), 10);
    const damaged = snapshot(dir);
    read(dir);
    expect(snapshot(dir)).toEqual(damaged);
    expect(Object.keys(damaged)).toEqual(Object.keys(before));
  });
});

describe("writing where a checkpoint cannot go", () => {
  it("refuses a folder of other files, and a file", () => {
    const dir = join(root, "busy");
    mkdirSync(dir);
    writeFileSync(join(dir, "results.csv"), "1,2\n");
    const before = snapshot(dir);
    const e = checkpointError(() => writeCheckpoint(dir, checkpointAt(1)));
    expect([e.kind, e.problem, e.file]).toEqual(["not-writable", "This folder holds other files and no checkpoint, so I won't write a checkpoint into it.", dir]);
    expect(snapshot(dir)).toEqual(before);
    expect(checkpointError(() => writeCheckpoint(join(root, "plain-file"), checkpointAt(1))).kind).toBe("not-writable");
  });
});
