// The training examples learn: examples/mlp.iter and examples/deq-train.iter run as `iterc run`
// runs them (their data files next to them), and their batch loss and validation loss fall by
// stated factors. The runs are deterministic (seeded initialisers and shuffling, one backend);
// the factors were measured first and have margin.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runSource } from "../../runtime/run.js";

const examples = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples");

async function trainExample(name: string) {
  const file = join(examples, name);
  const out = await runSource(readFileSync(file, "utf8"), { file, backend: "wasm" });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(out.stopped).toBeUndefined();
  const report = out.reports.find((r) => r.kind === "train")!;
  expect(report.reason).toBe("completed");
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const perEpoch = 16; // 1024 rows in batches of 64
  return { report, firstEpoch: mean(report.history.slice(0, perEpoch)), lastEpoch: mean(report.history.slice(-perEpoch)), validation: report.validationHistory! };
}

describe("the training examples learn", () => {
  it("mlp.iter: the mean batch loss falls 10× from the first epoch to the last, the validation loss 5×", async () => {
    // Measured: batch loss 0.585 → 0.0207 (28×), validation 0.371 → 0.0360 (10.3×) in 40 epochs.
    const { report, firstEpoch, lastEpoch, validation } = await trainExample("mlp.iter");
    expect(report.iterations).toBe(40 * 16);
    expect(validation).toHaveLength(40);
    expect(lastEpoch).toBeLessThan(firstEpoch / 10);
    expect(validation[validation.length - 1]).toBeLessThan(validation[0] / 5);
  });

  it("deq-train.iter: the mean batch loss falls 6× from the first epoch to the last, the validation loss 3×", async () => {
    // Measured: batch loss 0.464 → 0.0279 (17×), validation 0.371 → 0.0512 (7.2×) in 10 epochs,
    // every forward fixpoint and adjoint GMRES converging (a failed one would stop the run).
    const { report, firstEpoch, lastEpoch, validation } = await trainExample("deq-train.iter");
    expect(report.iterations).toBe(10 * 16);
    expect(validation).toHaveLength(10);
    expect(lastEpoch).toBeLessThan(firstEpoch / 6);
    expect(validation[validation.length - 1]).toBeLessThan(validation[0] / 3);
  });
});
