// Where a data file is, and whether it may be read. A path is relative to the .iter file's
// folder; the file must lie inside the allowed root (that folder and below, or `--data-root`)
// after every symlink is resolved, so neither `../` nor an absolute path nor a link can reach
// out. The check compares real paths, so a root reached through a link is still itself.
import { readdirSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { closest } from "../../base/suggest.js";
import { DataError } from "./errors.js";
import type { DataLocation } from "./types.js";

export interface ResolvedPath {
  /** The real path, symlinks resolved: what is read. */
  real: string;
  /** The path as the user would find it from the current folder: what messages show. */
  display: string;
}

export function resolveDataPath(path: string, where: DataLocation): ResolvedPath {
  const base = dirname(where.iterFile);
  const display = isAbsolute(path) ? path : join(base, path);
  const rootGiven = resolve(where.dataRoot ?? base);
  const root = realOfExisting(rootGiven);
  const wanted = resolve(display);
  let real: string;
  try {
    real = realpathSync(wanted);
  } catch (e) {
    // A path that names nothing: say it is outside first, so a probe learns nothing outside.
    const probe = realOfExisting(dirname(wanted)) + sep + basename(wanted);
    if (!inside(root, probe)) throw outside(path, display, rootGiven, where);
    throw missing(path, display, probe, (e as NodeJS.ErrnoException).code);
  }
  if (!inside(root, real)) throw outside(path, display, rootGiven, where, real !== wanted ? real : undefined);
  if (!statSync(real).isFile()) {
    throw new DataError({ kind: "not-a-file", problem: `The data path \`${path}\` is a folder, not a file.`, file: display, hint: "name the data file itself, e.g. `data/train.csv`." });
  }
  return { real, display };
}

/** The real path of `path`, or of its nearest existing ancestor with the rest appended. */
function realOfExisting(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realOfExisting(parent), basename(path));
  }
}

/** Whether `path` is `root` or below it (both absolute, normalised). */
export function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function outside(path: string, display: string, root: string, where: DataLocation, via?: string): DataError {
  const link = via ? ` (it is a link to \`${via}\`)` : "";
  const rootName = where.dataRoot ? `the data root \`${where.dataRoot}\`` : `the folder of \`${where.iterFile}\` (\`${root}\`)`;
  return new DataError({
    kind: "outside-root",
    problem: `The data path \`${path}\` leads outside ${rootName}${link}, so I won't read it.`,
    file: display,
    hint: where.dataRoot
      ? "move the data under the data root, or give a wider one with `--data-root DIR`."
      : "move the data next to the .iter file (or below it), or allow a wider folder with `--data-root DIR`.",
  });
}

function missing(path: string, display: string, wanted: string, code: string | undefined): DataError {
  if (code !== undefined && code !== "ENOENT" && code !== "ENOTDIR") {
    return new DataError({ kind: "unreadable", problem: `I can't read the data file \`${path}\` (${code}).`, file: display });
  }
  const near = nearbyName(wanted);
  return new DataError({
    kind: "missing-file",
    problem: `I can't find the data file \`${path}\`.`,
    file: display,
    hint: near ? `did you mean \`${near}\`? It is in the same folder.` : "the path is relative to the .iter file's folder, not to the current folder.",
  });
}

/** A file beside `wanted` whose name is close to its name, for "did you mean". */
function nearbyName(wanted: string): string | undefined {
  try {
    return closest(basename(wanted), readdirSync(dirname(wanted)));
  } catch {
    return undefined;
  }
}
