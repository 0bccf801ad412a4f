// Reading a checkpoint back, checking everything before trusting anything: the folder, the
// manifest (its format, version, own checksum, fields), the program that wrote it, and each
// tensor file (present, whole, its checksum, its dtype and shape). Reading never writes.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { NpyError, readNpy } from "../npy.js";
import { CheckpointError } from "./errors.js";
import { sha256, shortHash } from "./hash.js";
import { isOwnEntry } from "./layout.js";
import { manifestFault, manifestIntact } from "./manifest.js";
import { CHECKPOINT_VERSION, type Checkpoint, MANIFEST, type Manifest, type ManifestTensor, type TensorRecord } from "./types.js";

export function readCheckpoint(dir: string, expect: { programHash: string }): Checkpoint {
  const m = readManifest(dir);
  if (m.programHash !== expect.programHash) {
    throw new CheckpointError({
      kind: "different-program",
      problem: `This checkpoint was written by a different program (its hash is ${shortHash(m.programHash)}, this program's is ${shortHash(expect.programHash)}).`,
      file: join(dir, MANIFEST),
      hint: "resume with the same .iter file and the same sizes (`--set`) that wrote it, or start afresh without `--resume`.",
    });
  }
  const tensors = new Map<string, TensorRecord>(m.tensors.map((t) => [t.name, readTensor(dir, t)]));
  const { version, programHash, step, epoch, batchInEpoch, rng, meta } = m;
  return { version, programHash, step, epoch, batchInEpoch, rng, tensors, meta };
}

/** The checked manifest of the checkpoint in `dir`. */
export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST);
  const text = manifestTextOf(dir, path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw corrupt(path, "The checkpoint manifest is not valid JSON: it is damaged or was cut short.");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw corrupt(path, "The checkpoint manifest is not a JSON object.");
  const m = parsed as Record<string, unknown>;
  checkVersion(m, path);
  if (!manifestIntact(m)) throw corrupt(path, "The checkpoint manifest was changed or damaged: its checksum does not match its contents.");
  const fault = manifestFault(m);
  if (fault) throw corrupt(path, `The checkpoint manifest is malformed: ${fault}.`);
  return m as unknown as Manifest;
}

function manifestTextOf(dir: string, path: string): string {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw notCheckpoint(dir, "This is a file, not a checkpoint folder.");
    names = readdirSync(dir);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new CheckpointError({ kind: "missing", problem: "There is no checkpoint here: the folder does not exist.", file: dir, hint: "check the folder given to `--resume`; a run writes it with `checkpoint \"dir\" every n steps`." });
    throw e;
  }
  if (!names.includes(MANIFEST)) {
    const interrupted = names.length > 0 && names.every(isOwnEntry);
    const problem = interrupted
      ? "This folder holds no complete checkpoint: the first write into it was interrupted."
      : `This folder is not a checkpoint: it has no \`${MANIFEST}\`.`;
    throw notCheckpoint(dir, problem);
  }
  return readFileSync(path, "utf8");
}

function notCheckpoint(dir: string, problem: string): CheckpointError {
  return new CheckpointError({ kind: "not-a-checkpoint", problem, file: dir, hint: "give `--resume` the folder named in the program's `checkpoint \"dir\"` setting." });
}

function checkVersion(m: Record<string, unknown>, path: string): void {
  if (m.format !== "iterlang-checkpoint") throw notCheckpoint(path, "This is not an iterlang checkpoint manifest.");
  const v = m.version;
  if (typeof v !== "number" || !Number.isInteger(v)) throw corrupt(path, "The checkpoint manifest has no valid format version.");
  if (v === CHECKPOINT_VERSION) return;
  const newer = v > CHECKPOINT_VERSION;
  throw new CheckpointError({
    kind: "version",
    problem: `The checkpoint is in format ${v}, ${newer ? "newer than" : "older than"} the format ${CHECKPOINT_VERSION} this iterlang reads.`,
    file: path,
    hint: newer ? "resume it with the newer iterlang that wrote it." : "resume it with the iterlang version that wrote it, or start afresh.",
  });
}

function readTensor(dir: string, t: ManifestTensor): TensorRecord {
  const path = join(dir, t.file);
  if (!resolve(path).startsWith(resolve(dir) + sep)) throw corrupt(join(dir, MANIFEST), `The checkpoint manifest names a file outside its folder (\`${t.file}\`).`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw corrupt(path, `The checkpoint file of the tensor \`${t.name}\` is missing.`);
  }
  if (bytes.length !== t.bytes) {
    const kind = bytes.length < t.bytes ? "truncated" : "corrupt";
    const how = bytes.length < t.bytes ? "truncated" : "longer than written";
    throw new CheckpointError({ kind, problem: `The checkpoint file of the tensor \`${t.name}\` is ${how}: ${bytes.length} bytes, but ${t.bytes} were written.`, file: path, hint: HINT });
  }
  if (sha256(bytes) !== t.sha256) throw corrupt(path, `The checkpoint file of the tensor \`${t.name}\` is damaged: its checksum does not match the one written.`);
  return decode(bytes, t, path);
}

function decode(bytes: Uint8Array, t: ManifestTensor, path: string): TensorRecord {
  try {
    const a = readNpy(bytes);
    const want = t.dtype === "f32" ? "float32" : "int32";
    if (a.dtype !== want || a.shape.join(",") !== t.shape.join(",")) throw new NpyError(`it holds ${a.dtype}[${a.shape}], the manifest says ${want}[${t.shape}]`);
    return { dtype: t.dtype, shape: a.shape, data: a.data as Float32Array | Int32Array };
  } catch (e) {
    if (e instanceof NpyError) throw corrupt(path, `The checkpoint file of the tensor \`${t.name}\` can't be read: ${e.message}.`);
    throw e;
  }
}

const HINT = "the checkpoint is damaged: resume from an earlier copy of the folder, or start afresh.";

function corrupt(file: string, problem: string): CheckpointError {
  return new CheckpointError({ kind: "corrupt", problem, file, hint: HINT });
}
