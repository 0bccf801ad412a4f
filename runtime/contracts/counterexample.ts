// A failing contract's counterexample, saved so that a person can rerun it: every drawn value
// as DIR/NAME.npy, and DIR/counterexample.json saying which contract, at which sizes, what was
// measured and which value is which. `iterc check FILE --replay DIR` reruns that one contract
// on exactly these values; the program's own inputs among them also run with
// `iterc run FILE --input NAME=DIR/NAME.npy`.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ContractPlan, Draw, Measure } from "../../compiler/contracts/index.js";
import { describeDistribution } from "../../compiler/contracts/distributions.js";
import { readInput } from "../inputs.js";
import { type NpyArray, writeNpyFile } from "../npy.js";
import type { Drawn } from "./arbitrary.js";

export interface SavedCounterexample {
  format: "iterlang-counterexample/1";
  file: string;
  line: number;
  contract: string;
  seed: number;
  /** Every size of the runs, as `--set` gives them. */
  sizes: Record<string, number>;
  measures: Measure[];
  values: { name: string; role: Draw["role"]; dtype: Draw["dtype"]; shape: number[]; drawnFrom: string; file: string }[];
}

export class CounterexampleError extends Error {
  readonly isUserError = true;
}

function npyOf(d: Draw, values: Float32Array): NpyArray {
  if (d.dtype === "i32") return { dtype: "int32", shape: d.shape, data: Int32Array.from(values, Math.round) };
  if (d.dtype === "bool") return { dtype: "bool", shape: d.shape, data: Uint8Array.from(values, (x) => (x > 0 ? 1 : 0)) };
  return { dtype: "float32", shape: d.shape, data: values };
}

export async function saveCounterexample(dir: string, file: string, plan: ContractPlan, seed: number, drawn: Drawn, measures: Measure[]): Promise<SavedCounterexample> {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new CounterexampleError(`I can't create the folder \`${dir}\` for the counterexample: ${(e as Error).message}`);
  }
  const values = plan.draws.map((d) => ({ name: d.name, role: d.role, dtype: d.dtype, shape: d.shape, drawnFrom: describeDistribution(d.dist), file: `${d.name}.npy` }));
  for (const d of plan.draws) await writeNpyFile(join(dir, `${d.name}.npy`), npyOf(d, drawn[d.name]));
  const saved: SavedCounterexample = {
    format: "iterlang-counterexample/1",
    file,
    line: plan.contract.span.start.line,
    contract: plan.contract.text,
    seed,
    sizes: Object.fromEntries(plan.sizes),
    measures: measures.map((m) => ({ ...m, value: Number.isFinite(m.value) ? m.value : (String(m.value) as unknown as number) })),
    values,
  };
  writeFileSync(join(dir, "counterexample.json"), JSON.stringify(saved, null, 2) + "\n");
  return saved;
}

export async function loadCounterexample(dir: string): Promise<{ saved: SavedCounterexample; drawn: Drawn }> {
  let saved: SavedCounterexample;
  try {
    saved = JSON.parse(readFileSync(join(dir, "counterexample.json"), "utf8")) as SavedCounterexample;
  } catch (e) {
    throw new CounterexampleError(`I can't read a counterexample from \`${dir}\`: ${(e as Error).message}`);
  }
  if (saved.format !== "iterlang-counterexample/1") throw new CounterexampleError(`\`${dir}/counterexample.json\` is not a counterexample saved by \`iterc check\`.`);
  const drawn: Drawn = {};
  for (const v of saved.values) {
    const arr = readInput(v.name, join(dir, v.file));
    drawn[v.name] = Float32Array.from(arr.data as ArrayLike<number>);
  }
  return { saved, drawn };
}

/** `iterc run FILE --set N=8 --input W=DIR/W.npy`: the program on the counterexample's inputs, when it has any. */
export function runCommand(file: string, dir: string, plan: ContractPlan): string | undefined {
  const inputs = plan.draws.filter((d) => d.role === "input");
  if (!inputs.length) return undefined;
  const sets = [...plan.set].map(([n, v]) => `--set ${n}=${v}`);
  return ["iterc run", file, ...sets, ...inputs.map((d) => `--input ${d.name}=${join(dir, `${d.name}.npy`)}`)].join(" ");
}
