// Writing a file so that a reader never sees half of it: a run killed mid-write, or a plot
// viewer reloading while `iterc run --plot` rewrites it, finds the old file or the new one.
// The data go to a temporary file in the same folder (a rename is atomic only within one file
// system), are flushed to the disk (fsync), then renamed over the target.
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Writes `data` to `path` atomically; the temporary file is removed when anything fails. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempNameFor(path);
  let renamed = false;
  try {
    const handle = await open(tmp, "w", 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    renamed = true;
  } finally {
    if (!renamed) await rm(tmp, { force: true });
  }
  await syncFolder(dirname(path));
}

/**
 * Makes the rename itself durable (it lives in the folder's entry). Best effort: some
 * platforms (Windows) cannot open a folder for syncing, and the file is complete either way.
 */
async function syncFolder(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // not supported here: the write is still atomic, only its durability across a crash is weaker
  }
}

/**
 * The file-system calls a synchronous atomic write makes, one method each, so that a test can
 * make any one of them fail (or stop everything after it, as a crash would).
 */
export interface SyncFileOps {
  /** Creates `path` (it must not exist) holding `data`, flushed to the disk: open, write, fsync, close. */
  writeDurable(path: string, data: string | Uint8Array): void;
  rename(from: string, to: string): void;
  /** Creates one folder (its parent must exist). */
  mkdir(path: string): void;
  /** Makes a folder's entries durable; best effort where a platform cannot (Windows). */
  syncFolder(path: string): void;
  /** Removes a file or a folder with everything in it; nothing when it is not there. */
  remove(path: string): void;
}

export const realFileOps: SyncFileOps = {
  writeDurable(path, data) {
    const fd = openSync(path, "wx", 0o644);
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  rename: (from, to) => renameSync(from, to),
  mkdir: (path) => mkdirSync(path),
  syncFolder(path) {
    let fd: number | undefined;
    try {
      fd = openSync(path, "r");
      fsyncSync(fd);
    } catch {
      // not supported here: the write is still atomic, only its durability across a crash is weaker
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  },
  remove: (path) => rmSync(path, { recursive: true, force: true }),
};

/** A fresh name beside `path` for its temporary file: hidden (a leading dot), and random, so two writers never collide. */
export function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/**
 * `writeFileAtomic`, synchronously, through `ops`. It throws only when the target was left as
 * it was (the temporary file removed); once the rename is done the write has happened, and the
 * folder's sync after it is best effort.
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, ops: SyncFileOps = realFileOps): void {
  const tmp = tempNameFor(path);
  try {
    ops.writeDurable(tmp, data);
    ops.rename(tmp, path);
  } catch (e) {
    try {
      ops.remove(tmp);
    } catch {
      // the original error is the one to report; a stray hidden .tmp is removed by the next writer
    }
    throw e;
  }
  try {
    ops.syncFolder(dirname(path));
  } catch {
    // the rename is done: the new content is in place whether or not its entry is flushed yet
  }
}
