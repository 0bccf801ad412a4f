// `selectBackend(name)` for users of compiled modules in Node: makes a tfjs backend (wasm with
// its binaries found, tensorflow, …) the one tfjs computes with in this process, so that a
// module's `run` uses it. Plain data out: no tfjs type reaches the package's declarations.
import type { BackendName } from "../tfjs/backend-names.js";
import { selectBackend as select } from "../tfjs/backend.js";

export interface SelectedBackendInfo {
  /** The tfjs backend name now in use (`cpu`, `wasm`, `tensorflow`). */
  name: string;
  /** One line: `wasm (XNNPACK, SIMD)`, `cpu (plain JS)`. */
  description: string;
}

/** Throws BackendUnavailableError when the backend is absent or cannot start. */
export async function selectBackend(name: BackendName): Promise<SelectedBackendInfo> {
  const { name: used, description } = await select(name);
  return { name: used, description };
}
