// NumPy .npy files: format versions 1.0, 2.0 (and 3.0, a UTF-8 header), C order only.
// Reads <f4, <f8 (kept as float64: a run decides whether to round it), <i4, <i8 (as int32 when
// every value fits), |b1 (and the same types big-endian), exactly one array and nothing after
// it; writes <f4, <f8, <i4 and |b1 with a version 1.0 header (2.0 when it is long),
// padded so the data starts on a 64-byte boundary, as NumPy does.
import { writeFileAtomic } from "./fs/atomic-write.js";
import { FileRefusal, MAX_NPY_BYTES, readRegularFile } from "./fs/read-file.js";
import type { Tensor, Tf } from "./tfjs/kernels/common.js";

export type NpyDType = "float32" | "float64" | "int32" | "bool";

export interface NpyArray {
  dtype: NpyDType;
  /** C (row-major) order; [] for a scalar. */
  shape: number[];
  /** bool values are 0/1 bytes. */
  data: Float32Array | Float64Array | Int32Array | Uint8Array;
  /** The dtype the file stored, when it was converted on reading (int64 → int32). */
  stored?: "int64";
}

/** The most axes an array may have (NumPy's own limit is 32 as well). */
export const MAX_RANK = 32;

/** The largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** `[2, 0, 5]`: where flat entry `i` of an array of shape `shape` stands, for messages. */
export function indexOf(i: number, shape: readonly number[]): string {
  const idx: number[] = [];
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = Math.max(1, shape[k]);
    idx.unshift(i % d);
    i = Math.floor(i / d);
  }
  return `[${idx.join(", ")}]`;
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

/**
 * A .npy file's header read and its data located, without decoding the data: `value(i)` reads
 * entry i (C order) as a number. Lets a reader take only the columns it needs from a large file.
 */
export interface NpyLayout {
  dtype: NpyDType;
  shape: number[];
  count: number;
  value(i: number): number;
  /** The dtype the file stored, when values are converted on reading. */
  stored?: "int64";
}

/** Reads the header of a .npy file's bytes and checks that the data are all there. */
export function readNpyLayout(bytes: Uint8Array): NpyLayout {
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
  return layout(header, view, start + headerLen);
}

/** Decodes a .npy file's bytes; `stored` says when an int64 file was converted. */
export function readNpy(bytes: Uint8Array): NpyArray {
  const l = readNpyLayout(bytes);
  const data =
    l.dtype === "float32" ? new Float32Array(l.count) : l.dtype === "float64" ? new Float64Array(l.count) : l.dtype === "int32" ? new Int32Array(l.count) : new Uint8Array(l.count);
  for (let i = 0; i < l.count; i++) data[i] = l.value(i);
  return { dtype: l.dtype, shape: l.shape, data, ...(l.stored ? { stored: l.stored } : {}) };
}

const DTYPE_NAMES: Record<string, string> = { f4: "float32", f8: "float64", i4: "int32", i8: "int64", b1: "bool" };

function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

function layout(h: Header, view: DataView, offset: number): NpyLayout {
  if (h.shape.length > MAX_RANK) throw new NpyError(`the .npy array has ${h.shape.length} axes; I read at most ${MAX_RANK}`);
  const count = h.shape.reduce((p, d) => p * d, 1);
  const m = /^([<>|=])([fiub])(\d+)$/.exec(h.descr);
  const kind = m ? `${m[2]}${m[3]}` : "";
  const little = !m || m[1] !== ">";
  const size = m ? Number(m[3]) : 0;
  if (!(kind in DTYPE_NAMES)) {
    throw new NpyError(`the .npy dtype '${h.descr}' is not supported; use float32, float64, int32, int64 or bool`);
  }
  const need = count * size;
  const have = view.byteLength - offset;
  const what = `its shape ${shapeText(h.shape)} of ${DTYPE_NAMES[kind]} needs ${need} bytes of data`;
  if (have < need) throw new NpyError(`the .npy file is truncated: ${what}, and ${have} are there`);
  if (have > need) throw new NpyError(`the .npy file has ${have - need} bytes after its data (${what}); it is not one array saved by np.save`);
  const at = (i: number): number => offset + i * size;
  const shape = h.shape;
  switch (kind) {
    case "f4":
      return { dtype: "float32", shape, count, value: (i) => view.getFloat32(at(i), little) };
    case "f8":
      return { dtype: "float64", shape, count, value: (i) => view.getFloat64(at(i), little) };
    case "i4":
      return { dtype: "int32", shape, count, value: (i) => view.getInt32(at(i), little) };
    case "i8":
      return { dtype: "int32", shape, count, value: (i) => int64AsInt32(view.getBigInt64(at(i), little), i, shape), stored: "int64" };
    default:
      return { dtype: "bool", shape, count, value: (i) => (view.getUint8(at(i)) ? 1 : 0) };
  }
}

function int64AsInt32(v: bigint, i: number, shape: readonly number[]): number {
  if (v < -2147483648n || v > 2147483647n) {
    throw new NpyError(`the int64 value ${v} at ${indexOf(i, shape)} does not fit in int32; iterlang computes in int32 and float32`);
  }
  return Number(v);
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
    bytes = readRegularFile(path, MAX_NPY_BYTES, "a .npy input");
  } catch (e) {
    if (e instanceof FileRefusal) throw new NpyError(`cannot read ${path}: ${e.message}`);
    throw e;
  }
  try {
    return readNpy(bytes);
  } catch (e) {
    if (e instanceof NpyError) throw new NpyError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Writes a .npy file whole or not at all (runtime/fs/atomic-write.ts). */
export async function writeNpyFile(path: string, arr: NpyArray): Promise<void> {
  writeFileAtomic(path, writeNpy(arr));
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
