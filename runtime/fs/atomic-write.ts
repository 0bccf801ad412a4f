// Every file iterlang writes (`iterc run --out`, `iterc fmt --write`) is written whole or not
// at all: into a temporary file beside the target, flushed to the disk (fsync), then renamed
// over the target, which is atomic on one file system. A crash, a kill or a full disk midway
// leaves the old file as it was and, at worst, a `.NAME.*.tmp` file; a failure this process sees
// removes the temporary file too.
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, constants, fsyncSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** A write that failed (a full disk, no permission, ...): the user's to fix, not a bug. */
export class WriteError extends Error {
  readonly isUserError = true;
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "WriteError";
  }
}

export type FileContent = string | Uint8Array | Iterable<Uint8Array>;

function* chunksOf(content: FileContent): Iterable<Uint8Array> {
  if (typeof content === "string") yield Buffer.from(content, "utf8");
  else if (content instanceof Uint8Array) yield content;
  else yield* content;
}

function writeAll(fd: number, chunk: Uint8Array): void {
  for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done, chunk.length - done);
}

/** The temporary file's name: hidden, beside the target, unique to this process and call. */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** The mode of the file being replaced, so that rewriting keeps its permissions. */
function existingMode(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o7777;
  } catch {
    return undefined;
  }
}

/** Makes the rename itself durable; some systems cannot fsync a folder, which is harmless. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case "ENOSPC":
      return "the disk is full";
    case "EDQUOT":
      return "the disk quota is used up";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "the file system is read-only";
    case "ENOENT":
      return "its folder does not exist";
    case "EISDIR":
      return "it is a folder";
    default:
      return err.code ? `${err.code}: ${err.message}` : err.message;
  }
}

/** Where to write: through a symbolic link to the file it names, so the link stays a link. */
function target(path: string): string {
  try {
    return lstatSync(path).isSymbolicLink() ? realpathSync(path) : path;
  } catch {
    return path;
  }
}

/**
 * Writes `content` to `path` atomically (temporary file, fsync, rename). Throws WriteError
 * for an I/O failure, rethrows anything `content` itself throws; either way the old file is
 * untouched and the temporary file removed.
 */
export function writeFileAtomic(given: string, content: FileContent): void {
  const path = target(given);
  const tmp = temporaryPath(path);
  const mode = existingMode(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", mode ?? 0o666);
    if (mode !== undefined) chmodSync(tmp, mode); // the umask applied at creation
    for (const chunk of chunksOf(content)) writeAll(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already renamed
    }
    if ((e as NodeJS.ErrnoException).code !== undefined) throw new WriteError(given, `I can't write \`${given}\`: ${reason(e)}.`);
    throw e;
  }
  syncFolder(dirname(path));
}
