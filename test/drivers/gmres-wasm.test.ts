// GMRES with a matrix-valued unknown on the wasm backend. The wasm matMul caches its XNNPACK
// operator under the right operand's data id, whatever that operand's shape (see the comment
// in runtime/drivers/gmres.ts): a basis vector used as [n, n] by the operator and as [n², 1]
// by an inner product shared one operator and corrupted the heap (`Aborted()`, `memory access
// out of bounds`). These run on wasm and compare with cpu.
import { describe, expect, it } from "vitest";
import { runSource as run } from "../../runtime/run.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";
import { resolveRule } from "../../runtime/drivers/stopping.js";
import { runGmres } from "../../runtime/drivers/gmres.js";

/** M = 4 I + 0.1 𝟙𝟙ᵀ + a small non-symmetric part; Z solves M Z = B. */
async function solveOn(backend: "cpu" | "wasm", n: number, restart: number): Promise<{ z: number[]; reason: string; live: number }> {
  const { tf } = await selectBackend(backend);
  const before = tf.memory().numTensors;
  const M = tf.tidy(() => tf.add(tf.add(tf.mul(tf.eye(n), 4), tf.mul(tf.ones([n, n]), 0.1)), tf.mul(tf.reshape(tf.linspace(0, 1, n * n), [n, n]), 0.3)));
  const B = tf.tidy(() => tf.add(tf.eye(n), tf.reshape(tf.linspace(-1, 1, n * n), [n, n])));
  // B is also the right operand of a product of the program's own, in its [n, n] shape.
  const MB = tf.matMul(M, B);
  const result = runGmres(tf, (Z) => tf.matMul(M, Z), B, { restart, stop: resolveRule({ rtol: 1e-6, maxIter: 200 }), name: "Z" });
  const z = Array.from(result.value.dataSync());
  for (const t of [result.value, M, B, MB]) t.dispose();
  return { z, reason: result.report.reason, live: tf.memory().numTensors - before };
}

describe("GMRES with a matrix unknown on wasm", () => {
  for (const [n, restart] of [
    [8, 30],
    [16, 5],
    [33, 10],
  ] as const) {
    it(`n = ${n}, restart ${restart}: converges, agrees with cpu, leaks nothing`, async () => {
      const wasm = await solveOn("wasm", n, restart);
      const cpu = await solveOn("cpu", n, restart);
      expect(wasm.reason).toMatch(/^converged/);
      expect(cpu.reason).toMatch(/^converged/);
      expect(wasm.live).toBe(0);
      const scale = Math.max(...cpu.z.map(Math.abs));
      wasm.z.forEach((v, i) => expect(Math.abs(v - cpu.z[i])).toBeLessThan(1e-4 * scale));
    });
  }

  it("iterc's solve M @ Z = B method gmres runs on wasm (it aborted)", async () => {
    const source = [
      "dim n = 12",
      "let M = eye(n) * 4 + ones(n, n) * 0.1",
      "let B = eye(n) + ones(n, n)",
      "let C = M @ B",
      "solve M @ Z = B method gmres(rtol: 1e-5) -> Z",
      "export Z",
      "export C",
      "",
    ].join("\n");
    const wasm = await run(source, { backend: "wasm" });
    const cpu = await run(source, { backend: "cpu" });
    expect(wasm.reports[0].converged).toBe(true);
    const z = wasm.exports.find((e) => e.name === "Z")!;
    const zc = cpu.exports.find((e) => e.name === "Z")!;
    expect(z.shape).toEqual([12, 12]);
    z.data.forEach((v, i) => expect(Math.abs(v - zc.data[i])).toBeLessThan(1e-5));
  });
});
