// Section 1: ms per CG iteration on 2-D Poisson (x₀ = 0, b = h², 5-point operator, zero
// boundary) at N = 63 … 1023. Peers: the fused stdlib CG step (compiled from the program by
// the real compiler, driven like the solve driver), the hand-written kernel sample, fused C,
// NumPy, tfjs-wasm by hand, and iterlang on its tfjs backends.
import type { DType } from "../../compiler/native/kernel-ir.js";
import type { Region } from "../../compiler/ir/ir.js";
import type { FusedProgram } from "../../runtime/native/fused-program.js";
import type { Precision } from "../../runtime/native/fused.js";
import type { BackendName } from "../../runtime/tfjs/backend.js";
import { iterateFused, type SolveRegions } from "./drivers.js";
import { npy, runIterlang } from "./iterlang-peer.js";
import { type CPeer, cpuMs, nativeCg, type NumpyPeer } from "./peers.js";
import { array, bind, CG_SOURCE, compileConstruct } from "./programs.js";
import { Pool, type SuiteRow, warmUp } from "./suite.js";
import { tfjsWasmCg } from "./tfjs-peer.js";

export interface CgOptions {
  sizes: number[];
  rounds: number;
  samples: number;
  tfjs: boolean;
  c: CPeer;
  numpy: NumpyPeer;
  log: (s: string) => void;
}

/** Iterations per sample: ≈ 1–10 ms of native work, few enough that no peer nears convergence. */
export const CG_ITERATIONS: Record<number, number> = { 63: 200, 255: 40, 511: 10, 1023: 4 };
/** iterlang on tfjs: iterations per run (its report's seconds / iterations). */
const TFJS_ITERATIONS: Record<number, number> = { 63: 60, 255: 30, 511: 10, 1023: 5 };

const h2 = (n: number) => 1 / (n + 1) ** 2;

/** The stdlib CG step fused from the program, every state item donated (updated in place). */
export function fusedCg(precision: Precision, n: number): { regions: SolveRegions; compileMs: number; memoryBytes: number; description: string } {
  const t0 = performance.now();
  const c = compileConstruct(CG_SOURCE(n), { f: [n, n] });
  const t1 = performance.now();
  const b = array(precision, [n, n], new Float64Array(n * n).fill(h2(n)));
  const env = new Map([[c.inputs.get("f")!, b]]);
  const { start, step, operator } = c.construct.regions as Record<string, Region>;
  const regions: SolveRegions = {
    start: bind(c, start, precision, env),
    step: bind(c, step, precision, env, [0, 1, 2, 3]),
    apply: bind(c, operator, precision, env),
    state: 4,
  };
  const program = (regions.step.region as FusedProgram).program;
  return { regions, compileMs: performance.now() - t1, memoryBytes: program.plan.usedBytes, description: `${regions.step.region.description} (front end ${(t1 - t0).toFixed(0)} ms)` };
}

function fusedSamples(f: ReturnType<typeof fusedCg>, precision: Precision, n: number, iterations: number, samples: number) {
  const x0 = array(precision, [n, n]);
  const fresh = () => f.regions.start.run([x0]).slice(0, 4);
  warmUp(150, () => iterateFused(f.regions, fresh(), iterations));
  const times: number[] = [];
  const cpu: number[] = [];
  let state = fresh();
  for (let s = 0; s < samples; s++) {
    state = fresh();
    const [t0, c0] = [performance.now(), cpuMs()];
    state = iterateFused(f.regions, state, iterations);
    times.push((performance.now() - t0) / iterations);
    cpu.push((cpuMs() - c0) / iterations);
  }
  return { times, cpu, rz: state[3].data[0] };
}

export async function cgSection(o: CgOptions): Promise<SuiteRow[]> {
  const rows: SuiteRow[] = [];
  for (const n of o.sizes) {
    const iterations = CG_ITERATIONS[n];
    const pool = new Pool();
    const fused = { f32: fusedCg("f32", n), f64: fusedCg("f64", n) };
    for (let round = 0; round < o.rounds; round++) {
      for (const dtype of ["f32", "f64"] as DType[]) {
        const f = fused[dtype];
        pool.add(`native ${dtype}`, fusedSamples(f, dtype, n, iterations, o.samples), { memoryBytes: f.memoryBytes, note: f.description });
        pool.add(`native ${dtype} (hand kernels)`, nativeCg(dtype, n, iterations, o.samples));
        pool.add(`C ${dtype}`, o.c.run(dtype, n, iterations, o.samples));
        pool.add(`NumPy ${dtype}`, o.numpy.run(dtype, n, iterations, o.samples));
      }
      if (o.tfjs && round === 0) pool.add("tfjs-wasm f32 (by hand)", await tfjsWasmCg(n, iterations, 1));
    }
    // webgpu when Dawn finds an adapter (the row notes which; skipped, with the reason, when none).
    for (const backend of ["wasm", "cpu", "webgpu"] as BackendName[]) {
      const peer = `iterlang tfjs-${backend} f32`;
      if (!o.tfjs) {
        pool.add(peer, { skipped: "--no-tfjs" });
        continue;
      }
      const r = await runIterlang(CG_SOURCE(n, TFJS_ITERATIONS[n]), backend, { f: npy([n, n], new Float64Array(n * n).fill(h2(n))) });
      pool.add(peer, "skipped" in r ? r : { times: [r.msPerIteration] }, "skipped" in r ? undefined : { iterations: r.iterations, note: `${r.iterations} iterations, ${r.reason}${backend === "webgpu" && r.backend ? `, ${r.backend}` : ""}` });
    }
    rows.push(...pool.rows("cg", `N = ${n}`).map((r) => ({ ...r, ...(r.iterations === undefined && !r.skipped ? { iterations } : {}) })));
    o.log(`cg N = ${n} done`);
  }
  return rows;
}
