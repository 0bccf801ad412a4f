// The convergence report every iterative construct returns beside its value (the PETSc habit):
// how many iterations, the final residual, its history, and why the iteration stopped.
// Non-convergence is reported, never silent.
import { PLAIN, type Painter, reasonStyle } from "./monitor/colour.js";
import { wrapText } from "./monitor/wrap.js";

/**
 * Why an iteration stopped. `completed` is for loops, which have no residual: a counted
 * `loop k < n` that ran its n iterations, or an `until` condition that became true; it counts as
 * converged.
 */
export type Reason =
  | "completed"
  | "converged_rtol"
  | "converged_atol"
  | "max_iterations"
  | "diverged_nan"
  | "diverged_growth"
  | "breakdown"
  /** An adjoint (or tangent) whose forward construct did not converge: its gradient is not used. */
  | "forward_failed"
  /**
   * A line search that found no acceptable step — a minimisation's (Wolfe), or a nonlinear
   * solve's backtracking (Armijo on ‖F‖²): the step is not taken, the last accepted iterate is
   * returned, and `detail` says what was tried.
   */
  | "line_search_failed"
  /** The caller stopped the run (an AbortSignal) between two iterations: the value is the last iterate. */
  | "aborted";

export const CONVERGED_REASONS: readonly Reason[] = ["completed", "converged_rtol", "converged_atol"];

export function isConvergedReason(reason: Reason): boolean {
  return CONVERGED_REASONS.includes(reason);
}

export interface ErrorBound {
  /** Bound on ‖x − x*‖: L/(1 − L) · ‖T(x) − x‖ style a-posteriori estimate. */
  value: number;
  lipschitz: number;
  source: "declared" | "estimated";
}

export interface Report {
  /** Source name of the construct (e.g. `u`). */
  name: string;
  kind: "loop" | "fixpoint" | "solve" | "minimize" | "train";
  /** `cg`, `picard`, `damped`, `loop`, ... */
  method: string;
  /** Completed iterations: updates applied to produce the returned value. */
  iterations: number;
  /**
   * Final absolute residual of the returned value.
   * - solve: the TRUE residual ‖b − A u‖₂, recomputed at the end (not the recursive one);
   * - fixpoint: ‖T(x) − x‖₂ of the returned x (the map is evaluated at the returned iterate).
   * - minimize: ‖∇f(x)‖₂ at the returned x.
   */
  residual: number;
  /**
   * `residual` over the reference norm of the convergence test:
   * - solve: ‖b‖₂;
   * - fixpoint: ‖x‖₂ of the returned iterate (floored at the smallest normal float32, so a
   *   fixed point at 0 gives a huge relResidual: use atol there);
   * - 0 whenever residual is 0 (also when the reference is 0, e.g. a zero right-hand side).
   */
  relResidual: number;
  /** Krylov methods: the recursively updated residual at exit, beside the true one. */
  recursiveResidual?: number;
  reason: Reason;
  converged: boolean;
  /**
   * Residual per iteration, index 0 = initial (so length = iterations + 1 when not truncated).
   * Capped: the first HISTORY_KEEP and last HISTORY_KEEP entries are kept when longer, and
   * `historyTruncated` is set.
   */
  history: number[];
  historyTruncated?: boolean;
  /** Wall time in seconds. */
  seconds: number;
  /**
   * Where and why, for anything but a plain convergence: `NaN in the iterate at iteration 17`.
   * Every report that did not converge has one (`finalizeReport` supplies it when a driver
   * gave none).
   */
  detail?: string;
  errorBound?: ErrorBound;
  /** minimize: the objective at the returned x, and its value at each iterate (history's indices). */
  objective?: number;
  objectiveHistory?: number[];
  /** train: the mean validation loss after each epoch (the batch losses are `history`). */
  validationHistory?: number[];
  /** For the adjoint (or tangent) of a construct autodiff added: the forward construct's name. */
  adjointOf?: string;
  /**
   * The threshold the residual was tested against, max(atol, rtol · reference norm), in the
   * units of `history`: what a plot draws as the tolerance line. Absent when the driver does not
   * say (loops have none).
   */
  tolerance?: number;
  /** Which backend ran the construct: `tfjs-wasm`, `native f64, op by op (plain TS)`, … */
  engine?: string;
  /**
   * How often the construct applied its operator (A of a linear solve, F of a nonlinear one, T
   * of a fixpoint), its preconditioner, and Jacobian-vector products — the work of the
   * constructs inside its regions included (a loop counts the solves of its body).
   */
  counts?: Counts;
  /** The constructs that ran inside this one's regions (a loop body's solves), one line each. */
  inner?: InnerSummary[];
  /**
   * A solve with a `nullspace` clause: the norm of the right side's component along the null
   * space, which was projected out, and that over ‖f‖₂ (0 for a consistent right side; a large
   * one means the problem as posed has no solution, and u solves the projected one).
   */
  nullspace?: { removed: number; relative: number };
  /**
   * The residual was read every this many iterations (a GPU backend): the same run as with a
   * read per iteration (the driver keeps the batch's states and takes the step that decided),
   * with up to this many − 1 steps computed and discarded.
   */
  checkedEvery?: number;
}

