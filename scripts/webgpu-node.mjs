// Spike: tfjs's webgpu backend on Dawn in Node, with a SYNCHRONOUS readSync (dataSync works).
// Not wired into iterc; runtime/tfjs/backend.ts would call registerWebGPU() from its activate().
//
// How the synchronous read works. dawn.node maps buffers with CallbackMode::AllowProcessEvents:
// the map callback, which marks the buffer mapped, runs only inside wgpuInstanceProcessEvents,
// and dawn.node calls that only from a callback it queues with `globalThis.setImmediate`, looked
// up each time it schedules one (src/dawn/node/binding/AsyncRunner.cpp). So a synchronous loop
// can never see the map complete ... unless it can call that queued callback itself. While a
// backend is registered, globalThis.setImmediate is wrapped: callbacks that are native functions
// (dawn.node's) are scheduled as usual AND kept in a list; pumpDawn() calls the kept ones (each
// runs ProcessEvents and queues the next), and whichever of the two runs first wins. JS callbacks
// of other code pass through untouched. Promise reactions stay asynchronous either way.
//
// Relies on dawn.node internals (the setImmediate lookup, the callback being a native function):
// checked by test/webgpu/sync-read.test.ts against the pinned `webgpu` version.

const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;

let realSetImmediate;
const dawnTicks = [];

function installPump() {
  if (realSetImmediate) return;
  realSetImmediate = globalThis.setImmediate;
  const wrapped = function setImmediate(fn, ...args) {
    if (typeof fn === "function" && NATIVE.test(Function.prototype.toString.call(fn))) {
      const entry = { fn, done: false };
      dawnTicks.push(entry);
      return realSetImmediate(() => {
        if (!entry.done) {
          entry.done = true;
          fn();
        }
      });
    }
    return realSetImmediate(fn, ...args);
  };
  // Keep util.promisify(setImmediate) and friends working.
  Object.assign(wrapped, realSetImmediate);
  globalThis.setImmediate = wrapped;
}

function uninstallPump() {
  if (!realSetImmediate) return;
  globalThis.setImmediate = realSetImmediate;
  realSetImmediate = undefined;
  // Entries still queued run from the real event loop (their wrappers were scheduled there).
  dawnTicks.length = 0;
}

/**
 * Runs dawn.node's queued ProcessEvents ticks until `ready()` holds. Throws after `timeoutMs`.
 * Spins (no sleep): a software adapter finishes small copies within a few ticks.
 */
export function pumpDawn(ready, timeoutMs = 10_000) {
  const t = performance.now();
  let ticks = 0;
  while (!ready()) {
    const entry = dawnTicks.shift();
    if (entry && !entry.done) {
      entry.done = true;
      entry.fn();
      ticks++;
    }
    if (performance.now() - t > timeoutMs) {
      throw new Error(`webgpu: a synchronous read did not complete within ${timeoutMs} ms (${ticks} Dawn ticks)`);
    }
  }
  return ticks;
}

/** What to tell a user when no adapter is found. */
export const NO_ADAPTER_HELP =
  "no WebGPU adapter was found. With a GPU, install its Vulkan driver (NVIDIA: the proprietary driver; " +
  "AMD/Intel: mesa-vulkan-drivers). Without one, a software adapter: Vulkan lavapipe from Mesa >= 23 " +
  "(Debian 12: apt-get install -t bookworm-backports mesa-vulkan-drivers), or OpenGL ES llvmpipe " +
  "(apt-get install libegl1 libgles2 libegl-mesa0) run with DAWN_BACKEND=opengles EGL_PLATFORM=surfaceless.";

const GLOBAL_NAMES = ["GPUBufferUsage", "GPUMapMode", "GPUTextureUsage", "GPUShaderStage", "GPUBuffer", "GPUTexture"];

/**
 * Registers tfjs backend "webgpu" on Dawn. `dawnOptions`: create() strings, e.g. ["backend=opengles"]
 * (default: from DAWN_BACKEND). Resolves to { adapter, info, featureLevel } or throws with
 * NO_ADAPTER_HELP (name "WebGPUUnavailable") when Dawn finds no adapter.
 */
