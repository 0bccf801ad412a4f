// Section 2: CG preconditioned by the stdlib's multigrid V-cycle, solved to rtol 1e-6 (f32)
// and 1e-10 (f64) at N = 63 … 1023: iterations, seconds per solve (after compiling), the true
// relative residual reached. The problem is examples/poisson.iter's (f = 2[x(1−x) + y(1−y)]).
import type { Region } from "../../compiler/ir/ir.js";
import type { FusedProgram } from "../../runtime/native/fused-program.js";
import type { Precision } from "../../runtime/native/fused.js";
import { solveFused, type SolveRegions } from "./drivers.js";
import { npy, runIterlang } from "./iterlang-peer.js";
import { array, bind, compileConstruct, MGPCG_SOURCE } from "./programs.js";
import { cpuMs } from "./peers.js";
import { median } from "./stats.js";
import type { SuiteRow } from "./suite.js";

export const MG_RTOL: Record<Precision, number> = { f32: 1e-6, f64: 1e-10 };

export function poissonRhs(n: number): Float64Array {
  const h = 1 / (n + 1);
  const f = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const [x, y] = [(j + 1) * h, (i + 1) * h];
      f[i * n + j] = 2 * (x * (1 - x) + y * (1 - y));
    }
  return f;
}

function fusedMg(precision: Precision, n: number) {
  const t0 = performance.now();
  const c = compileConstruct(MGPCG_SOURCE(n), { f: [n, n] });
  const t1 = performance.now();
  const b = array(precision, [n, n], poissonRhs(n));
  const env = new Map([[c.inputs.get("f")!, b]]);
  const { start, step, operator } = c.construct.regions as Record<string, Region>;
  const regions: SolveRegions = {
    start: bind(c, start, precision, env),
    step: bind(c, step, precision, env, [0, 1, 2, 3]),
    apply: bind(c, operator, precision, env),
    state: 4,
  };
  const t2 = performance.now();
  const memory = [regions.start, regions.step, regions.apply].reduce((s, r) => s + (r.region as FusedProgram).program.plan.usedBytes, 0);
  return { regions, b, frontMs: t1 - t0, fuseMs: t2 - t1, memory };
}

export interface MgOptions {
  sizes: number[];
  runs: number;
  tfjsSizes: number[];
  log: (s: string) => void;
}

export async function mgSection(o: MgOptions): Promise<SuiteRow[]> {
  const rows: SuiteRow[] = [];
  for (const n of o.sizes) {
    for (const precision of ["f32", "f64"] as Precision[]) {
      const f = fusedMg(precision, n);
      const rtol = MG_RTOL[precision];
      solveFused(f.regions, f.b, precision, rtol, 200, precision === "f64"); // warm-up
      const seconds: number[] = [];
      const cpu: number[] = [];
      let last = solveFused(f.regions, f.b, precision, rtol, 200, precision === "f64");
      for (let r = 0; r < o.runs; r++) {
        const [t0, c0] = [performance.now(), cpuMs()];
        last = solveFused(f.regions, f.b, precision, rtol, 200, precision === "f64");
        seconds.push((performance.now() - t0) / 1000);
        cpu.push((cpuMs() - c0) / 1000);
      }
      const s = median(seconds);
      rows.push({
        section: "mgpcg",
        case: `N = ${n}`,
        peer: `native ${precision}`,
        iterations: last.iterations,
        seconds: s,
        cpuSeconds: median(cpu),
        ms: (1000 * s) / Math.max(1, last.iterations),
        cpuMs: (1000 * median(cpu)) / Math.max(1, last.iterations),
        residual: last.trueRelResidual,
        memoryBytes: f.memory,
        note: `rtol ${rtol}${precision === "f32" ? " on the method's residual (float32 cannot certify it: the true residual is at its floor)" : ""}${last.converged ? "" : ", NOT converged"}${last.restarts ? `, ${last.restarts} restart(s)` : ""}; compile ${f.fuseMs.toFixed(0)} ms (3 regions), front end ${f.frontMs.toFixed(0)} ms; ${f.regions.step.region.description}`,
      });
    }
    if (o.tfjsSizes.includes(n)) {
      const r = await runIterlang(MGPCG_SOURCE(n, 30), "wasm", { f: npy([n, n], poissonRhs(n)) });
      rows.push(
        "skipped" in r
          ? { section: "mgpcg", case: `N = ${n}`, peer: "iterlang tfjs-wasm f32", skipped: r.skipped }
          : { section: "mgpcg", case: `N = ${n}`, peer: "iterlang tfjs-wasm f32", iterations: r.iterations, seconds: r.seconds, ms: r.msPerIteration, residual: r.relResidual, note: `rtol 1e-6: ${r.reason}` },
      );
    }
    o.log(`mgpcg N = ${n} done`);
  }
  return rows;
}
