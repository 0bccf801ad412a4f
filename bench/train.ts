// One Adam training step of a 64 → 256 → 1 tanh MLP on 4096 samples (full batch), float32:
// iterlang (the `train` block below, data generated in the program) on each backend, against
// the same step written by hand in tfjs on the same backend — backpropagation and Adam as tfjs
// ops, one tf.tidy per step (tfjs-core's node bundle registers no gradients, so tf.train.adam's
// minimize cannot run without @tensorflow/tfjs) — and PyTorch on the CPU (one thread) when
// python3 has torch. Each after one warm-up run; medians of 3 runs of STEPS steps.
// Run: `node dist/bench/train.js` (after `npm run build`).
import { execFileSync } from "node:child_process";
import { runSource } from "../runtime/run.js";
import type { RunBackend } from "../runtime/engine.js";
import { type BackendName, selectBackend } from "../runtime/tfjs/backend.js";

const [N, D, H, STEPS, LR] = [4096, 64, 256, 30, 1e-3];

const SOURCE = `dim B = ${N}, D = ${D}, H = ${H}
let X = normal(B, D, seed: 1)
let Y = sin(X @ normal(D, 1, seed: 2) / 8)
param W1: f32[D, H] init glorot(seed: 3)
param b1: f32[1, H] init zeros
param W2: f32[H, 1] init glorot(seed: 4)
model mlp(x: f32[B, D]) -> f32[B, 1] = tanh(x @ W1 + b1) @ W2
data all = tensors(x: X, y: Y)
train mlp on all {
  loss mean((mlp(x) - y)^2)
  optimizer adam(lr: ${LR})
  steps ${STEPS} batch ${N} shuffle false
}
export W2
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function iterlang(backend: RunBackend): Promise<number | string> {
  const once = async () => {
    const out = await runSource(SOURCE, { file: "bench-mlp.iter", backend });
    const r = out.reports.find((x) => x.kind === "train");
    if (!r) throw new Error(`the bench program did not train: ${out.diagnostics.map((d) => d.message).join("; ")}`);
    return (1000 * r.seconds) / r.iterations;
  };
  try {
    await once();
    return median([await once(), await once(), await once()]);
  } catch (e) {
    return `skipped: ${(e as Error).message.split("\n")[0]}`;
  }
}

/** The same step by hand in tfjs-core; ms per step. */
async function handTfjs(backend: BackendName): Promise<number> {
  const { tf } = await selectBackend(backend);
  const X = tf.randomNormal([N, D], 0, 1, "float32", 1);
  const Y = tf.sin(tf.div(tf.matMul(X, tf.randomNormal([D, 1], 0, 1, "float32", 2)), 8));
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  const run = () => {
    let params = [tf.randomNormal([D, H], 0, Math.sqrt(2 / (D + H)), "float32", 3), tf.zeros([1, H]), tf.randomNormal([H, 1], 0, Math.sqrt(2 / (H + 1)), "float32", 4)];
    let m = params.map((p) => tf.zerosLike(p));
    let v = params.map((p) => tf.zerosLike(p));
    const t0 = performance.now();
    for (let k = 1; k <= STEPS; k++) {
      const [W1, b1, W2] = params;
      const out = tf.tidy(() => {
        const h = tf.tanh(tf.add(tf.matMul(X, W1), b1));
        const r = tf.sub(tf.matMul(h, W2), Y);
        const loss = tf.mean(tf.square(r));
        const dOut = tf.mul(r, 2 / N);
        const dz = tf.mul(tf.matMul(dOut, W2, false, true), tf.sub(1, tf.square(h)));
        const grads = [tf.matMul(X, dz, true, false), tf.sum(dz, 0, true), tf.matMul(h, dOut, true, false)];
        const m2 = grads.map((g, i) => tf.add(tf.mul(m[i], beta1), tf.mul(g, 1 - beta1)));
        const v2 = grads.map((g, i) => tf.add(tf.mul(v[i], beta2), tf.mul(tf.square(g), 1 - beta2)));
        const [c1, c2] = [1 - beta1 ** k, 1 - beta2 ** k];
        const p2 = params.map((p, i) => tf.sub(p, tf.div(tf.mul(m2[i], LR / c1), tf.add(tf.sqrt(tf.div(v2[i], c2)), eps))));
        return { loss, p2, m2, v2 };
      });
      out.loss.dataSync(); // iterlang reads every step's loss too
      tf.dispose([out.loss, ...params, ...m, ...v]);
      [params, m, v] = [out.p2, out.m2, out.v2];
    }
    const ms = (performance.now() - t0) / STEPS;
    tf.dispose([...params, ...m, ...v]);
    return ms;
  };
  run();
  const ms = median([run(), run(), run()]);
  tf.dispose([X, Y]);
  return ms;
}

/** PyTorch on one CPU thread, when python3 has torch; ms per step, or why not. */
function pytorch(): number | string {
  const script = `
import time, torch
torch.set_num_threads(1); torch.manual_seed(0)
X = torch.randn(${N}, ${D}); Y = torch.sin(X @ torch.randn(${D}, 1) / 8)
model = torch.nn.Sequential(torch.nn.Linear(${D}, ${H}), torch.nn.Tanh(), torch.nn.Linear(${H}, 1, bias=False))
opt = torch.optim.Adam(model.parameters(), lr=${LR})
def steps(n):
    for _ in range(n):
        opt.zero_grad(); loss = ((model(X) - Y) ** 2).mean(); loss.backward(); opt.step(); loss.item()
steps(5); ts = []
for _ in range(3):
    t0 = time.perf_counter(); steps(${STEPS}); ts.append((time.perf_counter() - t0) / ${STEPS} * 1000)
print(sorted(ts)[1])`;
  try {
    return Number(execFileSync("python3", ["-c", script], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim());
  } catch {
    return "skipped: python3 has no torch (recorded on this machine by the issue: 9.6 ms)";
  }
}

const rows: Record<string, unknown>[] = [];
for (const backend of ["cpu", "wasm"] as const) {
  const it = await iterlang(backend);
  const hand = await handTfjs(backend);
  rows.push({ engine: `tfjs-${backend}`, iterlangMs: it, handTfjsMs: hand, ratio: typeof it === "number" ? +(it / hand).toFixed(2) : "—" });
}
rows.push({ engine: "native f32", iterlangMs: await iterlang("native"), handTfjsMs: "—", ratio: "—" });
rows.push({ engine: "PyTorch CPU, 1 thread", iterlangMs: "—", handTfjsMs: "—", ratio: "—", pytorchMs: pytorch() });
console.log(`Adam step, MLP ${D} → ${H} → 1 (tanh), ${N} samples full batch, float32, median of 3 × ${STEPS} steps`);
console.table(rows);