export async function registerWebGPU(tf, { dawnOptions, syncRead = true } = {}) {
  let webgpu;
  let tfwebgpu;
  try {
    webgpu = await import("webgpu");
    tfwebgpu = await import("@tensorflow/tfjs-backend-webgpu");
  } catch (e) {
    const err = new Error(
      `the webgpu backend needs the optional packages webgpu and @tensorflow/tfjs-backend-webgpu (${String(e.message).split("\n")[0]}). ` +
        "Install them with `npm install webgpu @tensorflow/tfjs-backend-webgpu@4.22.0`.",
    );
    err.name = "WebGPUUnavailable";
    throw err;
  }
  if (syncRead) installPump(); // before create(): every dawn.node tick goes through the wrapper
  // Default: Dawn's own choice (Vulkan on Linux), then OpenGL ES, which on a machine without a GPU
  // is Mesa's llvmpipe through EGL's surfaceless platform (set when the user has not chosen one).
  const attempts = dawnOptions
    ? [dawnOptions]
    : process.env.DAWN_BACKEND
      ? [[`backend=${process.env.DAWN_BACKEND}`]]
      : [[], ["backend=opengles"]];
  let gpu;
  let opts;
  let adapter = null;
  let featureLevel = null;
  search: for (const attempt of attempts) {
    if (attempt.includes("backend=opengles")) process.env.EGL_PLATFORM ??= "surfaceless";
    gpu = webgpu.create(attempt);
    opts = attempt;
    for (const level of ["core", "compatibility"]) {
      adapter = await gpu.requestAdapter({ featureLevel: level, powerPreference: "high-performance" });
      if (adapter) {
        featureLevel = level;
        break search;
      }
    }
  }
  if (!adapter) {
    gpu = undefined;
    uninstallPump();
    const err = new Error(NO_ADAPTER_HELP);
    err.name = "WebGPUUnavailable";
    throw err;
  }
  // tfjs-backend-webgpu names these as bare globals; add only absent ones, non-enumerable.
  for (const name of GLOBAL_NAMES) {
    if (!(name in globalThis)) {
      Object.defineProperty(globalThis, name, { value: webgpu.globals[name], configurable: true, writable: true });
    }
  }
  const info = adapter.info;
  const { GPUBufferUsage, GPUMapMode } = webgpu.globals;
  tf.registerBackend("webgpu", async () => {
    const l = adapter.limits;
    const device = await adapter.requestDevice({
      requiredFeatures: ["timestamp-query"].filter((f) => adapter.features.has(f)),
      requiredLimits: {
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      },
    });
    // The constructor's support check reads navigator.gpu: provide it for that call only.
    const had = Object.getOwnPropertyDescriptor(globalThis, "navigator");
    Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
    let backend;
    try {
      backend = new tfwebgpu.WebGPUBackend(device, info);
    } finally {
      if (had) Object.defineProperty(globalThis, "navigator", had);
      else delete globalThis.navigator;
    }
    if (syncRead) backend.readSync = (dataId) => readSync(tf, backend, dataId, GPUBufferUsage, GPUMapMode);
    const dispose = backend.dispose.bind(backend);
    backend.dispose = () => {
      dispose();
      device.destroy();
      gpu = undefined; // dawn.node keeps the process alive while its GPU object is reachable
      uninstallPump();
    };
    return backend;
  }, 0);
  return { adapter, info, featureLevel, dawnOptions: opts };
}

/** WebGPUBackend.readSync without OffscreenCanvas: copy to a staging buffer, map, pump Dawn. */
function readSync(tf, backend, dataId, GPUBufferUsage, GPUMapMode) {
  const data = backend.tensorMap.get(dataId);
  if (data.values != null || data.dtype === "string") return data.values;
  if (data.dtype === "complex64") {
    const re = readSync(tf, backend, data.complexTensorInfos.real.dataId, GPUBufferUsage, GPUMapMode);
    const im = readSync(tf, backend, data.complexTensorInfos.imag.dataId, GPUBufferUsage, GPUMapMode);
    const vals = tf.backend_util.mergeRealAndImagArrays(re, im);
    backend.convertAndCacheOnCPU(dataId, vals);
    return vals;
  }
  const buffer = data.resource;
  const size = buffer.size;
  const staging = backend.bufferManager.acquireBuffer(size, GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ);
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.commandEncoder.copyBufferToBuffer(buffer, 0, staging, 0, size);
  backend.submitQueue();
  staging.mapAsync(GPUMapMode.READ).catch(() => {}); // its result is observed through mapState
  pumpDawn(() => staging.mapState === "mapped");
  const bytes = staging.getMappedRange().slice(0);
  staging.unmap();
  backend.bufferManager.releaseBuffer(staging);
  const vals = tf.util.convertBackendValuesAndArrayBuffer(bytes, data.dtype);
  backend.convertAndCacheOnCPU(dataId, vals);
  return vals;
}
