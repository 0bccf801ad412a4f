import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type NpyArray, NpyError, readNpy, readNpyFile, writeNpy, writeNpyFile } from "../../runtime/npy.js";

/** A .npy file built by hand: magic, version, header length, the dict padded to 64, data. */
function handBuilt(dict: string, data: Uint8Array, major = 1): Uint8Array {
  const pre = major === 1 ? 10 : 12;
  const pad = (64 - ((pre + dict.length + 1) % 64)) % 64;
  const header = dict + " ".repeat(pad) + "\n";
  const out = new Uint8Array(pre + header.length + data.length);
  out.set([0x93, ...Array.from("NUMPY", (ch) => ch.charCodeAt(0)), major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(Array.from(header, (ch) => ch.charCodeAt(0)), pre);
  out.set(data, pre + header.length);
  return out;
}

function bytesOf(values: number[], kind: "f8" | "i8" | "f4>" ): Uint8Array {
  const size = kind === "f4>" ? 4 : 8;
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    if (kind === "f8") v.setFloat64(i * 8, x, true);
    else if (kind === "i8") v.setBigInt64(i * 8, BigInt(x), true);
    else v.setFloat32(i * 4, x, false);
  });
  return out;
}

describe("writeNpy", () => {
  it("writes the same bytes as NumPy's np.save (header padded to 64)", () => {
    const bytes = writeNpy({ dtype: "float32", shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) });
    // np.save(f, np.arange(6, dtype='<f4').reshape(2, 3)) with NumPy 2.4: 128 header bytes.
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    expect(bytes.length).toBe(152);
    expect(Array.from(bytes.subarray(0, 10))).toEqual([0x93, 78, 85, 77, 80, 89, 1, 0, 118, 0]);
    expect(new TextDecoder().decode(bytes.subarray(10, 128))).toBe(header + " ".repeat(128 - 11 - header.length) + "\n");
    expect(Array.from(new Float32Array(bytes.slice(128).buffer))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("writes 1-tuples and scalars the Python way", () => {
    const text = (a: NpyArray) => new TextDecoder().decode(writeNpy(a).subarray(10, 80));
    expect(text({ dtype: "bool", shape: [3], data: Uint8Array.from([1, 0, 1]) })).toContain("'descr': '|b1', 'fortran_order': False, 'shape': (3,), }");
    expect(text({ dtype: "float32", shape: [], data: Float32Array.from([2.5]) })).toContain("'shape': (), }");
  });
});

describe("readNpy", () => {
  it("round-trips float32, float64 (exactly), int32 and bool, any shape", () => {
    const arrays: NpyArray[] = [
      { dtype: "float64", shape: [3, 2], data: Float64Array.from([0.1, 1 / 3, Math.PI, -1e-300, 1e300, 2 ** -1074]) },
      { dtype: "float32", shape: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, i) => Math.fround(i / 7 - 1)) },
      { dtype: "int32", shape: [5], data: Int32Array.from([-2147483648, -1, 0, 1, 2147483647]) },
      { dtype: "bool", shape: [2, 2], data: Uint8Array.from([1, 0, 0, 1]) },
      { dtype: "float32", shape: [], data: Float32Array.from([3.25]) },
      { dtype: "float32", shape: [0, 3], data: new Float32Array(0) },
    ];
    for (const a of arrays) expect(readNpy(writeNpy(a))).toEqual(a);
  });

  it("reads <f8 as float64, exactly, and <i8 as int32", () => {
    const f8 = readNpy(handBuilt("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", bytesOf([0.1, -2, 1e10], "f8")));
    expect(f8).toEqual({ dtype: "float64", shape: [3], data: Float64Array.from([0.1, -2, 1e10]) });
    const i8 = readNpy(handBuilt("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }", bytesOf([-5, 2147483647], "i8")));
    expect(i8).toEqual({ dtype: "int32", shape: [1, 2], data: Int32Array.from([-5, 2147483647]), stored: "int64" });
  });

  it("reads a version 2.0 header and big-endian data", () => {
    const a = readNpy(handBuilt("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", bytesOf([1.5, -3], "f4>"), 2));
    expect(a).toEqual({ dtype: "float32", shape: [2], data: Float32Array.from([1.5, -3]) });
  });

  it("gives clear errors", () => {
    const big = handBuilt("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", bytesOf([1, 2 ** 40], "i8"));
    expect(() => readNpy(big)).toThrow(/the int64 value 1099511627776 at \[1\] does not fit in int32/);
    const fortran = handBuilt("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", bytesOf([1, 2, 3, 4], "f8"));
    expect(() => readNpy(fortran)).toThrow(/Fortran order.*np.ascontiguousarray/);
    const u2 = handBuilt("{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(2));
    expect(() => readNpy(u2)).toThrow(NpyError);
    expect(() => readNpy(u2)).toThrow(/dtype '<u2' is not supported/);
    const short = handBuilt("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", bytesOf([1], "f8"));
    expect(() => readNpy(short)).toThrow("the .npy file is truncated: its shape (4,) of float64 needs 32 bytes of data, and 8 are there");
    expect(() => readNpy(new TextEncoder().encode("x,y\n1,2\n"))).toThrow(/not a .npy file/);
  });

  it("keeps float64 values exactly, beyond float32's range too (a float32 run refuses them: conformInput)", () => {
    const huge = handBuilt("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", bytesOf([1, 2, 3, 4, -1e39, 1e300], "f8"));
    expect([...readNpy(huge).data]).toEqual([1, 2, 3, 4, -1e39, 1e300]);
    // Infinities and NaN the file holds are read as they are.
    const edge = readNpy(handBuilt("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", bytesOf([3.4028234663852886e38, Infinity, NaN], "f8")));
    expect([...edge.data]).toEqual([3.4028234663852886e38, Infinity, NaN]);
  });

  it("refuses bytes after the data (a second array, or garbage)", () => {
    const two = new Uint8Array([...bytesOf([1, 2], "f8"), ...bytesOf([3], "f8")]);
    expect(() => readNpy(handBuilt("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", two))).toThrow(
      "the .npy file has 8 bytes after its data (its shape (2,) of float64 needs 16 bytes of data); it is not one array saved by np.save",
    );
  });

  it("refuses more than 32 axes", () => {
    const shape = `(${Array(33).fill(1).join(", ")})`;
    expect(() => readNpy(handBuilt(`{'descr': '<f8', 'fortran_order': False, 'shape': ${shape}, }`, bytesOf([1], "f8")))).toThrow(/33 axes; I read at most 32/);
  });
});

describe("files", () => {
  const dir = mkdtempSync(join(tmpdir(), "iter-npy-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes and reads back a file; a missing file names its path", async () => {
    const a: NpyArray = { dtype: "float32", shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) };
    const path = join(dir, "a.npy");
    await writeNpyFile(path, a);
    expect(await readNpyFile(path)).toEqual(a);
    await expect(readNpyFile(join(dir, "missing.npy"))).rejects.toThrow(/cannot read .*missing.npy: there is no such file/);
  });
});
