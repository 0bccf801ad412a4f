// Writing a checkpoint atomically (see layout.ts for the folder). Every tensor file is written
// and fsynced in a staging folder, the folder synced and renamed into place, and the manifest
// replaced by an atomic rename — the commit. An error before the commit undoes everything it
// did, so the folder is as it was (a folder this write created is removed again); a crash
// before it leaves the previous manifest naming the previous, untouched tensors. After the
// commit, removing the previous tensors is best effort: what a crash leaves there, the next
// write removes.
import { randomBytes } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { internalAssert } from "../../base/diagnostics.js";
import { writeNpy } from "../npy.js";
import { realFileOps, type SyncFileOps, writeFileAtomicSync } from "../monitor/atomic-write.js";
import { CheckpointError } from "./errors.js";
import { sha256 } from "./hash.js";
import { generationName, isOwnEntry, tensorFileNames } from "./layout.js";
import { manifestText } from "./manifest.js";
import { CHECKPOINT_VERSION, type Checkpoint, FORMAT_TAG, MANIFEST, type ManifestTensor } from "./types.js";

interface Encoded {
  entry: ManifestTensor;
  bytes: Uint8Array;
}

/** Writes `c` to the folder `dir` (created if missing). `ops` is for tests that make a step fail. */
export function writeCheckpoint(dir: string, c: Checkpoint, ops: SyncFileOps = realFileOps): void {
  checkShape(c);
  const entries = entriesOf(dir);
  const gen = generationName(c.step, new Set(entries ?? []));
  const encoded = encodeTensors(c, gen);
  const created = entries === undefined ? makeFolders(dir, ops) : undefined;
  const staging = join(dir, `.tmp-${gen}-${process.pid}-${randomBytes(4).toString("hex")}`);
  let placed = false;
  try {
    ops.mkdir(staging);
    for (const t of encoded) ops.writeDurable(join(staging, t.entry.file.slice(gen.length + 1)), t.bytes);
    ops.syncFolder(staging);
    ops.rename(staging, join(dir, gen));
    placed = true;
    ops.syncFolder(dir);
    writeFileAtomicSync(join(dir, MANIFEST), manifestOf(c, encoded), ops);
  } catch (e) {
    undo(ops, placed ? join(dir, gen) : staging, created);
    throw e;
  }
  removeOthers(dir, gen, ops);
}

function checkShape(c: Checkpoint): void {
  internalAssert(c.version === CHECKPOINT_VERSION, `a checkpoint of version ${c.version} written by version ${CHECKPOINT_VERSION}`);
  for (const k of ["step", "epoch", "batchInEpoch"] as const) internalAssert(Number.isInteger(c[k]) && c[k] >= 0, `checkpoint ${k} = ${c[k]}`);
  internalAssert(c.rng.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32), "checkpoint rng words are 32-bit");
  for (const [k, v] of Object.entries(c.meta)) internalAssert(typeof v === "string" || Number.isFinite(v), `checkpoint meta ${k} = ${v}`);
  for (const [name, t] of c.tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    const typed = t.dtype === "f32" ? t.data instanceof Float32Array : t.data instanceof Int32Array;
    internalAssert(typed && t.data.length === count, `checkpoint tensor ${name}: ${t.dtype}[${t.shape}] with ${t.data.length} values`);
  }
}

/** The folder's entries, or undefined when it does not exist; a folder that is not a checkpoint's is refused. */
function entriesOf(dir: string): string[] | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ENOTDIR") throw refuse(dir, "This is a file, not a folder, so I can't write a checkpoint here.");
    throw e;
  }
  if (!names.includes(MANIFEST) && !names.every(isOwnEntry)) {
    throw refuse(dir, "This folder holds other files and no checkpoint, so I won't write a checkpoint into it.");
  }
  return names;
}

function refuse(dir: string, problem: string): CheckpointError {
  return new CheckpointError({ kind: "not-writable", problem, file: dir, hint: "give `checkpoint` a new or empty folder." });
}

function encodeTensors(c: Checkpoint, gen: string): Encoded[] {
  const files = tensorFileNames([...c.tensors.keys()]);
  return [...c.tensors].map(([name, t]) => {
    const bytes = writeNpy({ dtype: t.dtype === "f32" ? "float32" : "int32", shape: t.shape, data: t.data });
    const entry = { name, file: `${gen}/${files.get(name)}`, dtype: t.dtype, shape: [...t.shape], bytes: bytes.length, sha256: sha256(bytes) };
    return { entry, bytes };
  });
}

function manifestOf(c: Checkpoint, encoded: Encoded[]): string {
  return manifestText({
    format: FORMAT_TAG,
    version: c.version,
    programHash: c.programHash,
    step: c.step,
    epoch: c.epoch,
    batchInEpoch: c.batchInEpoch,
    rng: [...c.rng],
    meta: { ...c.meta },
    tensors: encoded.map((e) => e.entry),
  });
}

/** Creates `dir` and any missing parents; returns the topmost folder it created. */
function makeFolders(dir: string, ops: SyncFileOps): string {
  const missing: string[] = [];
  for (let d = dir; !exists(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  const made: string[] = [];
  try {
    for (const d of missing) {
      ops.mkdir(d);
      made.push(d);
    }
  } catch (e) {
    undo(ops, undefined, made[0]);
    throw e;
  }
  return missing[0];
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Takes back what a failed write did. Best effort: the error that stopped the write is the one to report. */
function undo(ops: SyncFileOps, folder: string | undefined, created: string | undefined): void {
  for (const path of [folder, created]) {
    if (path === undefined) continue;
    try {
      ops.remove(path);
    } catch {
      // a crash would leave it too; the next write removes it (it is one of the writer's own entries)
    }
  }
}

/** After the commit: the previous tensors, and anything an interrupted write left, go. */
function removeOthers(dir: string, keep: string, ops: SyncFileOps): void {
  try {
    for (const name of readdirSync(dir)) if (name !== keep && isOwnEntry(name)) ops.remove(join(dir, name));
    ops.syncFolder(dir);
  } catch {
    // the new checkpoint is committed and complete; leftovers are removed by the next write
  }
}
