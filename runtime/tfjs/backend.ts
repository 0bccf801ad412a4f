// Tensor backend selection. tfjs-core with the cpu and wasm backends installs everywhere;
// webgpu (Dawn's Node bindings, the optional dependencies `webgpu` and
// `@tensorflow/tfjs-backend-webgpu`: runtime/tfjs/webgpu.ts) runs tfjs's WGSL kernels on any
// GPU with a Vulkan, Metal or D3D12 driver, or on a software adapter; tfjs-node (libtensorflow)
// and tfjs-node-gpu (CUDA) are optional peers, loaded only when the user has installed them,
// never required. `auto` takes the fastest one present: a hardware GPU (webgpu is tried only
// where a GPU device exists, and a software adapter is not taken), then libtensorflow, wasm, cpu.
//
// tfjs itself is loaded when a backend is first selected, not when this module is imported:
// `iterc check`, `fmt` and `--version` never pay for it.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { Tf } from "./kernels/common.js";
import { quietCpu } from "./quiet.js";
import { guardWasmMatMul } from "./wasm-matmul-guard.js";
import { type BackendName, BackendUnavailableError } from "./backend-names.js";
import { existsSync, readdirSync } from "node:fs";
import type { WebGPUAdapter } from "./webgpu.js";

let loaded: Tf | undefined;

/** tfjs-core, loaded once on first use. */
async function tfjs(): Promise<Tf> {
  loaded ??= await import("@tensorflow/tfjs-core");
  return loaded;
}

export { BACKEND_NAMES, type BackendName, BackendUnavailableError } from "./backend-names.js";

export interface SelectedBackend {
  /** The tfjs backend name in use (`cpu`, `wasm`, `tensorflow`). */
  name: string;
  tf: Tf;
  /** One line for reports: `wasm (XNNPACK, SIMD)`, `cpu (plain JS)`. */
  description: string;
  /** The most tensor memory the backend can hold, when it has a limit of its own. */
  maxBytes?: number;
  /** Whether it computes on a GPU (tensorflow-gpu, webgpu on a hardware adapter). */
  gpu?: boolean;
}

/**
 * The wasm backend keeps every tensor in one WebAssembly memory of at most 4 GiB
 * (tfjs-backend-wasm's heap maximum); a sixth of it is left for its own allocations and
 * fragmentation.
 */
export const WASM_MAX_BYTES = Math.floor(4294901760 * (5 / 6));


const NODE_PACKAGES = {
  tensorflow: "@tensorflow/tfjs-node",
  "tensorflow-gpu": "@tensorflow/tfjs-node-gpu",
} as const;

const require = createRequire(import.meta.url);

/** The wasm package's `dist/` folder with a trailing slash, where its .wasm files live. */
export function wasmDistDir(): string {
  return dirname(require.resolve("@tensorflow/tfjs-backend-wasm")) + "/";
}

async function loadCpu(): Promise<void> {
  await import("@tensorflow/tfjs-backend-cpu");
}

let wasmPathsSet = false;

async function loadWasm(): Promise<void> {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  if (!wasmPathsSet) {
    wasm.setWasmPaths(wasmDistDir());
    wasmPathsSet = true;
  }
}

/** Imports an optional peer by a specifier TypeScript does not resolve (it may be absent). */
async function loadNode(name: "tensorflow" | "tensorflow-gpu"): Promise<void> {
  const specifier: string = NODE_PACKAGES[name];
  try {
    await import(specifier);
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new BackendUnavailableError(
      name,
      `the \`${name}\` backend needs the package ${specifier}, which could not be loaded (${why}). ` +
        `Install it with \`npm install ${specifier}\`: its install script downloads libtensorflow` +
        (name === "tensorflow-gpu" ? " (with CUDA)" : "") +
        `, so it needs a machine that can reach the internet. Or use --backend wasm.`,
    );
  }
}

/** The adapter Dawn gave the webgpu backend, once registered (one per process). */
let webgpuAdapter: WebGPUAdapter | undefined;

async function loadWebGPU(tf: Tf): Promise<void> {
  if (webgpuAdapter && tf.findBackendFactory("webgpu")) return;
  const { registerWebGPU, WebGPUUnavailable } = await import("./webgpu.js");
  try {
    webgpuAdapter = await registerWebGPU(tf);
  } catch (e) {
    if (e instanceof WebGPUUnavailable) throw new BackendUnavailableError("webgpu", `the \`webgpu\` backend cannot start: ${e.message}`);
    throw e;
  }
}