export interface Counts {
  operator: number;
  precond: number;
  jacobian: number;
}

/** The runs of one construct inside another's regions, summarised. */
export interface InnerSummary {
  name: string;
  kind: Report["kind"];
  method: string;
  runs: number;
  iterations: number;
  /** Runs that did not converge. */
  failed: number;
}

/** Entries kept at each end of a long residual history. */
export const HISTORY_KEEP = 1000;

/**
 * A residual history that keeps the first `keep` and the last `keep` entries, in order, in
 * O(keep) memory however long the iteration runs.
 */
export class ResidualHistory {
  private readonly head: number[] = [];
  private readonly tail: number[] = [];
  private tailStart = 0; // ring-buffer start inside `tail` once it is full
  private total = 0;

  constructor(readonly keep = HISTORY_KEEP) {}

  push(r: number): void {
    this.total++;
    if (this.head.length < this.keep) {
      this.head.push(r);
    } else if (this.tail.length < this.keep) {
      this.tail.push(r);
    } else {
      this.tail[this.tailStart] = r;
      this.tailStart = (this.tailStart + 1) % this.keep;
    }
  }

  /** Total number of entries pushed (not the number kept). */
  get length(): number {
    return this.total;
  }

  get truncated(): boolean {
    return this.total > 2 * this.keep;
  }

  /** The first entry (the initial residual), or NaN when empty. */
  get first(): number {
    return this.head.length > 0 ? this.head[0] : NaN;
  }

  /** The latest entry, or NaN when empty. */
  get last(): number {
    if (this.tail.length === 0) return this.head.length > 0 ? this.head[this.head.length - 1] : NaN;
    return this.tail[(this.tailStart + this.tail.length - 1) % this.tail.length];
  }

  toArray(): number[] {
    return [...this.head, ...this.tail.slice(this.tailStart), ...this.tail.slice(0, this.tailStart)];
  }
}

// ---------------------------------------------------------------------------------------------
// Finalising: what every report says, whichever driver made it

/** The smallest normal float32: the floor drivers put under a zero reference norm. */
const FLOAT32_TINY = 2 ** -126;

/**
 * True when `relResidual` was divided by a reference norm of zero (floored at the smallest
 * float32, so it reads 1e37 or more): a fixed point at 0, an iterate that is exactly zero. There
 * is no relative residual then; it is shown as "—" and written as NaN.
 */
export function relativeResidualUndefined(r: Report): boolean {
  if (!(r.residual > 0 && r.relResidual > 0) || !Number.isFinite(r.residual) || !Number.isFinite(r.relResidual)) return false;
  return r.residual / r.relResidual <= FLOAT32_TINY * (1 + 1e-6);
}

/** How the residual moved over the last iterations of the history, in words. */
function trend(history: readonly number[]): string {
  const k = Math.min(10, history.length - 1);
  if (k < 2) return "";
  const last = history[history.length - 1];
  const before = history[history.length - 1 - k];
  if (!(Number.isFinite(last) && Number.isFinite(before) && before > 0)) return "";
  const ratio = last / before;
  const perStep = Math.pow(ratio, 1 / k).toPrecision(3);
  if (ratio < 0.999) return `; it was still decreasing (×${perStep} per iteration over the last ${k}): allow more iterations, or precondition`;
  if (ratio > 1.001) return `; it was growing (×${perStep} per iteration over the last ${k})`;
  return `; it stopped decreasing over the last ${k} iterations (the method stagnates or cycles)`;
}

