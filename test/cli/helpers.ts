// Running the built CLI (dist/bin/iterc.js) from tests. `npm test` builds dist/ first; run
// alone, these tests refuse a dist/ older than the sources rather than test stale code.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = join(ROOT, "dist/bin/iterc.js");

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Throws unless dist/ was built after the last change to the sources it is built from. */
export function requireFreshBuild(): void {
  let built: number;
  try {
    built = statSync(CLI).mtimeMs;
  } catch {
    throw new Error("dist/ is missing: run `npm run build` before these tests (npm test does).");
  }
  const dirs = ["bin", "runtime", "grammar", "compiler", "test/fuzz/engine"].map((d) => newestSource(join(ROOT, d)));
  const newest = Math.max(...dirs, statSync(join(ROOT, "index.ts")).mtimeMs);
  if (newest > built) throw new Error("dist/ is older than the sources: run `npm run build` before these tests (npm test does).");
}

/** Runs `node dist/bin/iterc.js ...args` from the repository root (or `cwd`), with a time limit. */
export function iterc(args: string[], options: { timeoutMs?: number; nodeFlags?: string[]; cwd?: string } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeFlags ?? []), CLI, ...args], { cwd: options.cwd ?? ROOT, timeout: options.timeoutMs ?? 50_000, killSignal: "SIGKILL" });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Neither a stack trace nor an internal error on stderr. */
export function expectNoStack(r: Pick<Result, "stderr">): void {
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  expect(r.stderr).not.toMatch(/internal error/);
}

/** A user error: exit 2, a message, never a stack trace or an internal error. */
export function expectUserError(r: Result, pattern?: RegExp): void {
  expect(r.signal, "the command was killed (a hang?)").toBeNull();
  expect(r.code, r.stderr).toBe(2);
  expectNoStack(r);
  if (pattern) expect(r.stderr).toMatch(pattern);
}
