#!/usr/bin/env node
// Feasibility probe for a WebGPU tensor backend in Node (spike, not wired into iterc).
//
// Creates a GPU with the `webgpu` package (Dawn's dawn.node), asks for an adapter, prints what it
// found, starts @tensorflow/tfjs-backend-webgpu on that adapter without leaving `navigator` on
// globalThis, runs a matmul and compares it with the cpu backend through async reads
// (`await t.data()`; `dataSync()` does not work on the webgpu backend in Node).
//
//   node scripts/webgpu-probe.mjs              # Dawn picks: Vulkan, then OpenGL ES if asked
//   DAWN_BACKEND=opengles EGL_PLATFORM=surfaceless node scripts/webgpu-probe.mjs
//   DAWN_BACKEND=vulkan node scripts/webgpu-probe.mjs
//   PROBE_N=512 node scripts/webgpu-probe.mjs  # matmul size (default 256)
//
// Exit status: 0 when the matmul agrees with cpu within float32 tolerance, 2 when no adapter was
// found (the message says what to install), 1 on any other failure.
import { performance } from "node:perf_hooks";

const t0 = performance.now();
const ms = (a, b = performance.now()) => `${(b - a).toFixed(1)} ms`;
const timings = {};

let webgpu;
try {
  webgpu = await import("webgpu");
} catch (e) {
  console.error(`the optional package \`webgpu\` could not be loaded (${e.message.split("\n")[0]}).`);
  console.error("Install it with `npm install webgpu @tensorflow/tfjs-backend-webgpu@4.22.0`.");
  process.exit(2);
}
timings["import webgpu (dawn.node)"] = ms(t0);

const dawnOptions = process.env.DAWN_BACKEND ? [`backend=${process.env.DAWN_BACKEND}`] : [];
let t = performance.now();
let gpu = webgpu.create(dawnOptions);
timings["create()"] = ms(t);

/** Core first (what tfjs is written for), then compatibility (Dawn's OpenGL ES path). */
async function findAdapter() {
  for (const featureLevel of ["core", "compatibility"]) {
    const adapter = await gpu.requestAdapter({ featureLevel, powerPreference: "high-performance" });
    if (adapter) return { adapter, featureLevel };
  }
  return { adapter: null, featureLevel: null };
}

t = performance.now();
const { adapter, featureLevel } = await findAdapter();
timings["requestAdapter"] = ms(t);
if (!adapter) {
  console.error("no WebGPU adapter was found.");
  console.error("On a machine without a GPU driver, install a software adapter, either of:");
  console.error("  Vulkan (lavapipe, Mesa >= 23; Debian 12: from bookworm-backports):");
  console.error("    apt-get install -t bookworm-backports mesa-vulkan-drivers");
  console.error("  OpenGL ES (llvmpipe, any Mesa) with EGL_PLATFORM=surfaceless and DAWN_BACKEND=opengles:");
  console.error("    apt-get install libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri");
  console.error("With a real GPU, install its Vulkan driver (NVIDIA: the proprietary driver; AMD/Intel: mesa-vulkan-drivers).");
  gpu = undefined;
  process.exit(2);
}

const info = adapter.info;
const pick = (o, keys) => Object.fromEntries(keys.map((k) => [k, o[k]]));
console.log("adapter:", JSON.stringify({
  ...pick(info, ["vendor", "architecture", "device", "description"]),
  isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter,
  featureLevel,
  dawnOptions,
}));
console.log("features:", [...adapter.features].sort().join(" "));
console.log("limits:", JSON.stringify(pick(adapter.limits, [
  "maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup", "maxComputeWorkgroupSizeX", "maxStorageBuffersPerShaderStage",
])));

// tfjs-backend-webgpu refers to the WebGPU constant namespaces and classes as bare globals
// (GPUBufferUsage.STORAGE, GPUMapMode.READ, `instanceof GPUBuffer`), so those few must be on
// globalThis. They are the names a browser defines; only absent ones are added, non-enumerable.
// `navigator.gpu` is only read by its import-time auto-registration (skipped: we register it
// ourselves) and by the WebGPUBackend constructor's support check, so it is set for the
// constructor call only and removed afterwards.
const NEEDED = ["GPUBufferUsage", "GPUMapMode", "GPUTextureUsage", "GPUShaderStage", "GPUBuffer", "GPUTexture"];
for (const name of NEEDED) {
  if (!(name in globalThis)) {
    Object.defineProperty(globalThis, name, { value: webgpu.globals[name], configurable: true, writable: true });
  }
}

t = performance.now();
const tf = await import("@tensorflow/tfjs-core");
await import("@tensorflow/tfjs-backend-cpu");
const { WebGPUBackend } = await import("@tensorflow/tfjs-backend-webgpu");
timings["import tfjs core+cpu+webgpu"] = ms(t);

/** The device tfjs's own registration would ask for (base.ts), from our adapter. */
async function requestTfjsDevice(a) {
  const requiredFeatures = ["timestamp-query"].filter((f) => a.features.has(f));
  const l = a.limits;
  return a.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
}