function residualText(r: Report): string {
  const rel = relativeResidualUndefined(r) || !Number.isFinite(r.relResidual) ? "" : ` (relative ${fmtNum(r.relResidual)})`;
  const tol = r.tolerance !== undefined && Number.isFinite(r.tolerance) ? ` > tolerance ${fmtNum(r.tolerance)}` : "";
  return `residual ${fmtNum(r.residual)}${rel}${tol}`;
}

/** The first iteration whose residual is NaN or ±Inf, from the history. */
function firstNonFinite(history: readonly number[]): number | undefined {
  const i = history.findIndex((x) => !Number.isFinite(x));
  return i < 0 ? undefined : i;
}

/** The note of a solve that projected out a null space: how much of f it removed. */
function describeNullspace(n: { removed: number; relative: number }): string {
  const size = `the right side's component along it, ${fmtNum(n.removed)} (${fmtNum(n.relative)} of ‖f‖), was removed`;
  return n.relative > 1e-3 ? `null space projected out: ${size} — the system as given is inconsistent, and the result solves the projected one` : `null space projected out: ${size}`;
}

/**
 * A one-line `detail` for a report that did not converge and has none: what happened, with
 * the numbers the report holds. Undefined for converged reports and those with a detail.
 */
export function defaultDetail(r: Report): string | undefined {
  if (r.converged || r.detail) return undefined;
  const its = `${r.iterations} iteration${r.iterations === 1 ? "" : "s"}`;
  switch (r.reason) {
    case "max_iterations":
      if (r.kind === "loop") return `stopped after ${its}, the most allowed, before its \`until\` condition held`;
      return `stopped after ${its}, the most allowed, with ${residualText(r)}${trend(r.history)}`;
    case "diverged_nan": {
      const at = firstNonFinite(r.history);
      return `NaN or ±Inf appeared in the residual${at === undefined ? "" : ` at iteration ${at}`}`;
    }
    case "diverged_growth": {
      const first = r.history[0];
      return `the residual grew to ${fmtNum(r.residual)}${Number.isFinite(first) ? `, from ${fmtNum(first)} at the start` : ""}, after ${its}`;
    }
    case "breakdown":
      return `the method broke down after ${its}, with ${residualText(r)}`;
    default:
      return `stopped (${r.reason}) after ${its}, with ${residualText(r)}`;
  }
}

/**
 * A report as it should be shown and returned: a relative residual over a zero reference is
 * NaN (there is none), and a report that did not converge has a one-line detail. Idempotent;
 * returns a new object when something changed. Drivers may call it where they build reports;
 * runtime/run.ts and renderReports call it on every report.
 */
