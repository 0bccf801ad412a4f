// What `iterc check` prints about its contracts: one block per contract (what was measured,
// its worst value over the runs, its bound), and for a failure a diagnostic at the contract,
// with the measured quantity against its bound, where the counterexample came from, where it is
// saved and how to rerun it.
import type { Diagnostic } from "../../base/diagnostics.js";
import { describeDistribution } from "../../compiler/contracts/distributions.js";
import type { ContractPlan, Measure } from "../../compiler/contracts/index.js";
import { type Painter, PLAIN } from "../monitor/colour.js";
import type { ContractOutcome } from "./contract-check.js";

/** Four significant digits, plainly where that reads well: 0.8999, 33, 1.2e-7. */
export function num(x: number): string {
  if (!Number.isFinite(x) || x === 0) return String(x);
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(4))) : Number(x.toPrecision(3)).toExponential();
}

/** `‖J_T(a)‖₂ = 1.498 > 1`: a measure against its bound, the relation as it turned out. */
export function measureText(m: Measure): string {
  const rel = m.relation === "≤" ? (m.holds ? "≤" : ">") : m.holds ? "≥" : "<";
  return `${m.what} = ${num(m.value)} ${rel} ${num(m.bound)}${m.detail ? ` (${m.detail})` : ""}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** What the runs drew: `W: f32[8, 8] ~ normal(mean: 0, std: 0.1)`; sizes the runs used. */
export function drawnText(plan: ContractPlan): string[] {
  const draws = plan.draws.map((d) => `\`${d.name}\` (${d.role === "point" ? "a point" : "an input"}): ${d.dtype}[${d.shape.join(", ")}] ~ ${describeDistribution(d.dist)}`);
  return draws.length ? draws : ["nothing is drawn: every value is fixed, so one run decides"];
}

export function outcomeLines(o: ContractOutcome, paint: Painter = PLAIN): string[] {
  const head = `line ${o.contract.span.start.line}  ${o.contract.text}`;
  if (o.status === "error") return [`  ${paint.paint("red", "error")}  ${head}  (cannot be run as written; see above)`];
  const r = o.result!;
  const runs = `${plural(r.runs, "run")}, ${o.seconds.toFixed(1)} s`;
  if (o.status === "fails") {
    const cx = r.counterexample!;
    return [`  ${paint.paint("red", "FAILS")}  ${head}  (${runs}; failed on run ${cx.run}, shrunk ${plural(cx.shrinks, "time")})`, ...cx.measures.filter((m) => !m.holds).map((m) => `           ${measureText(m)}`)];
  }
  const worst = r.worst.map((m) => `           ${m.relation === "≤" ? "at most" : "at least"}: ${measureText(m)}`);
  return [`  ${paint.paint("green", "holds")}  ${head}  (${runs})`, ...worst];
}

export interface SavedAt {
  dir: string;
  files: string[];
  replay: string;
  run?: string;
}

/** The error a failed contract is reported as, at the contract, in the file's own words. */
export function failureDiagnostic(o: ContractOutcome, file: string, saved?: SavedAt): Diagnostic {
  const cx = o.result!.counterexample!;
  const failing = cx.measures.filter((m) => !m.holds);
  const sizes = [...o.plan!.sizes].map(([n, v]) => `${n} = ${v}`).join(", ");
  const notes = [
    ...failing.map((m) => `measured: ${measureText(m)}`),
    `found on run ${cx.run} (seed ${o.seed}) and shrunk ${plural(cx.shrinks, "time")}${sizes ? `, at ${sizes}` : ""}`,
    ...drawnText(o.plan!).map((t) => `drawn: ${t}`),
    ...(saved ? [`counterexample saved in ${saved.dir}: ${saved.files.join(", ")}`] : []),
  ];
  return {
    severity: "error",
    code: "contract-failed",
    message: `\`${o.contract.text}\` does not hold: ${o.contract.record.summary}.`,
    file,
    span: o.contract.span,
    label: "a counterexample was found",
    notes,
    ...(saved ? { hint: `rerun it with \`${saved.replay}\`${saved.run ? `; the program on the same inputs: \`${saved.run}\`` : ""}.` } : {}),
  };
}
