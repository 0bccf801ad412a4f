// The house points one way: bin → runtime → compiler → grammar → base. These checks read every
// source file's import specifiers, so an arrow pointing back fails here, not in a review.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (name.endsWith(".ts")) out.push(rel);
  }
  return out;
}

/** Every module a file imports (static, dynamic and type-only), as a repo path or a package name. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1]);
  return specs.map((s) => (s.startsWith(".") ? relative(ROOT, normalize(join(ROOT, dirname(file), s))) : s));
}

function offenders(dir: string, bad: (spec: string) => boolean): string[] {
  return sources(dir).flatMap((f) => importsOf(f).filter(bad).map((s) => `${f} imports ${s}`));
}

const under = (prefix: string) => (spec: string) => spec.startsWith(prefix);
const TFJS = (spec: string) => spec.startsWith("@tensorflow/");

describe("layering", () => {
  test("base/ imports nothing of the project", () => {
    expect(offenders("base", (s) => /^(grammar|compiler|runtime|bin)\//.test(s))).toEqual([]);
  });

  test("no file under grammar/ imports compiler/, runtime/ or bin/", () => {
    expect(offenders("grammar", (s) => /^(compiler|runtime|bin)\//.test(s))).toEqual([]);
  });

  test("no file under compiler/ imports tfjs, runtime/ or bin/", () => {
    expect(offenders("compiler", (s) => TFJS(s) || under("runtime/")(s) || under("bin/")(s))).toEqual([]);
  });

  test("no file under compiler/lower imports the checker: lowering reads the typed program only", () => {
    expect(offenders("compiler/lower", under("compiler/check/"))).toEqual([]);
  });

  test("no file under runtime/ imports bin/", () => {
    expect(offenders("runtime", under("bin/"))).toEqual([]);
  });

  test("no file under bundler/ imports runtime/ or tfjs: the plugin finds the runtime entry by path, so compiler and runtime ship together", () => {
    expect(offenders("bundler", (s) => TFJS(s) || under("runtime/")(s) || under("bin/")(s))).toEqual([]);
  });

  test("only bin/ and index.ts may import bundler/", () => {
    for (const dir of ["base", "grammar", "compiler", "runtime"]) expect(offenders(dir, under("bundler/"))).toEqual([]);
  });

  test("iterlang/runtime (what generated modules import) reaches no Node module, so a compiled module runs in a browser", () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file)) {
        if (/^(base|grammar|compiler|runtime)\//.test(spec)) visit(spec.replace(/\.js$/, ".ts"));
        else packages.add(spec);
      }
    };
    visit("runtime/module/index.ts");
    expect([...packages].filter((p) => p.startsWith("node:") || !["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@babel/code-frame"].includes(p))).toEqual([]);
  });

  test("the checks see imports (a file known to import is read as importing)", () => {
    expect(importsOf("compiler/ops/elementwise.ts")).toContain("compiler/types.js");
  });
});
