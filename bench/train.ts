// The cost of a training step: examples/mlp.iter (8 → 32 → 1, tanh, Adam, batch 64) run by
// iterlang, against the same step written by hand in tfjs the way a TF.js user would
// (backpropagation and Adam as tfjs ops, see below), on the same backend and the same batches.
// Both after one warm-up run. Run with `node dist/bench/train.js` (ITER_BACKEND=cpu|wasm).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runSource } from "../runtime/run.js";
import { type BackendName, selectBackend } from "../runtime/tfjs/backend.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const backend = (process.env.ITER_BACKEND ?? "wasm") as Exclude<BackendName, "auto">;
const file = join(root, "examples", "mlp.iter");
// The schedule and the validation set are left out: the hand-written step has neither.
const source = readFileSync(file, "utf8").replace(/^\s*schedule .*$/m, "").replace(/^\s*validate .*$/m, "");

async function iterlangSteps(): Promise<{ steps: number; msPerStep: number; loss: number }> {
  await runSource(source, { file, backend });
  const out = await runSource(source, { file, backend });
  const r = out.reports.find((x) => x.kind === "train");
  if (!r) throw new Error(`mlp.iter did not train: ${out.diagnostics.map((d) => d.message).join("; ")}`);
  return { steps: r.iterations, msPerStep: (1000 * r.seconds) / r.iterations, loss: r.residual };
}

function readToy(): { x: Float32Array; y: Float32Array; rows: number } {
  const lines = readFileSync(join(root, "examples", "data", "toy.csv"), "utf8").trim().split("\n").slice(1);
  const x = new Float32Array(lines.length * 8);
  const y = new Float32Array(lines.length);
  lines.forEach((l, i) => {
    const v = l.split(",").map(Number);
    x.set(v.slice(0, 8), i * 8);
    y[i] = v[8];
  });
  return { x, y, rows: lines.length };
}

/**
 * The same model and optimiser by hand in tfjs-core: backpropagation written out (tfjs-core's
 * node bundle registers no gradients, so tf.train.adam's minimize cannot run) and Adam's update
 * as tfjs ops, one tf.tidy per step; 40 epochs of 16 batches of 64, in file order.
 */
async function handWrittenSteps(): Promise<{ steps: number; msPerStep: number; loss: number }> {
  const { tf } = await selectBackend(backend);
  type T = ReturnType<typeof tf.zeros>;
  const { x, y, rows } = readToy();
  const batches = Math.floor(rows / 64);
  const X = Array.from({ length: batches }, (_, b) => tf.tensor2d(x.subarray(b * 512, (b + 1) * 512), [64, 8]));
  const Y = Array.from({ length: batches }, (_, b) => tf.tensor2d(y.subarray(b * 64, (b + 1) * 64), [64, 1]));
  const [lr, beta1, beta2, eps] = [1e-2, 0.9, 0.999, 1e-8];
  const run = () => {
    let params: T[] = [tf.randomNormal([8, 32], 0, 0.35, "float32", 1), tf.zeros([1, 32]), tf.randomNormal([32, 1], 0, 0.35, "float32", 2)];
    let m = params.map((p) => tf.zerosLike(p));
    let v = params.map((p) => tf.zerosLike(p));
    let last = NaN;
    const t0 = performance.now();
    for (let k = 1; k <= 40 * batches; k++) {
      const b = (k - 1) % batches;
      const [W1, b1, W2] = params;
      const out = tf.tidy(() => {
        const h = tf.tanh(tf.add(tf.matMul(X[b], W1), b1));
        const r = tf.sub(tf.matMul(h, W2), Y[b]);
        const loss = tf.mean(tf.square(r));
        const dOut = tf.mul(r, 2 / 64);
        const dz = tf.mul(tf.matMul(dOut, W2, false, true), tf.sub(1, tf.square(h)));
        const grads = [tf.matMul(X[b], dz, true, false), tf.sum(dz, 0, true), tf.matMul(h, dOut, true, false)];
        const m2 = grads.map((g, i) => tf.add(tf.mul(m[i], beta1), tf.mul(g, 1 - beta1)));
        const v2 = grads.map((g, i) => tf.add(tf.mul(v[i], beta2), tf.mul(tf.square(g), 1 - beta2)));
        const [c1, c2] = [1 - beta1 ** k, 1 - beta2 ** k];
        const p2 = params.map((p, i) => tf.sub(p, tf.div(tf.mul(m2[i], lr / c1), tf.add(tf.sqrt(tf.div(v2[i], c2)), eps))));
        return { loss, p2, m2, v2 };
      });
      last = out.loss.dataSync()[0]; // iterlang reads every step's loss too
      tf.dispose([out.loss, ...params, ...m, ...v]);
      [params, m, v] = [out.p2, out.m2, out.v2];
    }
    const ms = performance.now() - t0;
    tf.dispose([...params, ...m, ...v]);
    return { steps: 40 * batches, msPerStep: ms / (40 * batches), loss: last };
  };
  run();
  return run();
}

const it = await iterlangSteps();
const hand = await handWrittenSteps();
console.table([
  { who: "iterlang examples/mlp.iter", ...it },
  { who: "hand-written tfjs (backprop + Adam as ops)", ...hand },
]);
console.log(`backend ${backend}: iterlang takes ${(it.msPerStep / hand.msPerStep).toFixed(2)}× the hand-written step's time`);
