// Watching `iterc run`: `--monitor` lines on stdout, the live progress line on a terminal's
// stderr (and nothing of it elsewhere), and the flags refused before anything runs.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { asTerminal, iterc } from "./in-process.js";

afterEach(() => vi.unstubAllEnvs());

const PRECOND = ["run", "examples/poisson-precond.iter", "--set", "N=15"];

describe("iterc run --monitor", () => {
  it("prints each construct's iterations and why it stopped, then the report", async () => {
    const r = await iterc([...PRECOND, "--monitor"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^u_plain cg {4}0 {2}residual \d\.\d{3}e[+-]\d+ {2}rel 1\.000e\+0$/);
    for (const name of ["u_plain", "u_jacobi", "u_ssor", "u_mg", "u_gmres"]) {
      expect(lines.some((l) => l.startsWith(`${name} ✓ converged_rtol after `))).toBe(true);
    }
    // The smoothers' loops inside the preconditioners are not printed: they have no residual.
    const blank = lines.indexOf("");
    expect(lines.slice(0, blank).filter((l) => l.startsWith(" "))).toEqual([]);
    expect(lines[blank + 1]).toMatch(/^backend: /);
    expect(lines.slice(0, blank).every((l) => /^u_\w+ (cg|gmres) +\d+ {2}residual|^u_\w+ ✓/.test(l))).toBe(true);
  });

  it("--monitor-every k prints iteration 0, every k-th and the last of each", async () => {
    const r = await iterc([...PRECOND, "--monitor-every", "5"]);
    expect(r.code, r.stderr).toBe(0);
    const plain = r.stdout.split("\n").filter((l) => l.startsWith("u_plain cg"));
    const its = plain.map((l) => Number(/cg +(\d+)/.exec(l)![1]));
    expect(its.slice(0, -1)).toEqual(its.slice(0, -1).map((_, i) => 5 * i));
    expect(its.at(-1)! % 5).not.toBe(0);
  });

  it("refuses --monitor with --json, and an every that is not a whole number ≥ 1, before running", async () => {
    const both = await iterc([...PRECOND, "--monitor", "--json"]);
    expect(both.code).toBe(2);
    // With --json, the refusal is JSON too.
    expect(JSON.parse(both.stdout).diagnostics[0].message).toContain("`--monitor` prints lines on stdout, where `--json` prints one JSON object");
    const zero = await iterc([...PRECOND, "--monitor-every", "0"]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain("`--monitor-every 0` is not a whole number ≥ 1");
    expect(zero.stdout).toBe("");
  });
});

describe("the live progress line", () => {
  // 6000 Picard steps of a slow contraction that never meets its tolerance (about 1 s here on
  // tfjs's cpu backend; fused on native they take milliseconds, so the backend is named):
  // long enough (≥ 250 ms) for the line to show.
  const dir = mkdtempSync(join(tmpdir(), "iterc-watch-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "slow.iter");
  writeFileSync(file, "dim n = 64\nlet b = normal(n, seed: 2)\nfixpoint x: f32[n] = 0.999 * x + b until residual < 1e-30 max 6000\nexport x\n");
  const LONG = ["run", file, "--backend", "cpu"];

  it("on a terminal: drawn on stderr while a construct runs, erased when it ends", async () => {
    const r = await asTerminal(process.stderr, 80, () => iterc(LONG));
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/\r\x1b\[Kx \(fixpoint picard\) {2}iteration \d+ \/ \d+ {2}residual \S+ {2}elapsed /);
    expect(r.stderr.endsWith("\r\x1b[K")).toBe(true);
    expect(r.stdout).not.toContain("\r");
  });

  it("not a terminal, or with --monitor: no progress line at all", async () => {
    const piped = await iterc(LONG);
    expect(piped.stderr).toBe("");
    const monitored = await asTerminal(process.stderr, 80, () => iterc([...LONG, "--monitor-every", "1000"]));
    expect(monitored.stderr).toBe("");
  });
});
