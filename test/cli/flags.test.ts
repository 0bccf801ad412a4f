// Flags that are wrong are said so, with exit 2 and no stack trace: `--set` of a size the
// program does not have (with a did-you-mean), given twice, or not a whole number; `--out`
// empty or impossible to make (it used to exit 0 writing nothing, or to hang under /proc);
// a declared input given no data. `fmt --check` exits 4, as `--help` and docs/cli.md say.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectUserError, iterc, requireFreshBuild, ROOT } from "./helpers.js";

let tmp: string;
const POISSON = "examples/poisson.iter";

beforeAll(() => {
  requireFreshBuild();
  tmp = mkdtempSync(join(tmpdir(), "iterc-flags-"));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.concurrent("--set", () => {
  it("a size the program does not have: exit 2 with a did-you-mean, for run, check and compile", async () => {
    for (const command of ["run", "check", "compile"]) {
      expectUserError(await iterc([command, POISSON, "--set", "M=7"]), /the program has no size `M`; did you mean `N`\?/);
    }
  });

  it("a size named only in an input's shape is a size of the program", async () => {
    const file = join(tmp, "input-size.iter");
    writeFileSync(file, "input b: f32[n]\nexport y = b * 2\n");
    // (Whether --set may bind such a size is the checker's to say; it is not refused here.)
    expect((await iterc(["check", file, "--set", "n=3"])).stderr).not.toMatch(/has no size/);
    expectUserError(await iterc(["check", file, "--set", "m=3"]), /no size `m`; did you mean `n`\?/);
  });

  it("without anything close, the program's sizes are listed", async () => {
    expectUserError(await iterc(["check", POISSON, "--set", "Width=7"]), /no size `Width`; its sizes are `N`, `P`\./);
  });

  it("a size given twice: exit 2, naming both", async () => {
    expectUserError(await iterc(["check", POISSON, "--set", "N=4", "--set", "N=5"]), /The size `N` is given twice: `--set N=4`, then `--set N=5`\./);
  });

  it.each([
    ["N=abc", /`abc` is not a whole number/],
    ["N=-1", /a size cannot be negative/],
    ["N=1.5", /a size is a whole number, not 1\.5/],
    ["N=99999999999", /larger than the largest size I handle, 2147483647/],
    ["N", /is not of the form NAME=WHOLE_NUMBER/],
  ])("--set %s: exit 2", async (flag, pattern) => {
    expectUserError(await iterc(["check", POISSON, "--set", flag]), pattern);
  });
});

describe.concurrent("--out", () => {
  it("an empty name: exit 2, before running", async () => {
    expectUserError(await iterc(["run", POISSON, "--set", "N=7", "--out", ""]), /`--out` needs a folder/);
  });

  it("a folder that cannot be made (/proc/x/y): exit 2 at once, not a hang", async () => {
    expectUserError(await iterc(["run", POISSON, "--set", "N=7", "--out", "/proc/x/y"], { timeoutMs: 20_000 }), /I can't create the folder `\/proc\/x\/y` for `--out`/);
  });

  it("a folder under a file: exit 2", async () => {
    const file = join(tmp, "a-file");
    writeFileSync(file, "");
    expectUserError(await iterc(["run", POISSON, "--set", "N=7", "--out", join(file, "sub")]), /is a file, not a folder/);
  });

  it("missing parents are made", async () => {
    const out = join(tmp, "deep", "er", "out");
    const r = await iterc(["run", POISSON, "--set", "N=7", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, "u.npy")).length).toBeGreaterThan(128);
  });
});

describe.concurrent("inputs and exit codes", () => {
  it("a declared input given no data: exit 2, naming the flag to give", async () => {
    const file = join(tmp, "needs-input.iter");
    writeFileSync(file, "input A: f32[n, n]\ninput b: f32[n]\nexport y = A @ b\n");
    expectUserError(await iterc(["run", file]), /The input `A` needs a value\.\n {2}--> .*needs-input\.iter:1:7[\s\S]*--input A=file\.npy[\s\S]*The input `b` needs a value\.\n {2}--> .*needs-input\.iter:2:7/);
  });

  it("--help lists the exit codes, as docs/cli.md does", async () => {
    const r = await iterc(["--help"]);
    expect(r.code).toBe(0);
    const docs = readFileSync(join(ROOT, "docs/cli.md"), "utf8");
    for (const [code, words] of [["1", "internal error"], ["2", "mistake in the input"], ["3", "some construct"], ["4", "not formatted"]]) {
      expect(r.stdout).toMatch(new RegExp(`^ +${code} .*${words}`, "m"));
      expect(docs).toMatch(new RegExp(`\\*\\*${code}\\*\\*[^*]*${words}`));
    }
    expect((await iterc(["fmt", "--help"])).stdout).toMatch(/exit with 4 when a file is not formatted/);
  });

  it("fmt --check: 4 for a file not formatted, 2 when another cannot be parsed", async () => {
    const ugly = join(tmp, "ugly.iter");
    writeFileSync(ugly, "let   x=1\nexport x\n");
    const broken = join(tmp, "broken.iter");
    writeFileSync(broken, "let x = \n");
    const r = await iterc(["fmt", "--check", ugly]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain("ugly.iter: not formatted");
    expectUserError(await iterc(["fmt", "--check", ugly, broken]));
  });
});
