// `train`: a small MLP on a generated data set learns (its loss falls by a stated factor), a
// run interrupted after a checkpoint and resumed ends with exactly the bits of an uninterrupted
// run, validation and schedules are reported, and the data and checkpoint mistakes a user
// makes are clear errors. Compiling never reads the data.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/compile.js";
import { scheduleFactor } from "../../compiler/training.js";
import { runSource, type RunOptions } from "../../runtime/run.js";

let dir = "";

/** Every file under a folder with its bytes, to see that nothing changed. */
function snapshot(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(folder, { recursive: true, withFileTypes: true }))
    if (e.isFile()) out[join(e.parentPath ?? e.path, e.name)] = readFileSync(join(e.parentPath ?? e.path, e.name)).toString("base64");
  return out;
}

/** y = sin(1.5 x₀ − x₁ + 0.5 x₂ x₃) on 256 rows of uniform x ∈ [−1, 1]⁴ (a fixed generator). */
function toyCsv(rows: number, seed: number): string {
  let s = seed;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const lines = ["x0,x1,x2,x3,y"];
  for (let i = 0; i < rows; i++) {
    const x = [r(), r(), r(), r()];
    lines.push([...x, Math.sin(1.5 * x[0] - x[1] + 0.5 * x[2] * x[3])].map((v) => v.toFixed(6)).join(","));
  }
  return lines.join("\n") + "\n";
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "iterlang-train-"));
  writeFileSync(join(dir, "toy.csv"), toyCsv(256, 1));
  writeFileSync(join(dir, "held.csv"), toyCsv(64, 7));
});

const mlp = (settings: string, extra = "") => `dim B, D = 4, H = 16
param W1: f32[D, H] init glorot(seed: 1)
param b1: f32[H]
param W2: f32[H, 1] init glorot(seed: 2)
model mlp(x: f32[B, D]) -> f32[B, 1] = tanh(x @ W1 + b1) @ W2
data toy = csv("toy.csv", x: 0..D, y: D)
data held = csv("held.csv", x: 0..D, y: D)
${extra}
train mlp on toy {
  loss mean((mlp(x) - y)^2)
${settings}
}
export W1
export b1
export W2`;

async function train(source: string, options: RunOptions = {}) {
  const out = await runSource(source, { file: join(dir, "mlp.iter"), backend: "cpu", ...options });
  const errors = out.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((d) => `${d.span.start.line}: ${d.message}`).join("\n"));
  return { out, report: out.reports.find((r) => r.kind === "train")!, values: (n: string) => [...out.exports.find((e) => e.name === n)!.data] };
}

describe("training an MLP", () => {
  it("adam: the mean batch loss of the last epoch is below 1/5 of the first's; the validation loss falls too", async () => {
    const { report } = await train(mlp("  optimizer adam(lr: 1e-2)\n  epochs 20 batch 32 seed 0\n  validate held"));
    expect(report.reason).toBe("completed");
    expect(report.iterations).toBe(20 * 8);
    const h = report.history;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(h.slice(-8))).toBeLessThan(0.2 * mean(h.slice(0, 8)));
    const v = report.validationHistory!;
    expect(v).toHaveLength(20);
    expect(v[v.length - 1]).toBeLessThan(0.3 * v[0]);
  });

  it("every optimiser of the library trains (the loss falls), with a schedule and clipping", async () => {
    for (const opt of ["gd(lr: 0.1)", "momentum(lr: 0.05)", "nesterov(lr: 0.05)", "adamw(lr: 1e-2)", "lion(lr: 1e-3)", "shampoo(lr: 0.05)"]) {
      const { report } = await train(mlp(`  optimizer ${opt}\n  epochs 5 batch 32 seed 0\n  schedule cosine(warmup: 4)\n  clip 1.0`));
      expect(report.reason, opt).toBe("completed");
      const h = report.history;
      expect(h.slice(-8).reduce((a, b) => a + b) / 8, opt).toBeLessThan(h.slice(0, 8).reduce((a, b) => a + b) / 8);
    }
  });
});

