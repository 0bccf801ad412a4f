// `iterc check` running contracts, end to end through the built CLI: exit 0 when every contract
// holds, 4 when one fails (its counterexample saved, rerun with --replay and, for the
// program's inputs, with `iterc run --input`), 2 for a contract that cannot be run as written;
// `iterc run --verify-tags`. (The examples' contracts run in test/cli/cli.test.ts.)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, expectNoStack, iterc, ROOT } from "./helpers.js";

let tmp: string;

/** `iterc` from the temp folder, where the tests write their programs. */
const inTmp = (args: string[]) => iterc(args, { cwd: tmp, timeoutMs: 100_000 });

const write = (name: string, ...lines: string[]): string => {
  writeFileSync(join(tmp, name), lines.join("\n") + "\n");
  return name;
};

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "iterc-contracts-"));
  if (!existsSync(CLI)) throw new Error("build the CLI first (npm run build)");
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const stencil = "stencil5(u, center: 4, side: -1) * (n + 1)^2";

describe.concurrent("iterc check runs contracts", { timeout: 120_000 }, () => {
  it("all hold: exit 0, one line per contract with its worst measured value and bound", async () => {
    const file = write("holds.iter", `op A(u: f32[n, n]) is spd = ${stencil}`, "dim N = 8", "let W = 0.9 * orthogonal(N, N, seed: 1)", "check contractive(z => tanh(W @ z), below: 1) for z: f32[N]");
    const r = await inTmp(["check", file, "--runs", "5"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/holds {2}line 1 {2}A is spd {2}\(5 runs/);
    expect(r.stdout).toMatch(/at most: ‖J_T\(a\)‖₂ .* = 0\.\d+ ≤ 1/);
    expect(r.stdout).toContain("2 contracts: 2 hold, 0 fail");
  });

  it("a failure: exit 4, the contract's line, the measured quantity against its bound, a saved counterexample that --replay reruns", async () => {
    const file = write("fails.iter", "let ddx = [[0, 0, 0], [-0.5, 0, 0.5], [0, 0, 0]]", `op C(u: f32[n, n]) is spd = ${stencil} + 20 * (n + 1) * stencil(u, weights: ddx)`);
    const r = await inTmp(["check", file, "--runs", "5", "--save", "cex"]);
    expect(r.code, r.stderr).toBe(4);
    expectNoStack(r);
    expect(r.stderr).toContain("error[contract-failed]: `C is spd` does not hold");
    expect(r.stderr).toMatch(/> 2 \| op C\(u: f32\[n, n\]\) is spd/);
    const measured = /= measured: (\|⟨A x, y⟩ − ⟨x, A y⟩\| .* = \S+ > 1e-4)/.exec(r.stderr);
    expect(measured, r.stderr).not.toBeNull();
    const dir = "cex/fails-2-spd";
    expect(readdirSync(join(tmp, dir)).sort()).toEqual(["counterexample.json", "v.npy", "x.npy", "y.npy"]);
    expect(r.stderr).toContain(`iterc check ${file} --replay ${dir}`);
    const again = await inTmp(["check", file, "--replay", dir]);
    expect(again.code, again.stderr).toBe(4);
    expect(again.stdout).toContain("C is spd: fails on these values");
    expect(again.stdout).toContain(measured![1]);
  });

  it("a failure on the program's inputs: `iterc run --input` runs the program on the counterexample", async () => {
    const file = write("inputs.iter", "dim N = 4", "input W: f32[N, N]", "export size = fro(W)", "check fro(W) < 1 for W ~ normal(std: 0.5)");
    const r = await inTmp(["check", file, "--runs", "5", "--save", "cex"]);
    expect(r.code, r.stderr).toBe(4);
    const command = /the program on the same inputs: `iterc run (.*)`/.exec(r.stderr);
    expect(command, r.stderr).not.toBeNull();
    const run = await inTmp(["run", ...command![1].split(" "), "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(tmp, "cex/inputs-4-condition/counterexample.json"), "utf8"));
    expect(saved.values.map((v: { name: string; role: string }) => [v.name, v.role])).toEqual([["W", "input"]]);
    expect(JSON.parse(run.stdout).exports.size.values[0]).toBeGreaterThanOrEqual(1);
  });

  it("a contract that cannot be tested as written: exit 2, a located error, no stack", async () => {
    const file = write("bad.iter", "dim N = 4", "let W = eye(N)", "check contractive(z => W @ z, below: 1)");
    const r = await inTmp(["check", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("I need the type of `z` to draw points for this lambda.");
    expect(r.stderr).toContain("for z: f32[N]");
    expectNoStack(r);
  });

  it("--no-contracts checks types only; bad --runs and --seed are usage errors", async () => {
    const file = write("types.iter", "dim N = 4", "input W: f32[N, N]", "check fro(W) < 1");
    const r = await inTmp(["check", file, "--no-contracts"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("contracts");
    expect((await inTmp(["check", file, "--runs", "0"])).code).toBe(2);
    const seed = await inTmp(["check", file, "--seed", "x"]);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain("`--seed x` is not a whole number");
  });
});

describe.concurrent("iterc run --verify-tags", { timeout: 120_000 }, () => {
  it("a non-symmetric op tagged spd stops the run with exit 4; a symmetric one runs", async () => {
    const bad = write("tagged.iter", "dim N = 7", "let ddx = [[0, 0, 0], [-0.5, 0, 0.5], [0, 0, 0]]", `op C(u: f32[n, n]) is spd = ${stencil} + 20 * (n + 1) * stencil(u, weights: ddx)`, "solve C(u) = ones(N, N) method cg(rtol: 1e-3) -> u", "export u");
    const r = await inTmp(["run", bad, "--verify-tags"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("`C` is tagged `spd`, but it is not symmetric");
    expect(r.stderr).toContain("at N = 7, n = 7");
    expect(r.stdout).toBe("");
    const good = await inTmp(["run", join(ROOT, "examples/poisson.iter"), "--verify-tags", "--set", "N=15"]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stderr).toMatch(/verified: `A` is symmetric on a random pair/);
  });
});
