// A failing contract's counterexample: the same for the same seed, simpler than what was first
// drawn (shrunk), and saved so that replaying it measures the same numbers again.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCounterexample, saveCounterexample } from "../../runtime/contracts/counterexample.js";
import { replay } from "../../runtime/contracts/replay.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";
import { lastOutcome, lines } from "./helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "iterlang-cex-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const nonSymmetric = lines("let ddx = [[0, 0, 0], [-0.5, 0, 0.5], [0, 0, 0]]", "op C(u: f32[n, n]) is symmetric = stencil(u, weights: ddx)");
const drawnMatrix = lines("dim N = 4", "input W: f32[N, N]", "check fro(W) < 1 for W ~ normal(std: 0.5)");

describe("counterexamples", () => {
  it("are the same for the same seed, and another seed finds one too", async () => {
    const [a, b, c] = [await lastOutcome(nonSymmetric), await lastOutcome(nonSymmetric), await lastOutcome(nonSymmetric, { seed: 2 })];
    expect(a.status).toBe("fails");
    expect(b.result!.counterexample!.drawn).toEqual(a.result!.counterexample!.drawn);
    expect(b.result!.counterexample!.measures).toEqual(a.result!.counterexample!.measures);
    expect(c.status).toBe("fails");
    expect(c.seed).not.toBe(a.seed);
  });

  it("are shrunk: a symmetry defect comes down to sparse vectors with round entries", async () => {
    const o = await lastOutcome(nonSymmetric, { shrinkRuns: 40 });
    const cx = o.result!.counterexample!;
    expect(cx.shrinks).toBeGreaterThan(0);
    for (const name of ["x", "y"]) {
      const v = [...cx.drawn[name]];
      expect(v.filter((e) => e !== 0).length).toBeLessThanOrEqual(v.length / 2);
      for (const e of v.filter((x) => x !== 0)) expect(Number(e.toPrecision(1))).toBeCloseTo(e, 5);
    }
  });

  it("are saved as .npy and JSON, and a replay measures the same numbers", async () => {
    for (const src of [nonSymmetric, drawnMatrix]) {
      const o = await lastOutcome(src);
      expect(o.status).toBe("fails");
      const dir = join(tmp, `cx-${o.contract.record.name}`);
      const cx = o.result!.counterexample!;
      await saveCounterexample(dir, "test.iter", o.plan!, o.seed, cx.drawn, cx.measures);
      expect(readdirSync(dir).sort()).toEqual([...o.plan!.draws.map((d) => `${d.name}.npy`), "counterexample.json"].sort());
      const { saved, drawn } = await loadCounterexample(dir);
      expect(saved.line).toBe(o.contract.span.start.line);
      const tf = (await selectBackend("cpu")).tf;
      const again = replay(tf, src, "test.iter", saved, drawn);
      expect(again.outcome!.holds).toBe(false);
      expect(again.outcome!.measures).toEqual(cx.measures);
    }
  });

  it("a replay on a file whose contract changed is a user error that says so", async () => {
    const o = await lastOutcome(drawnMatrix);
    const dir = join(tmp, "changed");
    const cx = o.result!.counterexample!;
    await saveCounterexample(dir, "test.iter", o.plan!, o.seed, cx.drawn, cx.measures);
    const { saved, drawn } = await loadCounterexample(dir);
    const tf = (await selectBackend("cpu")).tf;
    expect(() => replay(tf, drawnMatrix.replace("fro(W) < 1", "fro(W) < 2"), "test.iter", saved, drawn)).toThrow(/has no contract `fro\(W\) < 1` any more/);
  });
});
