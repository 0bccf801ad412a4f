#!/usr/bin/env node
// What the webgpu backend finds on this machine: starts it as `iterc --backend webgpu` does
// (runtime/tfjs/webgpu.ts, built into dist/ by `npm run build`), prints the adapter, compares a
// matmul with the cpu backend element by element against its float32 error bound, and times a
// matmul and a scalar read (what a solver's convergence test pays per iteration).
//
//   node scripts/webgpu-probe.mjs                     # Vulkan, then OpenGL ES
//   DAWN_BACKEND=opengles node scripts/webgpu-probe.mjs
//   PROBE_N=512 PROBE_REPS=20 node scripts/webgpu-probe.mjs
//
// Exit status: 0 when the matmul agrees with cpu, 2 when the backend cannot start (the message
// says what to install), 1 otherwise.
import { performance } from "node:perf_hooks";

const t0 = performance.now();
const tf = await import("@tensorflow/tfjs-core");
await import("@tensorflow/tfjs-backend-cpu");
const { registerWebGPU } = await import(new URL("../dist/runtime/tfjs/webgpu.js", import.meta.url).href);
const { mulberry32 } = await import(new URL("../dist/base/mulberry32.js", import.meta.url).href);

let adapter;
try {
  adapter = await registerWebGPU(tf);
} catch (e) {
  console.error(e.message);
  process.exit(2);
}
if (!(await tf.setBackend("webgpu"))) throw new Error("tf.setBackend('webgpu') failed");
const { vendor, architecture, device, description } = adapter.info; // getters: not own properties
console.log("adapter:", JSON.stringify({ vendor, architecture, device, description }), `featureLevel ${adapter.featureLevel}`, `Dawn options [${adapter.dawnOptions.join(", ")}]`);
console.log(`start-up: ${(performance.now() - t0).toFixed(0)} ms`);

const N = Number(process.env.PROBE_N ?? 256);
const reps = Number(process.env.PROBE_REPS ?? 10);
const rand = (seed) => {
  const u = mulberry32(seed);
  return Float32Array.from({ length: N * N }, () => u() - 0.5);
};
const [A, B] = [rand(1), rand(2)];

/** A matmul read back synchronously, its steady time, and a scalar read's. */
async function on(backend) {
  await tf.setBackend(backend);
  const [a, b] = [tf.tensor2d(A, [N, N]), tf.tensor2d(B, [N, N])];
  let t = performance.now();
  const values = tf.tidy(() => tf.matMul(a, b).dataSync());
  const firstMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < reps; i++) tf.tidy(() => tf.matMul(a, b).dataSync());
  const steadyMs = (performance.now() - t) / reps;
  t = performance.now();
  for (let i = 0; i < reps; i++) tf.tidy(() => tf.sum(a).dataSync());
  const scalarMs = (performance.now() - t) / reps;
  a.dispose();
  b.dispose();
  return { values, firstMs, steadyMs, scalarMs };
}

const g = await on("webgpu");
const c = await on("cpu");
// Each side's float32 dot product errs by at most N·u·(|A||B|)ij (u = 2^-24) in any summation order.
const absAB = tf.tidy(() => tf.matMul(tf.abs(tf.tensor2d(A, [N, N])), tf.abs(tf.tensor2d(B, [N, N]))).dataSync());
let worst = 0;
for (let i = 0; i < g.values.length; i++) worst = Math.max(worst, Math.abs(g.values[i] - c.values[i]) / (2 * N * 2 ** -24 * absAB[i]));
const agree = worst <= 1 && g.values.every(Number.isFinite);
console.log(`matmul ${N}x${N}: the worst element uses ${(100 * worst).toFixed(2)}% of its float32 bound -> ${agree ? "AGREE" : "DISAGREE"}`);
for (const [name, r] of [["webgpu", g], ["cpu", c]])
  console.log(`  ${name.padEnd(6)} first ${r.firstMs.toFixed(1)} ms, then ${r.steadyMs.toFixed(2)} ms per matmul + read; sum + scalar read ${r.scalarMs.toFixed(2)} ms`);

tf.removeBackend("webgpu"); // lets the process exit
process.exitCode = agree ? 0 : 1;
