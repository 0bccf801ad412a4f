// Data files through `iterc run --input`: refusals name the input and the file and exit 2; a
// float64 file runs, with a note on stderr that it was read as float32.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectUserError, iterc, requireFreshBuild } from "./helpers.js";

let tmp: string;
let program: string;

/** A .npy file of `descr` values (little-endian 8-byte kinds), shape (n,), `extra` bytes after. */
function npy(name: string, descr: "<f8" | "<i8", values: number[], extra = 0): string {
  const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${values.length},), }`;
  const dict = header + " ".repeat((64 - ((10 + header.length + 1) % 64)) % 64) + "\n";
  const bytes = new Uint8Array(10 + dict.length + 8 * values.length + extra);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, dict.length, 0]);
  bytes.set(Array.from(dict, (c) => c.charCodeAt(0)), 10);
  const view = new DataView(bytes.buffer);
  const at = (i: number) => 10 + dict.length + 8 * i;
  values.forEach((v, i) => (descr === "<f8" ? view.setFloat64(at(i), v, true) : view.setBigInt64(at(i), BigInt(v), true)));
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

beforeAll(() => {
  requireFreshBuild();
  tmp = mkdtempSync(join(tmpdir(), "iterc-inputs-"));
  program = join(tmp, "in.iter");
  writeFileSync(program, "input b: f32[n]\nexport y = b * 2\n");
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.concurrent("iterc run --input", () => {
  it("a float64 .npy runs (rounded to float32 for an f32 input of a float32 run)", async () => {
    const r = await iterc(["run", program, "--input", `b=${npy("f8.npy", "<f8", [1, 2, 3])}`, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).exports.y.values).toEqual([2, 4, 6]);
  });

  it("float64 beyond float32's range: exit 2, the input, the index and the value", async () => {
    expectUserError(await iterc(["run", program, "--input", `b=${npy("big.npy", "<f8", [1, 1e300])}`]), /The data given for `b` holds 1e\+300 at \[1\], beyond float32's range[\s\S]*--precision f64/);
  });

  it("an int64 .npy for an f32 input is called int64, not int32", async () => {
    expectUserError(await iterc(["run", program, "--input", `b=${npy("i8.npy", "<i8", [1, 2])}`]), /`b` holds int64 values, but `b` is declared as f32/);
  });

  it("bytes after the data: exit 2", async () => {
    expectUserError(await iterc(["run", program, "--input", `b=${npy("long.npy", "<f8", [1, 2], 8)}`]), /`b`: the \.npy file has 8 bytes after its data/);
  });

  it("nested JSON 100,000 deep: exit 2 at once, with the path", async () => {
    const deep = join(tmp, "deep.json");
    writeFileSync(deep, "[".repeat(100_000) + "]".repeat(100_000));
    expectUserError(await iterc(["run", program, "--input", `b=${deep}`], { timeoutMs: 15_000 }), /`b`: the arrays nest deeper than 32 levels/);
  });
});
