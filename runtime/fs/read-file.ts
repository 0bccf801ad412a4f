// Reading a file a user named (a .iter source, a .npy or .json input) without trusting it to be
// one: a FIFO would block the open, a device such as /dev/zero never ends, a folder cannot be
// read, and a huge file would fill the memory. Only regular files are read, and at most `limit`
// bytes of them; anything else is a refusal with a reason, which the caller words for its file.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";

/** The largest .iter source read: far beyond any program; a bigger file is not one. */
export const MAX_SOURCE_BYTES = 16 * 2 ** 20;
/** The largest .npy input read (1 GiB: 268 million float32s). */
export const MAX_NPY_BYTES = 2 ** 30;
/** The largest .json input read: JSON costs far more memory per number than .npy. */
export const MAX_JSON_BYTES = 64 * 2 ** 20;

/** Why a file was not read. `message` completes "I can't read `FILE`: ...". */
export class FileRefusal extends Error {
  readonly isUserError = true;
  constructor(
    readonly path: string,
    readonly reason: "missing" | "not-regular" | "too-large" | "unreadable",
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "FileRefusal";
  }
}

/** What a path that is not a regular file is, in words. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a folder";
  if (st.isFIFO()) return "a named pipe (FIFO)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${+(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${+(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${+(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function openForReading(path: string): number {
  try {
    // O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever.
    return openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") throw new FileRefusal(path, "missing", "there is no such file", "check the path; it is relative to the current folder.");
    if (err.code === "EISDIR") throw new FileRefusal(path, "not-regular", "it is a folder, not a file");
    throw new FileRefusal(path, "unreadable", err.code === "EACCES" ? "I am not allowed to (permission denied)" : err.message);
  }
}

/** Reads until the end of the file, refusing it once it passes `limit` bytes. */
function readAll(fd: number, path: string, limit: number, what: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > limit) throw new FileRefusal(path, "too-large", `it is larger than ${formatBytes(limit)}, the most I read for ${what}`);
  }
  return Buffer.concat(chunks, total);
}

/**
 * The bytes of the regular file at `path`, at most `limit` of them. `what` names the kind of
 * file in the refusal ("a .iter source"). Throws FileRefusal; never blocks on a FIFO.
 */
export function readRegularFile(path: string, limit: number, what: string): Buffer {
  const fd = openForReading(path);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileRefusal(path, "not-regular", `it is ${kindOf(st)}, not a regular file`, `give ${what} saved in a file.`);
    if (st.size > limit) throw new FileRefusal(path, "too-large", `it has ${formatBytes(st.size)}, more than the ${formatBytes(limit)} I read for ${what}`);
    return readAll(fd, path, limit, what);
  } catch (e) {
    if (e instanceof FileRefusal) throw e;
    throw new FileRefusal(path, "unreadable", (e as Error).message);
  } finally {
    closeSync(fd);
  }
}
