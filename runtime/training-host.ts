// What a run gives its `train` blocks: their data sets, loaded when the run reaches them (never
// when compiling), a checkpoint writer bound to the program's hash, and the checkpoint to
// resume from. Relative checkpoint folders are relative to the current folder, like every
// other output of a run (--out, --plot); data paths are relative to the .iter file. A data set
// the program computes (`tensors(...)`) comes with its values, read back here once.
import { resolve } from "node:path";
import { InternalError } from "../base/diagnostics.js";
import type { DataSource } from "../compiler/training.js";
import { CHECKPOINT_VERSION, readCheckpoint, writeCheckpoint } from "./checkpoint/index.js";
import { DataError, type Dataset, type DatasetSpec, datasetOfTensors, loadDataset } from "./data/index.js";
import type { Tensor } from "./drivers/stopping.js";
import { ResumeMismatch } from "./drivers/train.js";
import type { TrainingHost } from "./training-types.js";

export type { TrainingHost };

export interface TrainingOptions {
  /** The .iter file: data paths start at its folder. */
  iterFile: string;
  /** The folder data may come from; the .iter file's by default. */
  dataRoot?: string;
  programHash: string;
  /** A checkpoint folder to continue from (`--resume`). */
  resume?: string;
  onStep?: TrainingHost["onStep"];
}

export function trainingHost(o: TrainingOptions): TrainingHost {
  const resumed = o.resume !== undefined ? readCheckpoint(resolve(o.resume), { programHash: o.programHash }) : undefined;
  let used = false;
  return {
    ...(o.onStep ? { onStep: o.onStep } : {}),
    load: (source, operands) => (source.format === "tensors" ? computedSource(source, operands, o) : loadSource(source, o)),
    save: (dir, c) => {
      const path = resolve(dir);
      writeCheckpoint(path, { ...c, version: CHECKPOINT_VERSION, programHash: o.programHash });
      return dir;
    },
    resumeFor: (label) => {
      if (!resumed || used) return undefined;
      if (resumed.meta.train !== label) throw new ResumeMismatch(`the checkpoint in ${o.resume} belongs to \`train ${String(resumed.meta.train)}\`, not to \`train ${label}\``);
      used = true;
      return resumed;
    },
  };
}

/** The fields' values, copied out of the tensors once (they are the program's, freed after the op). */
function computedSource(source: DataSource, operands: readonly Tensor[], o: TrainingOptions): Dataset {
  const fields = source.fields.map((f) => {
    const t = operands["tensor" in f.select ? f.select.tensor : NaN];
    if (!t) throw new InternalError(`the data set \`${source.name}\` came without the values of its field \`${f.name}\``);
    return { name: f.name, shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) };
  });
  return datasetOfTensors(source.name, fields, { file: o.iterFile, line: source.line });
}

/** The loader's spec from the checked declaration; a JSON-lines range takes entries of an array. */
function loadSource(source: DataSource, o: TrainingOptions): Dataset {
  if (source.format === "tensors") throw new InternalError(`the data set \`${source.name}\` is computed, not read`);
  const spec: DatasetSpec = {
    name: source.name,
    format: source.format,
    path: source.path,
    ...(source.header !== undefined ? { header: source.header } : {}),
    fields: source.fields.map((f) => ({ name: f.name, select: "key" in f.select ? { key: f.select.key } : (f.select as { from: number; to: number } | { column: number }) })),
  };
  const data = loadDataset(spec, { iterFile: o.iterFile, ...(o.dataRoot ? { dataRoot: o.dataRoot } : {}) });
  for (const f of source.fields) if ("key" in f.select && f.select.from !== undefined) sliceField(data, f.name, f.select.from, f.select.to!, source);
  return data;
}

/** Keeps entries [from, to) of each row of a field (`"features"[0..8]`). */
function sliceField(data: Dataset, name: string, from: number, to: number, source: DataSource): void {
  const field = data.fields.get(name)!;
  const width = field.perRow.reduce((a, b) => a * b, 1);
  if (to > width)
    throw new DataError({ kind: "out-of-bounds", problem: `The field \`${name}\` of \`${source.name}\` asks for entries ${from}..${to} of arrays that have ${width}.`, file: data.source, hint: `use a range within 0..${width}.` });
  const out = new Float32Array(data.rows * (to - from));
  for (let r = 0; r < data.rows; r++) out.set(field.data.subarray(r * width + from, r * width + to), r * (to - from));
  data.fields.set(name, { perRow: [to - from], data: out });
}
