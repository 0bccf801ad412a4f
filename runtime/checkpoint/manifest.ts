// The manifest: built from a checkpoint when writing, and checked field by field when reading,
// so a damaged or foreign `checkpoint.json` is an error naming it, never a crash later on.
import { sha256 } from "./hash.js";
import { FORMAT_TAG, type Manifest, type ManifestTensor } from "./types.js";

/** The manifest's text: pretty JSON, its `sha256` over the compact JSON of the rest. */
export function manifestText(body: Omit<Manifest, "sha256">): string {
  const ordered = {
    format: body.format,
    version: body.version,
    programHash: body.programHash,
    step: body.step,
    epoch: body.epoch,
    batchInEpoch: body.batchInEpoch,
    rng: body.rng,
    meta: body.meta,
    tensors: body.tensors.map((t) => ({ name: t.name, file: t.file, dtype: t.dtype, shape: t.shape, bytes: t.bytes, sha256: t.sha256 })),
  };
  return `${JSON.stringify({ ...ordered, sha256: sha256(JSON.stringify(ordered)) }, null, 2)}\n`;
}

/** Whether the parsed manifest's own checksum matches the rest of it. */
export function manifestIntact(parsed: Record<string, unknown>): boolean {
  const { sha256: claimed, ...rest } = parsed;
  return typeof claimed === "string" && claimed === sha256(JSON.stringify(rest));
}

/** The first thing wrong with a parsed manifest's fields, or undefined when all are well formed. */
export function manifestFault(m: Record<string, unknown>): string | undefined {
  if (m.format !== FORMAT_TAG) return "it is not an iterlang checkpoint manifest";
  const counts = ["step", "epoch", "batchInEpoch"] as const;
  for (const k of counts) if (!isCount(m[k])) return `its "${k}" is not a whole number`;
  if (typeof m.programHash !== "string") return 'its "programHash" is not a string';
  if (!Array.isArray(m.rng) || !m.rng.every((w) => isCount(w) && w < 2 ** 32)) return 'its "rng" is not a list of 32-bit words';
  if (!isMeta(m.meta)) return 'its "meta" is not an object of numbers and strings';
  if (!Array.isArray(m.tensors)) return 'its "tensors" is not a list';
  const bad = m.tensors.findIndex((t) => !isTensorEntry(t));
  if (bad >= 0) return `its tensor entry ${bad} is malformed`;
  const names = (m.tensors as ManifestTensor[]).map((t) => t.name);
  if (new Set(names).size !== names.length) return "it lists a tensor twice";
  return undefined;
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

function isMeta(v: unknown): boolean {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  return Object.values(v).every((x) => typeof x === "string" || (typeof x === "number" && Number.isFinite(x)));
}

function isTensorEntry(t: unknown): t is ManifestTensor {
  if (t === null || typeof t !== "object") return false;
  const e = t as Record<string, unknown>;
  return (
    typeof e.name === "string" &&
    typeof e.file === "string" &&
    (e.dtype === "f32" || e.dtype === "i32") &&
    Array.isArray(e.shape) &&
    e.shape.every(isCount) &&
    isCount(e.bytes) &&
    typeof e.sha256 === "string" &&
    /^[0-9a-f]{64}$/.test(e.sha256)
  );
}
