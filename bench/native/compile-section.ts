// Section 4: what fusing a region costs, per phase, through the fuser itself
// (runtime/native/fuse.ts): lowering (IR → kernel set; twice when invariants turn out uniform),
// finding the uniform invariants (the init kernel run alone over the grid: for MG-PCG the
// diagonal probed on every level), code generation, `new WebAssembly.Module`, instantiation.
// Fresh IR for every compile (no cache helps); medians of wall time and of this process's CPU
// time (the machine is shared: CPU time is what the work costs). The budget is 50 ms per region.
import type { Region } from "../../compiler/ir/ir.js";
import { fuseRegion } from "../../runtime/native/fuse.js";
import type { FusedProgram, FusePhases } from "../../runtime/native/fused-program.js";
import type { Precision } from "../../runtime/native/fused.js";
import { compileConstruct, CG_SOURCE, FIXPOINT_SOURCE, MGPCG_SOURCE } from "./programs.js";
import { median } from "./stats.js";
import type { SuiteRow } from "./suite.js";

interface Case {
  label: string;
  source: string;
  shapes: Record<string, number[]>;
  region: string;
  precision: Precision;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function measure(c: Case, repeats: number): SuiteRow {
  const runs: { wall: number; cpu: number; phases: FusePhases; bytes: number; description: string }[] = [];
  for (let r = 0; r < repeats; r++) {
    const cc = compileConstruct(c.source, c.shapes);
    const region = (cc.construct.regions as Record<string, Region>)[c.region];
    const [t0, u0] = [performance.now(), cpuMs()];
    const f = fuseRegion(region, c.precision, { constants: cc.constants, donate: region.params.map((_, i) => i) });
    const [wall, cpu] = [performance.now() - t0, cpuMs() - u0];
    if (!f.ok) throw new Error(f.refused);
    const p = f.region as FusedProgram;
    runs.push({ wall, cpu, phases: p.phases!, bytes: p.program.moduleBytes, description: p.description });
  }
  const m = (key: keyof FusePhases) => median(runs.map((r) => r.phases[key])).toFixed(1);
  return {
    section: "compile",
    case: c.label,
    peer: `native ${c.precision}`,
    ms: median(runs.map((r) => r.wall)),
    seconds: median(runs.map((r) => r.cpu)) / 1000,
    samples: repeats,
    memoryBytes: runs[0].bytes,
    note: `lower ${m("lowerMs")} · uniform invariants ${m("invariantsMs")} · codegen ${m("codegenMs")} · Wasm compile ${m("wasmCompileMs")} · instantiate ${m("instantiateMs")} ms; ${runs[0].bytes} bytes of Wasm; ${runs[0].description}`,
  };
}

export function compileSection(sizes: number[], repeats: number): SuiteRow[] {
  const cases: Case[] = [];
  for (const n of sizes) {
    for (const precision of ["f32", "f64"] as Precision[]) cases.push({ label: `CG step, N = ${n}`, source: CG_SOURCE(n), shapes: { f: [n, n] }, region: "step", precision });
    cases.push({ label: `MG-PCG step, N = ${n}`, source: MGPCG_SOURCE(n), shapes: { f: [n, n] }, region: "step", precision: "f64" });
  }
  cases.push({ label: "Picard step, n = 1000", source: FIXPOINT_SOURCE(1000, "picard"), shapes: { W: [1000, 1000], b: [1000] }, region: "step", precision: "f32" });
  return cases.map((c) => measure(c, repeats));
}
