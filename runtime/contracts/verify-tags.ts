// `iterc run --verify-tags`: before a run, the cheap part of every `is spd` and `is symmetric`
// tag — ⟨A x, y⟩ = ⟨x, A y⟩ on one random pair, at the sizes the program calls the op with —
// so a solver that trusts the tag is not run on an operator that breaks it. The full property
// tests are `iterc check`'s.
import type * as A from "../../grammar/ast.js";
import type { Diagnostic } from "../../base/diagnostics.js";
import { checkSource } from "../../compiler/compile.js";
import { compilePlan, contractsOf, planContract } from "../../compiler/contracts/index.js";
import { symmetric } from "../../compiler/contracts/linear-structure.js";
import type { TProgram } from "../../compiler/typed/program.js";
import { dimValue } from "../../compiler/shapes.js";
import type { Tf } from "../tfjs/kernels/common.js";
import { drawValues, seeded } from "./arbitrary.js";
import { evaluate } from "./evaluate.js";
import { measureText } from "./render.js";

const SYMMETRIC_TAGS = new Set(["spd", "symmetric"]);

export interface TagVerification {
  op: string;
  sizes: Map<string, number>;
  holds: boolean;
  measure: string;
}

/** The sizes of the first call of `op` in the typed program (`n` → 63), when it has one. */
function callSizes(typed: TProgram | undefined, op: string): Map<string, number> {
  const seen = new Set<unknown>();
  let found: Map<string, number> | undefined;
  const walk = (x: unknown): void => {
    if (found || x === null || typeof x !== "object" || seen.has(x)) return;
    seen.add(x);
    const r = x as { k?: string; inst?: { name: string; sizes: ReadonlyMap<string, Parameters<typeof dimValue>[0]> } };
    if (r.k === "call" && r.inst?.name.startsWith(`${op}<`)) found = new Map([...r.inst.sizes].flatMap(([n, d]) => (dimValue(d) !== undefined ? [[n, dimValue(d)!]] : [])));
    for (const v of Array.isArray(x) ? x : Object.values(x)) walk(v);
  };
  walk(typed?.decls);
  return found ?? new Map();
}

export function verifyTags(tf: Tf, source: string, file: string, sizes: ReadonlyMap<string, number>, seed = 1): { diagnostics: Diagnostic[]; verified: TagVerification[] } {
  const checked = checkSource(source, { file, sizes });
  if (!checked.program || checked.diagnostics.some((d) => d.severity === "error")) return { diagnostics: [], verified: [] };
  const { index, contracts } = contractsOf(checked.program);
  const diagnostics: Diagnostic[] = [];
  const verified: TagVerification[] = [];
  for (const c of contracts) {
    const op = [...c.operators.values()][0];
    if (c.origin !== "tag" || op?.kind !== "op" || !SYMMETRIC_TAGS.has(c.record.name)) continue;
    const at = new Map([...sizes, ...callSizes(checked.typed, op.name)]);
    const plan = planContract(index, { ...c, record: symmetric }, at);
    const compiled = compilePlan(plan);
    if (!compiled.module) continue;
    const next = seeded(seed);
    const drawn = Object.fromEntries(plan.draws.map((d) => [d.name, drawValues(d.dist, d.shape.reduce((a, b) => a * b, 1), next)]));
    const outcome = evaluate(tf, plan, compiled.module, drawn);
    const measure = measureText(outcome.measures[0]);
    verified.push({ op: op.name, sizes: plan.sizes, holds: outcome.holds, measure });
    if (!outcome.holds) diagnostics.push(tagFailure(file, c.span, op.name, c.record.name, measure, plan.sizes));
  }
  return { diagnostics, verified };
}

function tagFailure(file: string, span: A.Span, op: string, tag: string, measure: string, sizes: ReadonlyMap<string, number>): Diagnostic {
  return {
    severity: "error",
    code: "contract-failed",
    message: `\`${op}\` is tagged \`${tag}\`, but it is not symmetric: ⟨A x, y⟩ ≠ ⟨x, A y⟩ on a random pair.`,
    file,
    span,
    label: "this tag does not hold",
    notes: [`measured: ${measure}`, `at ${[...sizes].map(([n, v]) => `${n} = ${v}`).join(", ")}`],
    hint: `a solver that needs this structure would give wrong answers; \`iterc check ${file}\` tests the tag fully and saves a counterexample.`,
  };
}
