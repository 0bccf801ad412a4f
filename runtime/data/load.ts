// Loading a `data` declaration's file: the path resolved and checked, the file read once by
// its format's reader, and an empty result refused. Compiling never calls this; running does.
import { readCsv, type Loaded } from "./csv.js";
import { DataError } from "./errors.js";
import { readJsonl } from "./jsonl.js";
import { readNpyData } from "./npy-data.js";
import { resolveDataPath } from "./paths.js";
import type { DataLocation, Dataset, DatasetSpec } from "./types.js";

/** Loads a data set; every problem with the file is a located `DataError`. */
export function loadDataset(spec: DatasetSpec, where: DataLocation): Dataset {
  const { real, display } = resolveDataPath(spec.path, where);
  const loaded = readByFormat(real, display, spec);
  if (loaded.rows === 0) {
    const why = loaded.emptyNote ? ` (${loaded.emptyNote})` : "";
    throw new DataError({ kind: "empty", problem: `The data set \`${spec.name}\` has no rows${why}.`, file: display, hint: "training needs at least one batch of rows." });
  }
  return { name: spec.name, rows: loaded.rows, fields: loaded.fields, source: real };
}

function readByFormat(real: string, display: string, spec: DatasetSpec): Loaded {
  try {
    switch (spec.format) {
      case "csv":
        return readCsv(real, display, spec);
      case "npy":
        return readNpyData(real, display, spec);
      case "jsonl":
        return readJsonl(real, display, spec);
    }
  } catch (e) {
    if (e instanceof DataError || !(e as NodeJS.ErrnoException).code) throw e;
    throw new DataError({ kind: "unreadable", problem: `I can't read the data file (${(e as Error).message}).`, file: display });
  }
}
