// Section 4: what fusing a region costs, per phase: lowering (IR → kernel set), code
// generation (verify, plan, generate, encode), `new WebAssembly.Module`, instantiation with
// the constant data and the init kernel. Medians of fresh compiles (fresh IR each time, so no
// cache helps); the budget is 50 ms per region.
import type { Region } from "../../compiler/ir/ir.js";
import { lowerRegion } from "../../compiler/native/lower/index.js";
import type { Precision } from "../../runtime/native/fused.js";
import { NativeProgram } from "../../runtime/native/program.js";
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

function measure(c: Case, repeats: number): SuiteRow {
  const phases = { lower: [] as number[], codegen: [] as number[], wasm: [] as number[], instantiate: [] as number[], total: [] as number[] };
  let bytes = 0;
  let summary = "";
  for (let r = 0; r < repeats; r++) {
    const cc = compileConstruct(c.source, c.shapes);
    const region = (cc.construct.regions as Record<string, Region>)[c.region];
    const t0 = performance.now();
    const lowered = lowerRegion(region, { precision: c.precision, constants: cc.constants, donate: region.params.map((_, i) => i) });
    const t1 = performance.now();
    const p = NativeProgram.compile(lowered.set);
    for (const d of lowered.data) p.view(d.buffer).set(d.values);
    if (lowered.init) p.run(lowered.init);
    const t2 = performance.now();
    phases.lower.push(t1 - t0);
    phases.codegen.push(p.times.codegenMs);
    phases.wasm.push(p.times.wasmCompileMs);
    phases.instantiate.push(t2 - t1 - p.times.codegenMs - p.times.wasmCompileMs);
    phases.total.push(t2 - t0);
    bytes = p.moduleBytes;
    summary = lowered.summary;
  }
  const m = (xs: number[]) => median(xs).toFixed(1);
  return {
    section: "compile",
    case: c.label,
    peer: `native ${c.precision}`,
    ms: median(phases.total),
    samples: repeats,
    memoryBytes: bytes,
    note: `lower ${m(phases.lower)} + codegen ${m(phases.codegen)} + Wasm compile ${m(phases.wasm)} + instantiate/init ${m(phases.instantiate)} ms; ${bytes} bytes of Wasm; ${summary}`,
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
