// Writing a file so that a reader never sees half of it: a run killed mid-write, or a plot
// viewer reloading while `iterc run --plot` rewrites it, finds the old file or the new one.
// The data go to a temporary file in the same folder (a rename is atomic only within one file
// system), are flushed to the disk (fsync), then renamed over the target.
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Writes `data` to `path` atomically; the temporary file is removed when anything fails. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  // A leading dot and a random suffix: hidden from listings, and two writers never collide.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
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
