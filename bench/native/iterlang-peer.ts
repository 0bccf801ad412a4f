// iterlang as it runs today: a program through runSource on a tfjs backend (the interpreter,
// op by op, the drivers of runtime/drivers). The construct's report gives its iterations and
// seconds; ms per iteration is their ratio (the start and the true-residual check included,
// as a user sees it). The first run of each program and backend is a discarded warm-up.
import type { BackendName } from "../../runtime/tfjs/backend.js";
import { runSource } from "../../runtime/run.js";
import type { NpyArray } from "../../runtime/npy.js";

export interface IterlangRun {
  iterations: number;
  seconds: number;
  msPerIteration: number;
  reason: string;
  relResidual: number;
  /** The backend line of the run (webgpu's names its adapter). */
  backend?: string;
}

export type IterlangResult = IterlangRun | { skipped: string };

const warmed = new Set<string>();

export async function runIterlang(source: string, backend: BackendName, inputs: Record<string, NpyArray>): Promise<IterlangResult> {
  const options = { backend, inputs: new Map(Object.entries(inputs)) };
  try {
    const key = `${backend}\n${source}`;
    if (!warmed.has(key)) {
      await runSource(source, options);
      warmed.add(key);
    }
    const out = await runSource(source, options);
    const errors = out.diagnostics.filter((d) => d.severity === "error");
    if (errors.length) return { skipped: errors[0].message };
    const r = out.reports[0];
    if (!r) return { skipped: "no report" };
    return { iterations: r.iterations, seconds: r.seconds, msPerIteration: (1000 * r.seconds) / Math.max(1, r.iterations), reason: r.reason, relResidual: r.relResidual, ...(out.backend ? { backend: out.backend.description } : {}) };
  } catch (e) {
    return { skipped: `${backend}: ${(e as Error).message.split("\n")[0]}` };
  }
}

export const npy = (shape: number[], values: ArrayLike<number>): NpyArray => ({ dtype: "float32", shape, data: Float32Array.from(values) });