describe("checkpoints", () => {
  const settings = (ck: string) => `  optimizer adam(lr: 1e-2)\n  steps 24 batch 32 seed 3\n  checkpoint "${ck}" every 10 steps`;

  it("a run stopped after its checkpoint at step 20 and resumed gives the bits of an uninterrupted run", async () => {
    const whole = await train(mlp(settings(join(dir, "ck-whole"))));
    const ck = join(dir, "ck-cut");
    const stop = new Error("interrupted");
    await expect(train(mlp(settings(ck)), { onTrainStep: (_l, step) => { if (step === 20) throw stop; } })).rejects.toBe(stop);
    const resumed = await train(mlp(settings(ck)), { resume: ck });
    expect(resumed.report.detail).toMatch(/resumed at step 20/);
    for (const name of ["W1", "b1", "W2"]) expect(resumed.values(name), name).toEqual(whole.values(name));
    // Also across an epoch boundary (8 batches per epoch): the order of epoch 2 is the same.
    expect(resumed.report.iterations).toBe(24);
  });

  it("a checkpoint of another program is refused, naming both hashes, and the folder is left as it was", async () => {
    const ck = join(dir, "ck-other");
    await train(mlp(settings(ck)));
    const other = mlp(settings(ck)).replace("tanh", "sin");
    const before = snapshot(ck);
    await expect(train(other, { resume: ck })).rejects.toThrow(/different program \(its hash is [0-9a-f]{12}…, this program's is [0-9a-f]{12}…\)/);
    expect(snapshot(ck)).toEqual(before);
  });

  it("--resume on a program without `train` is a clear error", async () => {
    await expect(runSource("export x = 1", { resume: join(dir, "nowhere") })).rejects.toThrow(/no `train` block/);
  });
});

describe("data mistakes are located errors, found when running, not when compiling", () => {
  it("a missing file: compiling is silent, running names the file", async () => {
    const source = mlp("  epochs 1 batch 32").replace('"toy.csv"', '"missing.csv"');
    expect(checkSource(source, { file: join(dir, "mlp.iter") }).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    await expect(train(source)).rejects.toThrow(/missing\.csv/);
  });

  it("a path that leaves the .iter file's folder is refused", async () => {
    await expect(train(mlp("  epochs 1 batch 32").replace('"toy.csv"', '"../../etc/passwd"'))).rejects.toThrow(/outside|leave|root/i);
  });

  it("a batch larger than the data set", async () => {
    await expect(train(mlp("  epochs 1 batch 512"))).rejects.toThrow(/larger than the data set/);
  });
});

describe("the checker", () => {
  const errors = (source: string) => checkSource(source, { file: join(dir, "mlp.iter") }).diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code}: ${d.message}`);

  it.each([
    ["an unknown setting, with a suggestion", mlp("  epoch 3 batch 32"), /unknown-setting: `epoch`/],
    ["lbfgs, which needs exact objectives", mlp("  optimizer lbfgs\n  batch 32"), /bad-setting: `lbfgs` needs/],
    ["both epochs and steps", mlp("  epochs 2 steps 10 batch 32"), /not both/],
    ["a loss that is not a scalar", mlp("  batch 32").replace("mean((mlp(x) - y)^2)", "(mlp(x) - y)^2"), /loss must be a scalar/],
    ["a schedule that does not exist", mlp("  batch 32\n  schedule linear"), /not a learning-rate schedule/],
    ["a validation set with other fields", mlp("  batch 32\n  validate other", 'data other = csv("held.csv", x: 0..3, y: 3)'), /does not have the fields/],
    ["a data set that is not a file", mlp("  batch 32", "data bad = zeros(3)"), /bad-data/],
    ["an empty column range", mlp("  batch 32", 'data bad = csv("toy.csv", x: 3..3)'), /has no columns/],
  ])("%s", (_what, source, pattern) => {
    expect(errors(source).join("\n")).toMatch(pattern);
  });
});

describe("schedules", () => {
  it("warm-up is linear to 1; step decays by gamma every `every` steps; cosine ends at `floor`", () => {
    expect([1, 2, 4].map((k) => scheduleFactor({ name: "constant", warmup: 4 }, k, 100))).toEqual([0.25, 0.5, 1]);
    expect([1, 10, 11, 21].map((k) => scheduleFactor({ name: "step", warmup: 0, every: 10, gamma: 0.5 }, k, 100))).toEqual([1, 1, 0.5, 0.25]);
    const cos = (k: number) => scheduleFactor({ name: "cosine", warmup: 0, floor: 0.1 }, k, 101);
    expect(cos(1)).toBe(1);
    expect(cos(101)).toBeCloseTo(0.1, 12);
    expect(cos(51)).toBeCloseTo(0.55, 12);
  });
});
