// tfjs's webgpu backend on Dawn in Node (the optional packages `webgpu` and
// `@tensorflow/tfjs-backend-webgpu`), with a SYNCHRONOUS readSync, so `dataSync()` works and the
// interpreter and drivers run unchanged: runtime/tfjs/backend.ts calls registerWebGPU() for
// `--backend webgpu`.
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
// checked by test/webgpu/sync-read.test.ts against the pinned `webgpu` version. A scalar read
// costs about 0.25 ms on a software adapter, as much as an awaited `data()` (measured).
//
// Globals: `navigator` is set only while the tfjs backend is constructed (its support check reads
// navigator.gpu); six standard names tfjs uses as bare globals (GPUBufferUsage, GPUMapMode, …)
// are added when absent, non-enumerable.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { InternalError } from "../../base/diagnostics.js";
import type { Tf } from "./kernels/common.js";

type Any = any;

/** GPU errors reported since the last read (uncaptured errors of the device). */
const gpuErrors: string[] = [];

const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;

let realSetImmediate: typeof setImmediate | undefined;
const dawnTicks: { fn: () => void; done: boolean }[] = [];

function installPump() {
  if (realSetImmediate) return;
  realSetImmediate = globalThis.setImmediate;
  const real = realSetImmediate;
  const wrapped = function setImmediate(fn: Any, ...args: Any[]) {
    if (typeof fn === "function" && NATIVE.test(Function.prototype.toString.call(fn))) {
      const entry = { fn, done: false };
      dawnTicks.push(entry);
      return real(() => {
        if (!entry.done) {
          entry.done = true;
          fn();
        }
      });
    }
    return real(fn, ...args);
  };
  // Keep util.promisify(setImmediate) and friends working.
  Object.assign(wrapped, real);
  globalThis.setImmediate = wrapped as typeof setImmediate;
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
export function pumpDawn(ready: () => boolean, timeoutMs = 10_000): number {
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

/**
 * Whether Linux has a Vulkan loader for Dawn to open (elsewhere: assumed). Without one Dawn
 * prints a warning on every start before falling back, so OpenGL ES is asked for at once.
 */
function vulkanLoader(): boolean {
  if (process.platform !== "linux") return true;
  const dirs = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib", ...(process.env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean)];
  return dirs.some((d) => existsSync(join(d, "libvulkan.so.1")));
}

/** What to tell a user when no adapter is found. */
export const NO_ADAPTER_HELP =
  "no WebGPU adapter was found. With a GPU, install its Vulkan driver (NVIDIA: the proprietary driver; " +
  "AMD/Intel: mesa-vulkan-drivers). Without one, a software adapter: Vulkan lavapipe from Mesa >= 23 " +
  "(Debian 12: apt-get install -t bookworm-backports mesa-vulkan-drivers), or OpenGL ES llvmpipe " +
  "(apt-get install libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri; .ci/webgpu-setup does it), which is tried when " +
  "Vulkan finds no adapter (DAWN_BACKEND=vulkan or opengles chooses one).";

const GLOBAL_NAMES = ["GPUBufferUsage", "GPUMapMode", "GPUTextureUsage", "GPUShaderStage", "GPUBuffer", "GPUTexture"];

/** The adapter Dawn gave the backend, for the backend line. */
export interface WebGPUAdapter {
  /** Dawn's adapter info: vendor, architecture, device, description. */
  info: { vendor?: string; architecture?: string; device?: string; description?: string };
  featureLevel: string;
  dawnOptions: string[];
}

/** The error registerWebGPU throws when the packages or an adapter are missing: its message says what to install. */
export class WebGPUUnavailable extends Error {
  override name = "WebGPUUnavailable";
}

/** Imports an optional package by a specifier TypeScript does not resolve (it may be absent). */
async function optional(specifier: string): Promise<Any> {
  return import(specifier);
}

/**
 * Registers tfjs backend "webgpu" on Dawn. `dawnOptions`: create() strings, e.g. ["backend=opengles"]
 * (default: DAWN_BACKEND, else Vulkan where a loader is installed, then OpenGL ES). Resolves to
 * the adapter's description, or throws WebGPUUnavailable (its message says what to install) when
 * the packages or an adapter are missing.
 */
export async function registerWebGPU(tf: Tf, { dawnOptions, syncRead = true }: { dawnOptions?: string[]; syncRead?: boolean } = {}): Promise<WebGPUAdapter> {
  let webgpu: Any;
  let tfwebgpu: Any;
  try {
    webgpu = await optional("webgpu");
    tfwebgpu = await optional("@tensorflow/tfjs-backend-webgpu");
  } catch (e) {
    throw new WebGPUUnavailable(
      `the webgpu backend needs the optional packages webgpu and @tensorflow/tfjs-backend-webgpu (${String((e as Error).message).split("\n")[0]}). ` +
        "Install them with `npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0`.",
    );
  }
  if (syncRead) installPump(); // before create(): every dawn.node tick goes through the wrapper
  // Default: Dawn's own choice (Vulkan on Linux), then OpenGL ES, which on a machine without a GPU
  // is Mesa's llvmpipe through EGL's surfaceless platform (set when the user has not chosen one).
  const attempts: string[][] = dawnOptions
    ? [dawnOptions]
    : process.env.DAWN_BACKEND
      ? [[`backend=${process.env.DAWN_BACKEND}`]]
      : vulkanLoader()
        ? [[], ["backend=opengles"]]
        : [["backend=opengles"]];
  let gpu: Any;
  let opts: string[] = [];
  let adapter: Any = null;
  let featureLevel = "";
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
    throw new WebGPUUnavailable(NO_ADAPTER_HELP);
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
    // A kernel the GPU rejects (a WGSL validation error) makes every later one on the device yield
    // zeros, silently: record it, and fail the next read (readSync) instead of returning them.
    device.onuncapturederror = (ev: Any) => {
      gpuErrors.push(String(ev?.error?.message ?? ev).split("\n").find((l: string) => l.trim() && !/^validation:?$/.test(l.trim())) ?? "an unknown GPU error");
    };
    // The constructor's support check reads navigator.gpu: provide it for that call only.
    const had = Object.getOwnPropertyDescriptor(globalThis, "navigator");
    Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
    let backend: Any;
    try {
      backend = new tfwebgpu.WebGPUBackend(device, info);
    } finally {
      if (had) Object.defineProperty(globalThis, "navigator", had);
      else delete (globalThis as Any).navigator;
    }
    if (syncRead) backend.readSync = (dataId: object) => readSync(tf, backend, dataId, GPUBufferUsage, GPUMapMode);
    const dispose = backend.dispose.bind(backend);
    backend.dispose = () => {
      dispose();
      device.destroy();
      gpu = undefined; // dawn.node keeps the process alive while its GPU object is reachable
      uninstallPump();
    };
    return backend;
  }, 0);
  fixBoolCast(tf);
  return { info, featureLevel, dawnOptions: opts };
}

