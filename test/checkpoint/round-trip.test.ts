// Writing and reading back: every value bit for bit, the folder laid out as documented, NumPy
// file names a person can find, and the program hash.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Checkpoint, hashProgram, MANIFEST, readCheckpoint, readManifest, shortHash, writeCheckpoint } from "../../runtime/checkpoint/index.js";
import { readNpy } from "../../runtime/npy.js";
import { checkpointAt, HASH, scratch } from "./fixtures.js";

const root = scratch("iter-ckpt-rt-");

/** The float32 values whose bits are easiest to lose: signed zeros, subnormals, extremes, infinities. */
function awkwardFloats(): Float32Array {
  const special = [0, -0, 1.401298464324817e-45, -1.1754942106924411e-38, 3.4028234663852886e38, -3.4028234663852886e38, Infinity, -Infinity, Math.fround(Math.PI)];
  const out = new Float32Array(1000);
  out.set(special);
  let x = 12345;
  for (let i = special.length; i < out.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const bits = new Uint32Array([x]);
    const f = new Float32Array(bits.buffer)[0];
    out[i] = Number.isNaN(f) ? i : f; // random bit patterns, NaNs (whose payloads are not kept) aside
  }
  return out;
}

describe("round trip", () => {
  it("keeps every float32 and int32 bit, every scalar field, meta and rng", () => {
    const floats = awkwardFloats();
    const c: Checkpoint = {
      ...checkpointAt(7),
      tensors: new Map([
        ["W", { dtype: "f32", shape: [10, 100], data: floats }],
        ["n", { dtype: "i32", shape: [4], data: Int32Array.from([-2147483648, -1, 0, 2147483647]) }],
        ["s", { dtype: "f32", shape: [], data: Float32Array.from([NaN]) }],
        ["empty", { dtype: "f32", shape: [0, 3], data: new Float32Array(0) }],
      ]),
    };
    const dir = join(root, "exact");
    writeCheckpoint(dir, c);
    const back = readCheckpoint(dir, { programHash: HASH });
    expect(back).toEqual(c);
    const w = back.tensors.get("W")!.data;
    expect(new Uint32Array(w.buffer, w.byteOffset, w.length)).toEqual(new Uint32Array(floats.buffer));
  });

  it("lays the folder out as a manifest and one step folder of .npy files NumPy reads", () => {
    const dir = join(root, "layout");
    writeCheckpoint(dir, checkpointAt(10));
    writeCheckpoint(dir, checkpointAt(20));
    expect(readdirSync(dir).sort()).toEqual([MANIFEST, "step-20"]);
    expect(readdirSync(join(dir, "step-20")).sort()).toEqual(["W.npy", "adam.m.W.npy", "count.npy"]);
    const w = readNpy(readFileSync(join(dir, "step-20", "W.npy")));
    expect(w.shape).toEqual([2, 3]);
    const m = readManifest(dir);
    expect([m.version, m.step, m.epoch, m.batchInEpoch]).toEqual([1, 20, 2, 0]);
    expect(m.tensors.map((t) => t.file)).toEqual(["step-20/W.npy", "step-20/adam.m.W.npy", "step-20/count.npy"]);
  });

  it("writing the same step again uses a fresh folder, then removes the old", () => {
    const dir = join(root, "same-step");
    writeCheckpoint(dir, checkpointAt(5));
    writeCheckpoint(dir, checkpointAt(5, { meta: { again: 1 } }));
    expect(readdirSync(dir).sort()).toEqual([MANIFEST, "step-5-2"]);
    expect(readCheckpoint(dir, { programHash: HASH }).meta).toEqual({ again: 1 });
  });

  it("gives tensors safe, distinct file names, whatever their names", () => {
    const t = { dtype: "f32" as const, shape: [1], data: Float32Array.from([1]) };
    const names = ["a/b", "a_b", "A", "a", ".hidden", "ünï"];
    const dir = join(root, "names");
    writeCheckpoint(dir, { ...checkpointAt(1), tensors: new Map(names.map((n) => [n, t])) });
    expect(readManifest(dir).tensors.map((e) => e.file.split("/")[1])).toEqual(["a_b.npy", "a_b-2.npy", "A.npy", "a-2.npy", "_hidden.npy", "_n_.npy"]);
    expect([...readCheckpoint(dir, { programHash: HASH }).tensors.keys()]).toEqual(names);
  });

  it("creates missing parent folders", () => {
    const dir = join(root, "deep", "er", "run");
    writeCheckpoint(dir, checkpointAt(1));
    expect(readCheckpoint(dir, { programHash: HASH }).step).toBe(1);
  });

  it("a bad checkpoint value is a bug of the caller, refused before anything is written", () => {
    const dir = join(root, "bad");
    const bad = { ...checkpointAt(1), tensors: new Map([["W", { dtype: "f32" as const, shape: [2], data: Int32Array.from([1, 2]) }]]) };
    expect(() => writeCheckpoint(dir, bad)).toThrow(/internal error/);
    expect(() => writeCheckpoint(dir, { ...checkpointAt(1), meta: { lr: NaN } })).toThrow(/internal error/);
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
  });
});

describe("hashProgram", () => {
  it("is a sha256 of the source and the sizes, line endings and the order of sizes aside", () => {
    const h = hashProgram("dim N = 4\nparam W: f32[N]\n", { N: 4, B: 8 });
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashProgram("dim N = 4\r\nparam W: f32[N]\r\n", new Map([["B", 8], ["N", 4]]))).toBe(h);
    expect(hashProgram("dim N = 4\nparam W: f32[N]\n", { N: 4, B: 16 })).not.toBe(h);
    expect(hashProgram("dim N = 4\nparam W: f32[N]  # note\n", { N: 4, B: 8 })).not.toBe(h);
    expect(shortHash(h)).toBe(`${h.slice(0, 12)}…`);
  });
});
