// One run of a contract: the probe program on one set of drawn values, and the verdict of the
// contract's record on what it measured. The same evaluation serves every random run, every
// shrinking step and the replay of a saved counterexample.
import type { ContractPlan, Draw, Measure, Observation } from "../../compiler/contracts/index.js";
import type { Module } from "../../compiler/ir/ir.js";
import { BackwardFailure } from "../constructs.js";
import type { Tensor, Tf } from "../tfjs/kernels/common.js";
import { TfjsInterpreter } from "../tfjs/interpreter.js";
import type { Report } from "../report.js";
import type { Drawn } from "./arbitrary.js";
import { IterateObserver } from "./observe.js";

export interface Outcome {
  measures: Measure[];
  holds: boolean;
}

const TF_DTYPE = { i32: "int32", bool: "bool" } as const;

/** A drawn value as a tensor (tfjs computes f64 values in float32). */
function tensorOf(tf: Tf, d: Draw, values: Float32Array): Tensor {
  if (d.dtype === "f32" || d.dtype === "f64") return tf.tensor(values, d.shape, "float32");
  const cast = d.dtype === "i32" ? Int32Array.from(values, Math.round) : Uint8Array.from(values, (x) => (x > 0 ? 1 : 0));
  return tf.tensor(cast, d.shape, TF_DTYPE[d.dtype]);
}

/** The report of the construct named `name` (a loop's report names all its outputs). */
function reportNamed(reports: readonly Report[], name: string): Report | undefined {
  return reports.find((r) => r.name === name || r.name.split(", ").includes(name));
}

export function evaluate(tf: Tf, plan: ContractPlan, module: Module, drawn: Drawn): Outcome {
  const inputs = new Map(plan.draws.map((d) => [d.name, tensorOf(tf, d, drawn[d.name])]));
  const observer = plan.series && plan.series !== "residual" && plan.construct ? new IterateObserver(tf, plan.construct.name) : undefined;
  let exports: ReadonlyMap<string, Tensor> | undefined;
  try {
    const interpreter = new TfjsInterpreter(tf);
    if (observer) interpreter.observer = observer;
    const result = interpreter.run(module, inputs);
    exports = result.exports;
    const o = observe(plan, exports, result.reports, observer);
    const measures = plan.contract.record.verdict(o, plan.contract.statics);
    return { measures, holds: measures.every((m) => m.holds) };
  } catch (e) {
    if (!(e instanceof BackwardFailure)) throw e;
    return { measures: [{ what: "the run", value: NaN, relation: "≤", bound: 0, holds: false, detail: `the run stopped: ${e.message}` }], holds: false };
  } finally {
    for (const t of [...inputs.values(), ...(exports?.values() ?? [])]) if (!t.isDisposed) t.dispose();
    observer?.dispose();
  }
}

function observe(plan: ContractPlan, exports: ReadonlyMap<string, Tensor>, reports: readonly Report[], observer?: IterateObserver): Observation {
  const q = Object.fromEntries(Object.entries(plan.exports).map(([name, exp]) => [name, exports.get(exp)!.dataSync()[0]]));
  if (!plan.construct) return { q };
  const report = reportNamed(reports, plan.construct.name);
  const final = exports.get(plan.construct.export);
  const series = plan.series === "residual" ? (report?.history ?? []) : plan.series && observer && final ? observer.series(plan.series, final) : undefined;
  return { q, ...(report ? { report } : {}), ...(series ? { series } : {}) };
}