export function finalizeReport(r: Report): Report {
  const undefinedRel = relativeResidualUndefined(r);
  const detail = defaultDetail(r);
  if (!undefinedRel && detail === undefined) return r;
  return { ...r, ...(undefinedRel ? { relResidual: NaN } : {}), ...(detail !== undefined ? { detail } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** A residual for tables and messages: `5.90e-2`, `0`, `NaN`, `Inf`. */
export function fmtNum(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Inf";
  if (x === -Infinity) return "-Inf";
  if (x === 0) return "0";
  return x.toExponential(2);
}

/** Seconds as µs, ms or s with three significant-ish digits. */
export function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return fmtNum(s);
  if (s < 1e-3) return `${(s * 1e6).toFixed(0)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(1)} ms`;
  return `${s.toFixed(2)} s`;
}

function reasonCell(r: Report): string {
  return `${r.converged ? "✓" : "✗"} ${r.reason}`;
}

/** Display width: counts code points, so `✓`, `µ` and `ᵀ` take one column. */
function width(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number, right: boolean): string {
  const fill = " ".repeat(Math.max(0, w - width(s)));
  return right ? fill + s : s + fill;
}

export interface RenderOptions {
  /** Colours the reasons, failure marks and summary (see runtime/monitor/colour.ts). Default: none. */
  painter?: Painter;
  /**
   * Wraps the notes under the table (long `detail`s) to this many columns, continuation lines
   * indented under the note's text. Default: no wrapping (not a terminal).
   */
  width?: number;
}

/**
 * A human table with one row per report: name, kind, method, iterations, residual, relative
 * residual, reason, time. Non-converged rows carry `✗` before their reason (converged ones `✓`),
 * and the `detail` of every report that has one is printed under the table, as is a summary line
 * when any construct did not converge. Without options the text is plain and unwrapped.
 */
export function renderReports(all: readonly Report[], options: RenderOptions = {}): string {
  const reports = nestAdjoints(all.map(finalizeReport));
  const paint = options.painter ?? PLAIN;
  const header = ["name", "kind", "method", "iters", "residual", "rel. resid.", "reason", "time"];
  const numeric = [false, false, false, true, true, true, false, true];
  const REASON = 6;
  // A loop has no residual (NaN there): shown as a dash rather than a NaN that looks like a failure.
  // "—" where the number does not exist (a loop has no residual; F(x) = 0 has no relative one,
  // nor has a residual over a zero reference: finalizeReport made those NaN).
  const resid = (r: Report, x: number) => ((r.kind === "loop" || (r.kind === "train" && r.converged) || Number.isFinite(r.residual)) && Number.isNaN(x) ? "—" : fmtNum(x));
  const rows = reports.map((r) => [
    r.adjointOf !== undefined ? `  ${r.name}` : r.name,
    r.kind,
    r.method,
    String(r.iterations),
    resid(r, r.residual),
    resid(r, r.relResidual),
    reasonCell(r),
    fmtTime(r.seconds),
  ]);
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((row) => width(row[i]))));
  // Colour goes on after padding, so escape codes never count towards a column's width.
  const line = (cells: string[], r?: Report) =>
    cells
      .map((c, i) => {
        const padded = pad(c, widths[i], numeric[i]);
        return r && i === REASON ? paint.paint(reasonStyle(r.reason), c) + padded.slice(c.length) : padded;
      })
      .join("  ")
      .trimEnd();
  const out = [line(header), widths.map((w) => "─".repeat(w)).join("  ")];
  rows.forEach((row, i) => out.push(line(row, reports[i])));

  const notes: string[] = [];
  for (const r of reports) {
    const bits: string[] = [];
    if (r.detail) bits.push(r.detail);
    if (r.recursiveResidual !== undefined && r.recursiveResidual !== r.residual && !r.converged && !r.detail) {
      bits.push(`recursive residual ${fmtNum(r.recursiveResidual)}, true residual ${fmtNum(r.residual)}`);
    }
    if (r.errorBound) {
      bits.push(
        `error bound ‖x − x*‖ ≤ ${fmtNum(r.errorBound.value)} (Lipschitz ${fmtNum(r.errorBound.lipschitz)}, ${r.errorBound.source})`,
      );
    }
    if (r.nullspace) bits.push(describeNullspace(r.nullspace));
    if (r.checkedEvery) bits.push(`residual read every ${r.checkedEvery} iterations (one round trip to the device per ${r.checkedEvery} steps; the steps past the deciding one discarded)`);
    if (r.historyTruncated) bits.push(`history truncated to the first and last ${HISTORY_KEEP} entries`);
    const work = describeCounts(r);
    if (work) bits.push(work);
    for (const i of r.inner ?? []) bits.push(describeInner(i));
    const mark = r.converged ? " " : paint.paint(reasonStyle(r.reason), "✗");
    for (const b of bits) notes.push(...wrapped(`  ${mark} ${r.name}: `, `  ${r.converged ? " " : "✗"} ${r.name}: `, b, options.width));
  }
  if (notes.length > 0) out.push("", ...notes);
  const failed = reports.filter((r) => !r.converged);
  if (failed.length > 0) {
    const summary = `${failed.length} of ${reports.length} did not converge: ${failed.map((r) => `${r.name} (${r.reason})`).join(", ")}`;
    // Yellow when every failure only ran out of iterations (or was stopped); red when something broke.
    const style = failed.every((r) => r.reason === "max_iterations" || r.reason === "aborted") ? "yellow" : "red";
    out.push("", ...wrapped("", "", summary, options.width).map((l) => paint.paint(style, l)));
  }
  return out.join("\n");
}

