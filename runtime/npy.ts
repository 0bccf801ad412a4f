// NumPy .npy files: format versions 1.0, 2.0 (and 3.0, a UTF-8 header), C order only.
// Reads <f4, <f8 (kept as float64: a run decides whether to round it), <i4, <i8 (as int32 when
// every value fits), |b1 (and the same types big-endian); writes <f4, <f8, <i4 and |b1 with a
// version 1.0 header (2.0 when it is long), padded so the data starts on a 64-byte boundary, as
// NumPy does.
import { readFile, writeFile } from "node:fs/promises";
import type { Tensor, Tf } from "./tfjs/kernels/common.js";

export type NpyDType = "float32" | "float64" | "int32" | "bool";

export interface NpyArray {
  dtype: NpyDType;
  /** C (row-major) order; [] for a scalar. */
  shape: number[];
  /** bool values are 0/1 bytes. */
  data: Float32Array | Float64Array | Int32Array | Uint8Array;
}

/** A file that is not a .npy iterlang can read: a user error with a plain message. */
export class NpyError extends Error {
  readonly isUserError = true;
  constructor(message: string) {
    super(message);
    this.name = "NpyError";
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface Header {
  descr: string;
  fortran: boolean;
  shape: number[];
}

/** Parses the Python dict literal of the header: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } */
function parseHeader(text: string): Header {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) throw new NpyError(`the .npy header is not a NumPy header: ${text.trim()}`);
  const dims = shape[1]
    .split(",")
    .map((s) => s.trim().replace(/L$/, ""))
    .filter((s) => s !== "")
    .map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyError(`the .npy header has a bad shape (${shape[1]})`);
  return { descr: descr[1], fortran: fortran[1] === "True", shape: dims };
}

/** Decodes a .npy file's bytes. */
export function readNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError("not a .npy file (the magic string \\x93NUMPY is missing)");
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major < 1 || major > 3) throw new NpyError(`unsupported .npy format version ${major}.${bytes[7]}`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) throw new NpyError("the .npy file is truncated (in its header)");
  const header = parseHeader(new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(start, start + headerLen)));
  if (header.fortran) {
    throw new NpyError("the .npy array is in Fortran order; save it in C order, e.g. np.save(path, np.ascontiguousarray(a))");
  }
  return decode(header, view, start + headerLen);
}

function decode(h: Header, view: DataView, offset: number): NpyArray {
  const count = h.shape.reduce((p, d) => p * d, 1);
  const m = /^([<>|=])([fiub])(\d+)$/.exec(h.descr);
  const kind = m ? `${m[2]}${m[3]}` : "";
  const little = !m || m[1] !== ">";
  const size = m ? Number(m[3]) : 0;
  const supported = ["f4", "f8", "i4", "i8", "b1"];
  if (!supported.includes(kind)) {
    throw new NpyError(`the .npy dtype '${h.descr}' is not supported; use float32, float64, int32, int64 or bool`);
  }
  if (offset + count * size > view.byteLength) throw new NpyError("the .npy file is truncated (fewer values than its shape says)");
  const at = (i: number): number => offset + i * size;
  switch (kind) {
    case "f4":
      return { dtype: "float32", shape: h.shape, data: Float32Array.from({ length: count }, (_, i) => view.getFloat32(at(i), little)) };
    case "f8":
      return { dtype: "float64", shape: h.shape, data: Float64Array.from({ length: count }, (_, i) => view.getFloat64(at(i), little)) };
    case "i4":
      return { dtype: "int32", shape: h.shape, data: Int32Array.from({ length: count }, (_, i) => view.getInt32(at(i), little)) };
    case "i8":
      return { dtype: "int32", shape: h.shape, data: int64ToInt32(view, count, at, little) };
    default:
      return { dtype: "bool", shape: h.shape, data: Uint8Array.from({ length: count }, (_, i) => (view.getUint8(at(i)) ? 1 : 0)) };
  }
}

function int64ToInt32(view: DataView, count: number, at: (i: number) => number, little: boolean): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = view.getBigInt64(at(i), little);
    if (v < -2147483648n || v > 2147483647n) {
      throw new NpyError(`the int64 .npy value ${v} (entry ${i}) does not fit in int32; iterlang computes in int32 and float32`);
    }
    out[i] = Number(v);
  }
  return out;
}

const DESCR: Record<NpyDType, [string, number]> = { float32: ["<f4", 4], float64: ["<f8", 8], int32: ["<i4", 4], bool: ["|b1", 1] };

/** Encodes an array as .npy bytes (version 1.0, or 2.0 for a header over 64 KiB). */
export function writeNpy(arr: NpyArray): Uint8Array {
  const count = arr.shape.reduce((p, d) => p * d, 1);
  if (arr.data.length !== count) throw new Error(`internal error: .npy data has ${arr.data.length} values for shape [${arr.shape}]`);
  const [descr, size] = DESCR[arr.dtype];
  const shape = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(", ")})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const major = dict.length + 64 > 65535 ? 2 : 1;
  const pre = major === 1 ? 10 : 12;
  dict += " ".repeat((64 - ((pre + dict.length + 1) % 64)) % 64) + "\n";
  const out = new Uint8Array(pre + dict.length + count * size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  if (major === 1) view.setUint16(8, dict.length, true);
  else view.setUint32(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[pre + i] = dict.charCodeAt(i);
  const base = pre + dict.length;
  for (let i = 0; i < count; i++) {
    const v = arr.data[i];
    if (arr.dtype === "float32") view.setFloat32(base + 4 * i, v, true);
    else if (arr.dtype === "float64") view.setFloat64(base + 8 * i, v, true);
    else if (arr.dtype === "int32") view.setInt32(base + 4 * i, v, true);
    else out[base + i] = v ? 1 : 0;
  }
  return out;
}

export async function readNpyFile(path: string): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new NpyError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return readNpy(bytes);
  } catch (e) {
    if (e instanceof NpyError) throw new NpyError(`${path}: ${e.message}`);
    throw e;
  }
}

export async function writeNpyFile(path: string, arr: NpyArray): Promise<void> {
  await writeFile(path, writeNpy(arr));
}

/** A tensor on the active backend holding the array (tfjs has no float64: it is rounded to float32). */
export function npyToTensor(tf: Tf, arr: NpyArray): Tensor {
  if (arr.dtype === "float64") return tf.tensor(Float32Array.from(arr.data), arr.shape, "float32");
  return tf.tensor(arr.data, arr.shape, arr.dtype);
}

/** The values of a float32, int32 or bool tensor, ready for writeNpy. */
export async function tensorToNpy(t: Tensor): Promise<NpyArray> {
  const values = await t.data();
  const shape = [...t.shape];
  if (t.dtype === "float32") return { dtype: "float32", shape, data: Float32Array.from(values as Float32Array) };
  if (t.dtype === "int32") return { dtype: "int32", shape, data: Int32Array.from(values as Int32Array) };
  if (t.dtype === "bool") return { dtype: "bool", shape, data: Uint8Array.from(values as Uint8Array) };
  throw new Error(`internal error: cannot save a ${t.dtype} tensor as .npy`);
}