/** A CPU rasteriser posing as a GPU (Mesa's llvmpipe and lavapipe, SwiftShader): correct, slower than wasm. */
function isSoftware(a: WebGPUAdapter): boolean {
  return /llvmpipe|lavapipe|swiftshader|softpipe/i.test(`${a.info.device ?? ""} ${a.info.description ?? ""} ${a.info.architecture ?? ""}`);
}

/**
 * Whether `auto` should try webgpu: the packages are installed and the machine shows a GPU
 * device (Linux: a DRM render node or an NVIDIA device; macOS and Windows: always). Starting
 * Dawn costs a second or so, so it is not tried on a machine without one.
 */
function gpuLikely(): boolean {
  try {
    require.resolve("webgpu");
  } catch {
    return false;
  }
  if (process.platform !== "linux") return true;
  const render = existsSync("/dev/dri") && readdirSync("/dev/dri").some((d) => d.startsWith("renderD"));
  return render || existsSync("/dev/nvidia0");
}

async function describe(tf: Tf, name: BackendName): Promise<string> {
  switch (name) {
    case "cpu":
      return "cpu (plain JS)";
    case "wasm": {
      const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
      const threads = (await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) === true;
      return `wasm (XNNPACK${simd ? ", SIMD" : ""}${threads ? ", threads" : ""})`;
    }
    case "tensorflow":
      return "tensorflow (libtensorflow, CPU)";
    case "tensorflow-gpu":
      return "tensorflow (libtensorflow, GPU)";
    case "webgpu": {
      const a = webgpuAdapter;
      const what = a ? [a.info.description || a.info.device || a.info.vendor || "an adapter", a.featureLevel === "compatibility" ? "compatibility mode" : ""].filter(Boolean).join(", ") : "an adapter";
      return `webgpu (Dawn: ${what}${a && isSoftware(a) ? "; a software adapter, for correctness, not speed" : ""})`;
    }
    case "auto":
      return "auto";
  }
}

async function activate(name: Exclude<BackendName, "auto">): Promise<SelectedBackend> {
  const tf = await tfjs();
  if (name === "cpu") await loadCpu();
  else if (name === "wasm") await loadWasm();
  else if (name === "webgpu") await loadWebGPU(tf);
  else await loadNode(name);
  const tfName = name === "tensorflow-gpu" ? "tensorflow" : name;
  let ok = false;
  try {
    ok = await tf.setBackend(tfName);
    await tf.ready();
  } catch {
    ok = false;
  }
  if (!ok || tf.getBackend() !== tfName) {
    throw new BackendUnavailableError(name, `the \`${name}\` backend is installed but failed to start`);
  }
  if (name === "cpu") quietCpu(tf);
  if (name === "wasm") guardWasmMatMul(tf);
  const gpu = name === "tensorflow-gpu" || (name === "webgpu" && webgpuAdapter !== undefined && !isSoftware(webgpuAdapter));
  return { name: tfName, tf, description: await describe(tf, name), ...(name === "wasm" ? { maxBytes: WASM_MAX_BYTES } : {}), ...(gpu ? { gpu: true } : {}) };
}

/**
 * Makes `name` the active tfjs backend and returns the tf object to compute with. May be called
 * again to switch. Throws BackendUnavailableError when the backend is absent or cannot start.
 */
export async function selectBackend(name: BackendName): Promise<SelectedBackend> {
  if (name !== "auto") return activate(name);
  const order: Exclude<BackendName, "auto">[] = ["tensorflow-gpu", ...(gpuLikely() ? (["webgpu"] as const) : []), "tensorflow", "wasm", "cpu"];
  const failures: string[] = [];
  for (const candidate of order) {
    try {
      const chosen = await activate(candidate);
      // A software adapter is no GPU: auto goes on to the CPU backends.
      if (candidate === "webgpu" && !chosen.gpu) {
        failures.push(`webgpu: ${chosen.description}`);
        continue;
      }
      return chosen;
    } catch (e) {
      failures.push(e instanceof Error ? e.message : String(e));
    }
  }
  throw new BackendUnavailableError("auto", `no tensor backend could start:\n  ${failures.join("\n  ")}`);
}

/**
 * Lets the process end: Dawn keeps Node's event loop alive while the webgpu backend lives, so
 * the CLI (and a library user who selected webgpu) calls this when done. A no-op otherwise.
 */
export function releaseBackends(): void {
  if (loaded && webgpuAdapter && loaded.findBackend("webgpu")) loaded.removeBackend("webgpu");
  webgpuAdapter = undefined;
}

/** The number of live tensors: the leak detector (dispose what leaves a `tf.tidy` scope). */
export function tfMemory(): number {
  if (!loaded) throw new Error("internal error: tfMemory before any backend was selected");
  return loaded.memory().numTensors;
}
