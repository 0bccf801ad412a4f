// Shared by the code-generation tests: the repository's folders, scratch folders inside it (so
// that `iterlang/runtime` resolves to this package, as it would for a user), running the
// TypeScript compiler, and reading source maps.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const EXAMPLES = join(ROOT, "examples");

/** The examples at sizes small enough for a test (each runs once interpreted and once generated). */
export const TEST_SIZES: Readonly<Record<string, Record<string, number>>> = {
  "halpern.iter": { K: 200 },
  "poisson.iter": { N: 31 },
  "poisson-precond.iter": { N: 31 },
};

export function readExample(name: string): string {
  return readFileSync(join(EXAMPLES, name), "utf8");
}

const made: string[] = [];

/** A fresh folder under the repository's ignored `tmp/`, removed by `removeScratch`. */
export function scratch(prefix: string): string {
  mkdirSync(join(ROOT, "tmp"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, "tmp", `${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes this file's scratch folders (links in them are removed, not followed). */
export function removeScratch(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The built package (`npm test` builds it first): what a user's project resolves `iterlang/*` to. */
export function requireBuilt(): void {
  for (const f of ["dist/runtime/module/index.d.ts", "dist/bin/iterc.js"])
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` first (npm test does).`);
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export function runNode(args: string[], cwd = ROOT, timeout = 120_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, timeout, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The repository's TypeScript compiler on a project folder. */
export function tsc(project: string): Promise<Ran> {
  return runNode([join(ROOT, "node_modules/typescript/bin/tsc"), "-p", project]);
}

/** A tsconfig as strict as a careful user's: `strict`, no skipped library checks, and more. */
export const STRICT_TSCONFIG = {
  compilerOptions: {
    strict: true,
    skipLibCheck: false,
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "es2022",
    lib: ["es2023"],
    types: [],
    noUnusedLocals: true,
    noUnusedParameters: true,
    noImplicitReturns: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noPropertyAccessFromIndexSignature: true,
  },
};

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** A source map's mappings, decoded: generated line and column → source line and column (all 0-based). */
export function decodeMappings(mappings: string): { line: number; column: number; source: number; srcLine: number; srcColumn: number }[] {
  const out = [];
  const state = [0, 0, 0, 0];
  let line = 0;
  for (const group of mappings.split(";")) {
    state[0] = 0;
    for (const segment of group ? group.split(",") : []) {
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = BASE64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      fields.forEach((f, i) => (state[i] += f));
      if (fields.length >= 4) out.push({ line, column: state[0], source: state[1], srcLine: state[2], srcColumn: state[3] });
    }
    line++;
  }
  return out;
}
