// `iterc check --json` and `iterc run --json`: diagnostics as JSON on stdout (file, line,
// column, code, message, hint), for a mistake in the file and for one that has no place in it
// (a missing file, an unknown flag, data that do not fit), and nothing on stderr.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES } from "../../base/codes.js";
import { iterc } from "../monitor/in-process.js";

const dir = mkdtempSync(join(tmpdir(), "iterc-json-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const BAD = file("bad.iter", "dim N = 4\nop A(u: f32[n]) is spd = u\nsolve A(u) = f -> u\nexport u\n");
const GOOD = file("good.iter", "input f: f32[n]\nexport g = 2 * f\n");

/** Runs iterc, expects JSON on stdout and nothing on stderr. */
async function json(args: string[], code: number) {
  const r = await iterc(args);
  expect(r.code, r.stdout + r.stderr).toBe(code);
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

function expectWellFormed(d: Record<string, unknown>): void {
  expect(Object.keys(d)).toEqual(expect.arrayContaining(["file", "line", "column", "endLine", "endColumn", "severity", "code", "message", "hint"]));
  expect(Object.keys(DIAGNOSTIC_CODES)).toContain(d.code);
  expect(typeof d.message).toBe("string");
}

describe("iterc check --json", () => {
  it("prints the file's diagnostics with their places, codes and hints", async () => {
    const out = await json(["check", BAD, "--json"], 2);
    expect(out).toMatchObject({ file: BAD, ok: false });
    expect(out.diagnostics).toHaveLength(1);
    expectWellFormed(out.diagnostics[0]);
    expect(out.diagnostics[0]).toMatchObject({ file: BAD, line: 3, column: 14, severity: "error", code: "unknown-name", message: "I don't know the name `f`." });
    expect(out.diagnostics[0].hint).toMatch(/define it/);
  });

  it("a file with no errors: ok, and the warnings", async () => {
    expect(await json(["check", GOOD, "--json"], 0)).toEqual({ file: GOOD, ok: true, diagnostics: [], contracts: [] });
  });

  it("a file that cannot be read, or an unknown flag: one diagnostic without a place", async () => {
    const missing = await json(["check", join(dir, "missing.iter"), "--json"], 2);
    expect(missing.ok).toBe(false);
    expectWellFormed(missing.diagnostics[0]);
    expect(missing.diagnostics[0]).toMatchObject({ code: "bad-usage", line: null, column: null });
    expect(missing.diagnostics[0].message).toContain("I can't find the file");
    const flag = await json(["check", GOOD, "--json", "--bogus"], 2);
    expect(flag.diagnostics[0]).toMatchObject({ code: "bad-usage", message: "unknown option '--bogus'" });
  });
});

describe("iterc run --json", () => {
  it("a mistake in the file: { ok: false, diagnostics } and exit 2", async () => {
    const out = await json(["run", BAD, "--json"], 2);
    expect(out.ok).toBe(false);
    expect(out.diagnostics[0]).toMatchObject({ line: 3, column: 14, code: "unknown-name" });
  });

  it("data that do not fit, or no data: bad-input", async () => {
    const data = file("f.json", JSON.stringify({ shape: [2, 2], data: [1, 2, 3, 4] }));
    const wrong = await json(["run", GOOD, "--json", "--input", `f=${data}`], 2);
    expect(wrong.diagnostics[0]).toMatchObject({ code: "bad-input", line: 1 });
    const none = await json(["run", GOOD, "--json"], 2);
    expect(none.diagnostics[0]).toMatchObject({ code: "bad-input", message: "The input `f` needs a value." });
    const ragged = file("r.json", "[[1, 2], [3]]");
    const unreadable = await json(["run", GOOD, "--json", "--input", `f=${ragged}`], 2);
    expect(unreadable.diagnostics[0]).toMatchObject({ code: "bad-input", line: null });
  });

  it("a run: ok, the diagnostics (none), and the report as before", async () => {
    const data = file("v.json", "[1, 2, 3]");
    const out = await json(["run", GOOD, "--json", "--input", `f=${data}`, "--backend", "cpu"], 0);
    expect(out).toMatchObject({ ok: true, diagnostics: [], backend: "cpu", sizes: { n: 3 }, exports: { g: { shape: [3], values: [2, 4, 6] } } });
  });
});