/** `19 operator applications, 19 preconditioner applications`, in the words of the report's kind. */
export function describeCounts(r: Report): string | undefined {
  const c = r.counts;
  if (!c) return undefined;
  const nonlinear = c.jacobian > 0;
  const what = r.kind === "fixpoint" ? "map evaluation" : nonlinear ? "function evaluation" : "operator application";
  const parts = [
    c.operator > 0 || r.kind !== "loop" ? plural(c.operator, what) : "",
    c.jacobian > 0 ? plural(c.jacobian, "Jacobian-vector product") : "",
    c.precond > 0 ? plural(c.precond, "preconditioner application") : "",
  ].filter((p) => p !== "");
  return parts.length ? parts.join(", ") + (r.inner?.length ? " (inner constructs included)" : "") : undefined;
}

function describeInner(i: InnerSummary): string {
  const failed = i.failed === 0 ? "all converged" : `${i.failed} did not converge`;
  return `inner \`${i.name}\` (${i.kind} ${i.method}): ${plural(i.runs, "run")}, ${plural(i.iterations, "iteration")} in all, ${failed}`;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/**
 * Reports in run order, except that an adjoint follows the construct it differentiates: the
 * latest one of that name that ran before it (and that construct's earlier adjoints).
 */
function nestAdjoints(reports: readonly Report[]): Report[] {
  const out: Report[] = [];
  for (const r of reports) {
    if (r.adjointOf === undefined) {
      out.push(r);
      continue;
    }
    let at = -1;
    for (let i = out.length - 1; i >= 0; i--)
      if (out[i].adjointOf === undefined && out[i].name === r.adjointOf) {
        at = i;
        break;
      }
    if (at < 0) {
      out.push(r);
      continue;
    }
    while (at + 1 < out.length && out[at + 1].adjointOf === r.adjointOf) at++;
    out.splice(at + 1, 0, r);
  }
  return out;
}

/**
 * `prefix + text`, wrapped to `width` when given, continuation lines indented to the text's
 * column (`plainPrefix` is the prefix without colour, to measure it).
 */
function wrapped(prefix: string, plainPrefix: string, text: string, width: number | undefined): string[] {
  if (width === undefined) return [prefix + text];
  const first = [...plainPrefix].length;
  // Continuations sit under the text, unless a long name put it past a third of the line.
  const indent = first <= width / 3 ? first : 6;
  return wrapText(text, width, first, indent).map((l, i) => (i === 0 ? prefix : " ".repeat(indent)) + l);
}

// ---------------------------------------------------------------------------------------------
// JSON

/**
 * A JSON-safe number: JSON has no NaN or ±Infinity, so those become the STRINGS `"NaN"`,
 * `"Infinity"` and `"-Infinity"` (strings rather than null, so that which one it was survives;
 * `reportFromJson` turns them back). Finite numbers stay numbers.
 */
export type JsonNumber = number | "NaN" | "Infinity" | "-Infinity";

export interface ReportJson {
  name: string;
  kind: Report["kind"];
  method: string;
  iterations: number;
  residual: JsonNumber;
  relResidual: JsonNumber;
  recursiveResidual?: JsonNumber;
  reason: Reason;
  converged: boolean;
  history: JsonNumber[];
  historyTruncated?: boolean;
  seconds: number;
  detail?: string;
  errorBound?: { value: JsonNumber; lipschitz: JsonNumber; source: "declared" | "estimated" };
  objective?: JsonNumber;
  objectiveHistory?: JsonNumber[];
  validationHistory?: JsonNumber[];
  adjointOf?: string;
  tolerance?: JsonNumber;
  engine?: string;
  counts?: Counts;
  inner?: InnerSummary[];
  nullspace?: { removed: JsonNumber; relative: JsonNumber };
  checkedEvery?: number;
}

export function jsonNumber(x: number): JsonNumber {
  if (Number.isFinite(x)) return x;
  if (Number.isNaN(x)) return "NaN";
  return x > 0 ? "Infinity" : "-Infinity";
}

function fromJsonNumber(x: JsonNumber | null): number {
  if (typeof x === "number") return x;
  if (x === "Infinity") return Infinity;
  if (x === "-Infinity") return -Infinity;
  return NaN; // "NaN", or null from a foreign writer
}

/** A plain, JSON-safe copy of a report (see `JsonNumber` for NaN and ±Infinity). */
export function reportToJson(r: Report): ReportJson {
  const out: ReportJson = {
    name: r.name,
    kind: r.kind,
    method: r.method,
    iterations: r.iterations,
    residual: jsonNumber(r.residual),
    relResidual: jsonNumber(r.relResidual),
    reason: r.reason,
    converged: r.converged,
    history: r.history.map(jsonNumber),
    seconds: Number.isFinite(r.seconds) ? r.seconds : 0,
  };
  if (r.recursiveResidual !== undefined) out.recursiveResidual = jsonNumber(r.recursiveResidual);
  if (r.historyTruncated) out.historyTruncated = true;
  if (r.detail !== undefined) out.detail = r.detail;
  if (r.adjointOf !== undefined) out.adjointOf = r.adjointOf;
  if (r.tolerance !== undefined) out.tolerance = jsonNumber(r.tolerance);
  if (r.objective !== undefined) out.objective = jsonNumber(r.objective);
  if (r.objectiveHistory) out.objectiveHistory = r.objectiveHistory.map(jsonNumber);
  if (r.validationHistory) out.validationHistory = r.validationHistory.map(jsonNumber);
  if (r.engine !== undefined) out.engine = r.engine;
  if (r.counts) out.counts = { ...r.counts };
  if (r.inner) out.inner = r.inner.map((i) => ({ ...i }));
  if (r.nullspace) out.nullspace = { removed: jsonNumber(r.nullspace.removed), relative: jsonNumber(r.nullspace.relative) };
  if (r.checkedEvery) out.checkedEvery = r.checkedEvery;
  if (r.errorBound) {
    out.errorBound = {
      value: jsonNumber(r.errorBound.value),
      lipschitz: jsonNumber(r.errorBound.lipschitz),
      source: r.errorBound.source,
    };
  }
  return out;
}

/** The inverse of `reportToJson` (also accepts null for NaN). */
export function reportFromJson(j: ReportJson): Report {
  const out: Report = {
    name: j.name,
    kind: j.kind,
    method: j.method,
    iterations: j.iterations,
    residual: fromJsonNumber(j.residual),
    relResidual: fromJsonNumber(j.relResidual),
    reason: j.reason,
    converged: j.converged,
    history: j.history.map(fromJsonNumber),
    seconds: j.seconds,
  };
  if (j.recursiveResidual !== undefined) out.recursiveResidual = fromJsonNumber(j.recursiveResidual);
  if (j.historyTruncated) out.historyTruncated = true;
  if (j.detail !== undefined) out.detail = j.detail;
  if (j.adjointOf !== undefined) out.adjointOf = j.adjointOf;
  if (j.tolerance !== undefined) out.tolerance = fromJsonNumber(j.tolerance);
  if (j.objective !== undefined) out.objective = fromJsonNumber(j.objective);
  if (j.objectiveHistory) out.objectiveHistory = j.objectiveHistory.map(fromJsonNumber);
  if (j.validationHistory) out.validationHistory = j.validationHistory.map(fromJsonNumber);
  if (j.engine !== undefined) out.engine = j.engine;
  if (j.counts) out.counts = { ...j.counts };
  if (j.inner) out.inner = j.inner.map((i) => ({ ...i }));
  if (j.nullspace) out.nullspace = { removed: fromJsonNumber(j.nullspace.removed), relative: fromJsonNumber(j.nullspace.relative) };
  if (j.checkedEvery) out.checkedEvery = j.checkedEvery;
  if (j.errorBound) {
    out.errorBound = {
      value: fromJsonNumber(j.errorBound.value),
      lipschitz: fromJsonNumber(j.errorBound.lipschitz),
      source: j.errorBound.source,
    };
  }
  return out;
}
