// `mkdir -p` that always ends. Node's `mkdirSync(p, { recursive: true })` loops forever where
// mkdir answers ENOENT for a parent that stat says is missing (under /proc, for one); this
// walks the path's parts once, creating each missing one, and stops at the first that fails.
import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Why a folder could not be made; `message` completes "I can't create the folder `DIR`: ...". */
export class MakeDirError extends Error {
  readonly isUserError = true;
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "MakeDirError";
  }
}

function describe(e: NodeJS.ErrnoException, part: string): string {
  switch (e.code) {
    case "EACCES":
    case "EPERM":
      return `I am not allowed to create \`${part}\` (permission denied)`;
    case "EROFS":
      return `\`${part}\` would be on a read-only file system`;
    case "ENOENT":
      return `\`${part}\` cannot be created there (its parent does not accept new folders)`;
    case "ENOTDIR":
      return `a part of \`${part}\` is a file, not a folder`;
    default:
      return `creating \`${part}\` failed (${e.code ?? e.message})`;
  }
}

/** Makes `dir` and any missing parents. Throws MakeDirError; never loops. */
export function makeDir(dir: string): void {
  const parts: string[] = [];
  for (let p = resolve(dir); ; p = dirname(p)) {
    parts.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const part of parts) {
    let exists = true;
    try {
      if (!statSync(part).isDirectory()) throw new MakeDirError(dir, `\`${part}\` is a file, not a folder`);
    } catch (e) {
      if (e instanceof MakeDirError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") throw new MakeDirError(dir, describe(e as NodeJS.ErrnoException, part));
      exists = false;
    }
    if (exists) continue;
    try {
      mkdirSync(part);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new MakeDirError(dir, describe(e as NodeJS.ErrnoException, part));
    }
  }
}
