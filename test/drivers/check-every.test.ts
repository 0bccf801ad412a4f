// The generic drivers reading their residual every k iterations (as on a GPU backend, where a
// read is a round trip): on tfjs cpu, against the same drivers reading after every iteration.
// A batch keeps its states and takes the first step that decides, so the run is the same — the
// same iterations, answer and report but for `checkedEvery` — at the cost of up to k − 1
// discarded steps; a breakdown rolls back to the previous iterate as before; no tensor leaks.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../../base/mulberry32.js";
import { cgProtocol, picardProtocol } from "../../runtime/drivers/callbacks.js";
import { runFixpointMethod, runSolveMethod } from "../../runtime/drivers/method.js";
import type { Tf } from "../../runtime/tfjs/kernels/common.js";
import type { DriverResult } from "../../runtime/drivers/stopping.js";

const T = tf as unknown as Tf;
beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** A random SPD matrix A = GᵀG/n + I of size n, and a right side. */
function problem(n: number, seed: number) {
  const u = mulberry32(seed);
  const G = tf.tensor2d(Float32Array.from({ length: n * n }, () => u() - 0.5), [n, n]);
  const A = tf.tidy(() => tf.add(tf.div(tf.matMul(G, G, true, false), n), tf.eye(n)));
  G.dispose();
  const b = tf.tensor1d(Float32Array.from({ length: n }, () => u() - 0.5));
  return { A, b, apply: (x: tf.Tensor) => tf.squeeze(tf.matMul(A, tf.reshape(x, [n, 1]))) };
}

/** The batched run's report equals the per-step one's (but its time and `checkedEvery`), and so does its answer; the batched answer is disposed. */
function expectSameRun(batched: DriverResult<tf.Tensor>, once: DriverResult<tf.Tensor>, k: number): void {
  const { seconds: _s, checkedEvery, ...same } = batched.report;
  const { seconds: _t, ...want } = once.report;
  expect(same).toEqual(want);
  expect(checkedEvery).toBe(k);
  expect([...batched.value.dataSync()]).toEqual([...once.value.dataSync()]);
  batched.value.dispose();
}

describe("runSolveMethod reading every k iterations", () => {
  it.each([2, 4, 8])("CG with k = %i: the same run as with a read per iteration, no leak", (k) => {
    const { A, b, apply } = problem(40, 3);
    const run = (checkEvery: number) => {
      const cg = cgProtocol(T, b, apply);
      return runSolveMethod(T, b, { ...cg, apply, stop: { rtol: 1e-5, maxIter: 200, checkEvery }, name: "u", method: "cg" });
    };
    const once = run(1);
    const before = tf.memory().numTensors;
    const batched = run(k);
    expect(batched.report.reason).toBe("converged_rtol");
    expect(once.report.iterations % k).not.toBe(0); // the deciding step is inside a batch, not at its end
    expectSameRun(batched, once, k);
    expect(tf.memory().numTensors).toBe(before);
    once.value.dispose();
    A.dispose();
    b.dispose();
  });

  it("a breakdown inside a batch rolls back to the previous iterate, as with a read per iteration", () => {
    const n = 30;
    const { A, b, apply } = problem(n, 5);
    // The health turns ≤ 0 at the 6th step, inside the second batch of 4.
    const run = (checkEvery: number) => {
      const cg = cgProtocol(T, b, apply);
      let steps = 0;
      const step = (s: tf.Tensor[]) => {
        const out = cg.step(s);
        if (++steps < 6) return out;
        out[out.length - 1].dispose();
        return [...out.slice(0, -1), tf.scalar(-1)];
      };
      return runSolveMethod(T, b, { start: cg.start, step, apply, stop: { rtol: 1e-12, maxIter: 100, checkEvery }, name: "u", method: "cg", breakdown: "pᵀAp" });
    };
    const [once, batched] = [run(1), run(4)];
    expect(batched.report.reason).toBe("breakdown");
    expect(batched.report.detail).toBe("pᵀAp: got -1 at iteration 6");
    const { seconds: _s, checkedEvery: _c, ...same } = batched.report;
    const { seconds: _t, ...want } = once.report;
    expect(same).toEqual(want);
    // The answer is the iterate of iteration 5: five plain CG steps from zero.
    const cg5 = cgProtocol(T, b, apply);
    const x5 = tf.tidy(() => {
      let s = cg5.start(tf.zerosLike(b));
      for (let i = 0; i < 5; i++) s = cg5.step(s).slice(0, 4);
      return s[0];
    });
    expect([...batched.value.dataSync()]).toEqual([...x5.dataSync()]);
    A.dispose();
    b.dispose();
  });
});

describe("runFixpointMethod reading every k iterations", () => {
  it("Picard on a contraction: the same run as with a read per iteration, no leak", () => {
    const n = 20;
    const u = mulberry32(9);
    const W = tf.tensor2d(Float32Array.from({ length: n * n }, () => ((u() < 0.5 ? -1 : 1) * 0.8) / n), [n, n]);
    const c = tf.tensor1d(Float32Array.from({ length: n }, () => u() - 0.5));
    const map = (x: tf.Tensor) => tf.add(tf.tanh(tf.squeeze(tf.matMul(W, tf.reshape(x, [n, 1])))), c);
    const run = (checkEvery: number) => runFixpointMethod(T, { ...picardProtocol(T, map), x0: tf.zeros([n]), stop: { atol: 1e-6, maxIter: 500, checkEvery }, name: "x", method: "picard" });
    const once = run(1);
    expect(once.report.reason).toBe("converged_atol");
    for (const k of [3, 5, 8]) {
      const before = tf.memory().numTensors;
      const batched = run(k);
      expect(tf.memory().numTensors - before, "tensors left but the answer and x0").toBe(2);
      expectSameRun(batched, once, k);
    }
    // Some k puts the deciding step inside a batch, not at its end.
    expect([3, 5, 8].some((k) => once.report.iterations % k !== 0)).toBe(true);
    W.dispose();
    c.dispose();
  });
});
