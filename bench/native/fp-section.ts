// Section 3: the fixed point x = tanh(W x + b), n = 1000, W = 0.99 × a Householder reflection
// (a contraction), b = 0.2 × normal: Picard (ms per iteration, and to ‖T(x) − x‖ < 1e-5) and
// Anderson(m = 5) to the same tolerance. Peers: the fused stdlib Picard step and the fused map
// under a plain-TS Anderson, NumPy's Picard, and iterlang on tfjs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Region } from "../../compiler/ir/ir.js";
import type { FusedProgram } from "../../runtime/native/fused-program.js";
import type { Precision } from "../../runtime/native/fused.js";
import { andersonFused, picardFused } from "./drivers.js";
import { npy, runIterlang } from "./iterlang-peer.js";
import { cpuMs, type NumpyPeer } from "./peers.js";
import { array, bind, compileConstruct, FIXPOINT_SOURCE } from "./programs.js";
import { median } from "./stats.js";
import { type SuiteRow, warmUp } from "./suite.js";
import { mulberry32 } from "../../base/mulberry32.js";

const ATOL = 1e-5;
const PER_ITERATION = 50;

/** mulberry32, seeded: the same W and b in every run and every peer. */
const rng = mulberry32;

function problem(n: number): { W: Float64Array; b: Float64Array } {
  const r = rng(12345);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const v = Float64Array.from({ length: n }, normal);
  const vv = v.reduce((s, x) => s + x * x, 0);
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) W[i * n + j] = 0.99 * ((i === j ? 1 : 0) - (2 * v[i] * v[j]) / vv);
  const b = Float64Array.from({ length: n }, () => 0.2 * normal());
  return { W, b };
}

function fused(n: number, precision: Precision, W: Float64Array, b: Float64Array, method: "picard" | "anderson") {
  const c = compileConstruct(FIXPOINT_SOURCE(n, method), { W: [n, n], b: [n] });
  const env = new Map([
    [c.inputs.get("W")!, array(precision, [n, n], W)],
    [c.inputs.get("b")!, array(precision, [n], b)],
  ]);
  const regions = c.construct.regions as Record<string, Region>;
  return bind(c, method === "picard" ? regions.step : regions.map, precision, env, [0]);
}

export interface FpOptions {
  n: number;
  samples: number;
  tfjs: boolean;
  numpy: NumpyPeer;
  numpyScript: string;
  log: (s: string) => void;
}

export async function fpSection(o: FpOptions): Promise<SuiteRow[]> {
  const { n } = o;
  const { W, b } = problem(n);
  const rows: SuiteRow[] = [];
  const label = (m: string) => `n = ${n}, ${m}`;
  for (const precision of ["f32", "f64"] as Precision[]) {
    const step = fused(n, precision, W, b, "picard");
    const x0 = array(precision, [n]);
    const iterate = () => {
      let x = x0;
      for (let k = 0; k < PER_ITERATION; k++) x = step.run([x])[0];
    };
    warmUp(200, iterate);
    const times: number[] = [];
    const cpu: number[] = [];
    for (let s = 0; s < o.samples; s++) {
      const [t0, c0] = [performance.now(), cpuMs()];
      iterate();
      times.push((performance.now() - t0) / PER_ITERATION);
      cpu.push((cpuMs() - c0) / PER_ITERATION);
    }
    const t0 = performance.now();
    const run = picardFused(step, x0, ATOL, 5000);
    const seconds = (performance.now() - t0) / 1000;
    const memory = (step.region as FusedProgram).program.plan.usedBytes;
    rows.push({ section: "fixpoint", case: label("Picard"), peer: `native ${precision}`, ms: median(times), cpuMs: median(cpu), minMs: Math.min(...times), samples: times.length, iterations: run.iterations, seconds, residual: run.residual, memoryBytes: memory, note: step.region.description });
    const map = fused(n, precision, W, b, "anderson");
    andersonFused(map, x0, precision, 5, ATOL, 5000);
    const t1 = performance.now();
    const a = andersonFused(map, x0, precision, 5, ATOL, 5000);
    const aSeconds = (performance.now() - t1) / 1000;
    rows.push({ section: "fixpoint", case: label("Anderson(5)"), peer: `native ${precision}`, ms: (1000 * aSeconds) / Math.max(1, a.iterations), iterations: a.iterations, seconds: aSeconds, residual: a.residual, note: "fused map, mixing in plain TypeScript (float64)" });
  }
  rows.push(...numpyPicard(o, W, b));
  for (const method of ["picard", "anderson"] as const)
    for (const backend of ["wasm", "cpu"] as const) {
      const peer = `iterlang tfjs-${backend} f32`;
      const c = label(method === "picard" ? "Picard" : "Anderson(5)");
      if (!o.tfjs) {
        rows.push({ section: "fixpoint", case: c, peer, skipped: "--no-tfjs" });
        continue;
      }
      const r = await runIterlang(FIXPOINT_SOURCE(n, method), backend, { W: npy([n, n], W), b: npy([n], b) });
      rows.push("skipped" in r ? { section: "fixpoint", case: c, peer, skipped: r.skipped } : { section: "fixpoint", case: c, peer, ms: r.msPerIteration, iterations: r.iterations, seconds: r.seconds, note: r.reason });
    }
  o.log(`fixpoint n = ${n} done`);
  return rows;
}

function numpyPicard(o: FpOptions, W: Float64Array, b: Float64Array): SuiteRow[] {
  const c = `n = ${o.n}, Picard`;
  if (!o.numpy.version) return ["f32", "f64"].map((p) => ({ section: "fixpoint" as const, case: c, peer: `NumPy ${p}`, skipped: o.numpy.problem ?? "no numpy" }));
  const dir = mkdtempSync(join(tmpdir(), "iterlang-fp-"));
  try {
    writeFileSync(join(dir, "W.bin"), new Uint8Array(W.buffer));
    writeFileSync(join(dir, "b.bin"), new Uint8Array(b.buffer));
    return (["f32", "f64"] as const).map((p) => {
      const r = spawnSync("python3", [o.numpyScript, join(dir, "W.bin"), join(dir, "b.bin"), String(o.n), String(PER_ITERATION), String(o.samples + 1), p, String(ATOL), "5000"], { encoding: "utf8", env: o.numpy.env });
      if (r.status !== 0) return { section: "fixpoint" as const, case: c, peer: `NumPy ${p}`, skipped: r.stderr.slice(0, 200) };
      const j = JSON.parse(r.stdout) as { times: number[]; cpu: number[]; iterations: number; seconds: number; residual: number; maxrss: number };
      const times = j.times.slice(1);
      return { section: "fixpoint" as const, case: c, peer: `NumPy ${p}`, ms: median(times), cpuMs: median(j.cpu.slice(1)), minMs: Math.min(...times), samples: times.length, iterations: j.iterations, seconds: j.seconds, residual: j.residual, memoryBytes: j.maxrss, note: "peak RSS of the python process" };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
