// A scratch folder per test file: data files written by the tests, an .iter file beside them.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";
import { DataError, type DatasetSpec, type FieldSpec } from "../../runtime/data/index.js";

export function scratch(prefix: string): { dir: string; iterFile: string; write: (name: string, content: string | Uint8Array) => string } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const iterFile = join(dir, "model.iter");
  writeFileSync(iterFile, "");
  const write = (name: string, content: string | Uint8Array): string => {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    return path;
  };
  return { dir, iterFile, write };
}

export const range = (name: string, from: number, to: number): FieldSpec => ({ name, select: { from, to } });
export const column = (name: string, c: number): FieldSpec => ({ name, select: { column: c } });
export const key = (name: string, k: string): FieldSpec => ({ name, select: { key: k } });

export function spec(path: string, fields: FieldSpec[], extra: Partial<DatasetSpec> = {}): DatasetSpec {
  const format = path.endsWith(".npy") ? "npy" : path.endsWith(".jsonl") ? "jsonl" : "csv";
  return { name: "toy", format, path, fields, ...extra };
}

/** The DataError `run` throws (failing the test when it throws nothing or something else). */
export function dataError(run: () => unknown): DataError {
  try {
    run();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error("expected a DataError, but nothing was thrown");
}