let device;
tf.registerBackend("webgpu", async () => {
  const t1 = performance.now();
  device = await requestTfjsDevice(adapter);
  timings["requestDevice"] = ms(t1);
  device.lost.then((l) => { if (l.reason !== "destroyed") console.error("device lost:", l.reason, l.message); });
  const hadNavigator = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  try {
    return new WebGPUBackend(device, info);
  } finally {
    if (hadNavigator) Object.defineProperty(globalThis, "navigator", hadNavigator);
    else delete globalThis.navigator;
  }
}, 0);

t = performance.now();
if (!(await tf.setBackend("webgpu"))) throw new Error("tf.setBackend('webgpu') failed");
await tf.ready();
timings["setBackend(webgpu)"] = ms(t);
console.log("globals left behind:", NEEDED.filter((n) => n in globalThis).join(", "), "| navigator:", "navigator" in globalThis);

const N = Number(process.env.PROBE_N ?? 256);
const rand = (seed, n) => {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296 - 0.5;
  });
};
const A = rand(1, N * N);
const B = rand(2, N * N);

async function matmulOn(backend, reps) {
  await tf.setBackend(backend);
  const a = tf.tensor2d(A, [N, N]);
  const b = tf.tensor2d(B, [N, N]);
  let t1 = performance.now();
  let c = tf.matMul(a, b);
  const first = await c.data();
  const firstMs = performance.now() - t1;
  c.dispose();
  t1 = performance.now();
  for (let i = 0; i < reps; i++) {
    c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }
  const steadyMs = (performance.now() - t1) / reps;
  // A scalar round trip: what a solver loop pays per iteration for its convergence test.
  const s = tf.sum(a);
  await s.data();
  s.dispose();
  t1 = performance.now();
  for (let i = 0; i < reps; i++) {
    const r = tf.sum(a);
    await r.data();
    r.dispose();
  }
  const scalarMs = (performance.now() - t1) / reps;
  a.dispose();
  b.dispose();
  return { values: first, firstMs, steadyMs, scalarMs };
}

const reps = Number(process.env.PROBE_REPS ?? 10);
const g = await matmulOn("webgpu", reps);
const c = await matmulOn("cpu", reps);

// Each side's float32 dot products err by at most N·u·(|A||B|)_ij (u = 2^-24), whatever the
// summation order, so the two may differ by twice that: a bound that holds element by element.
await tf.setBackend("cpu");
const absAB = await tf.matMul(tf.abs(tf.tensor2d(A, [N, N])), tf.abs(tf.tensor2d(B, [N, N]))).data();
let maxAbs = 0;
let worstRatio = 0;
for (let i = 0; i < g.values.length; i++) {
  const d = Math.abs(g.values[i] - c.values[i]);
  maxAbs = Math.max(maxAbs, d);
  worstRatio = Math.max(worstRatio, d / (2 * N * 2 ** -24 * absAB[i]));
}
const scale = c.values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const tol = 2 * N * 2 ** -24 * absAB.reduce((m, v) => Math.max(m, v), 0);
const agree = worstRatio <= 1 && g.values.every(Number.isFinite);
console.log(`matmul ${N}x${N}: max |webgpu - cpu| = ${maxAbs.toExponential(3)} (max |c| = ${scale.toFixed(3)}; worst element uses ${(100 * worstRatio).toFixed(2)}% of its bound 2·N·u·(|A||B|)ij, largest bound ${tol.toExponential(2)}) -> ${agree ? "AGREE" : "DISAGREE"}`);
console.log(`  webgpu: first ${g.firstMs.toFixed(1)} ms (pipeline compile), then ${g.steadyMs.toFixed(2)} ms/matmul+read; sum+scalar read ${g.scalarMs.toFixed(2)} ms`);
console.log(`  cpu:    first ${c.firstMs.toFixed(1)} ms, then ${c.steadyMs.toFixed(2)} ms/matmul+read; sum+scalar read ${c.scalarMs.toFixed(3)} ms`);

// dataSync on webgpu: expected to fail in Node (its readSync draws through OffscreenCanvas).
// The value must live on the GPU: tfjs computes small ops on CPU-resident inputs on the CPU
// (WEBGPU_CPU_FORWARD), and dataSync of such a result works.
await tf.setBackend("webgpu");
const big = tf.tensor2d(A, [N, N]);
const x = tf.sum(tf.matMul(big, big));
try {
  console.log("dataSync on webgpu:", x.dataSync()[0]);
} catch (e) {
  console.log("dataSync on webgpu: throws", `${e.constructor.name}: ${e.message.split("\n")[0]}`);
}
x.dispose();

for (const [k, v] of Object.entries(timings)) console.log(`time ${k}: ${v}`);
console.log(`time total: ${ms(t0)}`);

// Let the process exit: the backend holds the device, `gpu` keeps dawn.node's event loop alive.
tf.removeBackend("webgpu");
device?.destroy();
gpu = undefined;
process.exitCode = agree ? 0 : 1;