/**
 * tfjs-backend-webgpu 4.22 casts a bool tensor to float32 or int32 by relabelling its buffer
 * (no conversion: "no encoding loss"); a 3-D transpose of the result — `sum(cast(b), axis: 0)` —
 * then fails WGSL validation, and every later kernel yields zeros (measured on
 * examples/rank-centrality.iter). Cast from bool converts instead: select(b, 1, 0) in the target
 * dtype, with the backend's own Fill and Select kernels.
 */
function fixBoolCast(tf: Tf): void {
  const t = tf as Any;
  const original = t.getKernel("Cast", "webgpu");
  const [fill, select] = [t.getKernel("Fill", "webgpu"), t.getKernel("Select", "webgpu")];
  if (!original || !fill || !select || original.kernelFunc.boolFixed) return;
  const kernelFunc = (args: Any) => {
    const { x } = args.inputs;
    const dtype = args.attrs.dtype;
    if (x.dtype !== "bool" || dtype === "bool" || dtype === "complex64") return original.kernelFunc(args);
    const backend = args.backend;
    const one = fill.kernelFunc({ backend, attrs: { shape: x.shape, value: 1, dtype } });
    const zero = fill.kernelFunc({ backend, attrs: { shape: x.shape, value: 0, dtype } });
    const out = select.kernelFunc({ inputs: { condition: x, t: one, e: zero }, backend, attrs: {} });
    backend.disposeData(one.dataId);
    backend.disposeData(zero.dataId);
    return out;
  };
  kernelFunc.boolFixed = true;
  t.unregisterKernel("Cast", "webgpu");
  t.registerKernel({ ...original, kernelFunc });
}

/** WebGPUBackend.readSync without OffscreenCanvas: copy to a staging buffer, map, pump Dawn. */
function readSync(tf: Tf, backend: Any, dataId: object, GPUBufferUsage: Any, GPUMapMode: Any): Any {
  const data = backend.tensorMap.get(dataId);
  if (data.values != null || data.dtype === "string") return data.values;
  if (data.dtype === "complex64") {
    const re = readSync(tf, backend, data.complexTensorInfos.real.dataId, GPUBufferUsage, GPUMapMode);
    const im = readSync(tf, backend, data.complexTensorInfos.imag.dataId, GPUBufferUsage, GPUMapMode);
    const vals = (tf as Any).backend_util.mergeRealAndImagArrays(re, im);
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
  if (gpuErrors.length > 0) {
    staging.unmap();
    const first = gpuErrors[0];
    gpuErrors.length = 0;
    throw new InternalError(`the GPU rejected a kernel of tfjs's webgpu backend, so the values computed since cannot be trusted: ${first}`);
  }
  const bytes = staging.getMappedRange().slice(0);
  staging.unmap();
  backend.bufferManager.releaseBuffer(staging);
  const vals = (tf as Any).util.convertBackendValuesAndArrayBuffer(bytes, data.dtype);
  backend.convertAndCacheOnCPU(dataId, vals);
  return vals;
}
