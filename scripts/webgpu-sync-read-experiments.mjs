#!/usr/bin/env node
// Spike: can a GPU buffer be read back SYNCHRONOUSLY in Node with Dawn (npm `webgpu`)?
// Each experiment writes 4 floats into a buffer on the GPU, copies it to a MAP_READ staging
// buffer, calls mapAsync() and then, without awaiting, tries to reach getMappedRange().
//
//   DAWN_BACKEND=opengles EGL_PLATFORM=surfaceless node scripts/webgpu-sync-read-experiments.mjs
//
// Background (Dawn src/dawn/node/binding/AsyncRunner.cpp, GPUBuffer.cpp): dawn.node maps with
// wgpu::CallbackMode::AllowProcessEvents, so the map callback (which flips the buffer to "mapped"
// and resolves the promise) runs only inside wgpuInstanceProcessEvents, and dawn.node calls that
// only from a callback it queues with `globalThis.setImmediate`, looked up on each scheduling.
import { create, globals } from "webgpu";

const { GPUBufferUsage, GPUMapMode } = globals;
const gpu = create(process.env.DAWN_BACKEND ? [`backend=${process.env.DAWN_BACKEND}`] : []);
const adapter =
  (await gpu.requestAdapter()) ?? (await gpu.requestAdapter({ featureLevel: "compatibility" }));
if (!adapter) { console.error("no adapter (see scripts/webgpu-probe.mjs)"); process.exit(2); }
const device = await adapter.requestDevice();
console.log("adapter:", adapter.info.description || adapter.info.device);

const SIZE = 16;
let round = 0;
/** Puts fresh values on the GPU and starts mapping a staging copy; returns [staging, expected]. */
function startRead() {
  const expected = Float32Array.from([1, 2, 3, 4], (v) => v + 10 * ++round);
  const src = device.createBuffer({ size: SIZE, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(src, 0, expected);
  const staging = device.createBuffer({ size: SIZE, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, 0, staging, 0, SIZE);
  device.queue.submit([enc.finish()]);
  const mapped = staging.mapAsync(GPUMapMode.READ);
  mapped.catch((e) => console.log(`  (round ${round}: the mapAsync promise rejected later: ${e.name})`));
  return { staging, expected, src };
}

function tryRange(staging) {
  try {
    return new Float32Array(staging.getMappedRange().slice(0));
  } catch (e) {
    return `${e.name}: ${e.message}`;
  }
}

// 1. Busy loop for 500 ms polling mapState and calling every synchronous Dawn entry point that
//    might tick the device (submit, writeBuffer, createBuffer), then getMappedRange.
{
  const { staging, expected, src } = startRead();
  const t = performance.now();
  let spins = 0;
  while (staging.mapState !== "mapped" && performance.now() - t < 500) {
    device.queue.submit([]);
    device.queue.writeBuffer(src, 0, expected);
    device.createBuffer({ size: 4, usage: GPUBufferUsage.COPY_DST }).destroy();
    spins++;
  }
  console.log(`1. sync busy loop, ${spins} spins over 500 ms: mapState = ${staging.mapState}; getMappedRange -> ${tryRange(staging)}`);
  // Give the event loop a turn: now it maps.
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  console.log(`   after two event-loop turns: mapState = ${staging.mapState}`);
  staging.unmap();
}

// 2. Intercept dawn.node's setImmediate: keep the callbacks it schedules and call them from a
//    synchronous loop. Each call runs wgpuInstanceProcessEvents and re-schedules itself.
const realSetImmediate = globalThis.setImmediate;
const dawnTicks = [];
/** Native (dawn.node) callbacks are held for the pump and also scheduled normally; others pass. */
globalThis.setImmediate = function (fn, ...args) {
  if (typeof fn === "function" && /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(fn))) {
    const entry = { fn, done: false };
    dawnTicks.push(entry);
    return realSetImmediate(() => { if (!entry.done) { entry.done = true; fn(); } });
  }
  return realSetImmediate(fn, ...args);
};
/** Runs the held dawn.node ticks until `ready()` or the deadline; returns the number of ticks. */
function pumpUntil(ready, ms = 2000) {
  const t = performance.now();
  let ticks = 0;
  while (!ready()) {
    const entry = dawnTicks.shift();
    if (!entry) {
      if (performance.now() - t > ms) return -ticks;
      continue;
    }
    if (entry.done) continue;
    entry.done = true;
    entry.fn();
    ticks++;
    if (performance.now() - t > ms) return -ticks;
  }
  return ticks;
}
{
  // The first mapAsync after the patch: dawn.node schedules its tick through our setImmediate.
  const { staging, expected } = startRead();
  const t = performance.now();
  const ticks = pumpUntil(() => staging.mapState === "mapped");
  const dt = performance.now() - t;
  const got = tryRange(staging);
  const ok = got instanceof Float32Array && got.every((v, i) => v === expected[i]);
  console.log(`2. setImmediate pump: ${ticks} ticks, ${dt.toFixed(2)} ms: mapState = ${staging.mapState}; getMappedRange -> [${got}] ${ok ? "CORRECT" : "WRONG"}`);
  staging.unmap();
}
// 3. The same, repeated: steady-state cost of a synchronous 16-byte read.
{
  const N = 200;
  let worst = 0;
  let bad = 0;
  const t = performance.now();
  for (let i = 0; i < N; i++) {
    const t1 = performance.now();
    const { staging, expected, src } = startRead();
    if (pumpUntil(() => staging.mapState === "mapped") <= 0) bad++;
    const got = new Float32Array(staging.getMappedRange().slice(0));
    if (!got.every((v, j) => v === expected[j])) bad++;
    staging.unmap();
    staging.destroy();
    src.destroy();
    worst = Math.max(worst, performance.now() - t1);
  }
  console.log(`3. ${N} synchronous reads: ${((performance.now() - t) / N).toFixed(3)} ms each (worst ${worst.toFixed(2)} ms), ${bad} wrong/timed out`);
}
globalThis.setImmediate = realSetImmediate;
await new Promise((r) => setTimeout(r, 10));
device.destroy();
