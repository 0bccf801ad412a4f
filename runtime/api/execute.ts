// One run as the library API gives it: a request of plain data in, a RunResult of plain data
// out, events to a callback as the run goes. It runs in the current thread, synchronously
// between its awaits: `run` (run.ts) calls it in a worker thread, so that the caller's event
// loop keeps turning. A mistake in the program or its data is a diagnostic; only a bug (or a
// backend that cannot start) is thrown.
import { type Diagnostic } from "../../base/diagnostics.js";
import { FILE_START } from "../../base/span.js";
import { checkSource } from "../../compiler/compile.js";
import { dimValue } from "../../compiler/shapes.js";
import type * as A from "../../grammar/ast.js";
import { parse } from "../../grammar/parse.js";
import { InputError } from "../inputs.js";
import type { RunEvent, RunObserver } from "../monitor/events.js";
import { OutOfMemoryError, type RunOutput, runSource } from "../run.js";
import type { Report } from "../report.js";
import type { BackendName } from "../tfjs/backend-names.js";
import { type DeclaredShape, readInputs } from "./inputs.js";
import type { InputValue, RunResult, TensorValue } from "./types.js";

/** What a run is asked to do: plain data, as it crosses to a worker thread. */
export interface RunRequest {
  source: string;
  file: string;
  sizes: Record<string, number>;
  inputs: Record<string, InputValue>;
  backend: BackendName | "native";
  precision?: "f32" | "f64";
  dataRoot?: string;
  resume?: string;
  /** Which events the caller listens to: none costs nothing. */
  events: { iterations: boolean; runs: boolean };
}

export interface RunHooks {
  onEvent?: (e: RunEvent) => void;
  shouldStop?: () => boolean;
}

const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === "error");

export async function execute(req: RunRequest, hooks: RunHooks = {}): Promise<RunResult> {
  const parsed = parse(req.source, req.file);
  if (hasErrors(parsed.diagnostics)) return failed(parsed.diagnostics);
  const badSizes = checkSizes(parsed.program, req.sizes);
  if (badSizes.length) return failed(badSizes);
  const sizes = new Map(Object.entries(req.sizes));
  const inputs = readInputs(parsed.program, req.inputs, declaredShapes(req, sizes));
  if (inputs.diagnostics.length) return failed(inputs.diagnostics);
  const observer = observerFor(req, hooks);
  try {
    const out = await runSource(req.source, { file: req.file, sizes, inputs: inputs.arrays, backend: req.backend, ...(req.precision ? { precision: req.precision } : {}), ...(req.dataRoot ? { dataRoot: req.dataRoot } : {}), ...(req.resume ? { resume: req.resume } : {}), ...(observer ? { observer } : {}), ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}) });
    return resultOf(out);
  } catch (e) {
    const d = asDiagnostic(e, parsed.program);
    if (d) return failed([...parsed.diagnostics, d]);
    throw e;
  }
}

function observerFor(req: RunRequest, hooks: RunHooks): RunObserver | undefined {
  const emit = hooks.onEvent;
  if (!emit || !(req.events.iterations || req.events.runs)) return undefined;
  return {
    ...(req.events.iterations ? { onIteration: (event) => emit({ type: "iteration", event }) } : {}),
    ...(req.events.runs ? { onStart: (run) => emit({ type: "start", run }), onEnd: (run, report) => emit({ type: "end", run, report }) } : {}),
  };
}

/** Each size given must be a whole number ≥ 0 (the CLI's `--set` cannot give anything else). */
function checkSizes(program: A.Program, sizes: Readonly<Record<string, unknown>>): Diagnostic[] {
  return Object.entries(sizes).flatMap(([name, v]): Diagnostic[] => {
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return [];
    const dim = program.decls.flatMap((d) => (d.kind === "Dim" ? d.items : [])).find((i) => i.name.name === name);
    const what = typeof v === "number" ? String(v) : JSON.stringify(v) ?? String(v);
    return [{ severity: "error", code: "bad-size", message: `The size \`${name}\` was given ${what}, but a size is a whole number ≥ 0.`, file: program.file, span: dim?.name.span ?? FILE_START }];
  });
}

/**
 * The declared shapes of the inputs, for data given without one: the program elaborated with
 * the sizes and the shapes given so far (only when some data came without a shape).
 */
function declaredShapes(req: RunRequest, sizes: ReadonlyMap<string, number>): DeclaredShape {
  let typed: ReturnType<typeof checkSource>["typed"] | null = null;
  return (name) => {
    if (typed === null) {
      const shapes = new Map(Object.entries(req.inputs).flatMap(([k, v]) => (typeof v === "object" && v !== null && "shape" in v && Array.isArray(v.shape) ? [[k, v.shape as number[]]] : [])));
      typed = checkSource(req.source, { file: req.file, sizes, inputShapes: shapes }).typed;
    }
    const decl = typed?.decls.find((d) => d.k === "input" && d.sym.name === name);
    if (decl?.k !== "input") return undefined;
    const dims = decl.sym.type.shape.map(dimValue);
    return dims.every((d): d is number => d !== undefined) ? dims : undefined;
  };
}

/** A user's mistake the executor throws (data that does not fit, memory), as a diagnostic. */
function asDiagnostic(e: unknown, program: A.Program): Diagnostic | undefined {
  if (e instanceof InputError) return { severity: "error", code: "bad-input", message: e.message, file: program.file, span: FILE_START };
  if (e instanceof OutOfMemoryError) return { severity: "error", code: "too-large", message: e.message, file: program.file, span: FILE_START };
  // Any other mistake of the user's the runtime found (a data file, a checkpoint): a diagnostic
  // too. A backend that cannot start is not the program's: it rejects (BackendUnavailableError).
  if (e instanceof Error && (e as { isUserError?: unknown }).isUserError === true && e.name !== "BackendUnavailableError") {
    const hint = (e as { hint?: unknown }).hint;
    return { severity: "error", code: e.name === "DataError" ? "bad-data" : "bad-input", message: e.message, file: program.file, span: FILE_START, ...(typeof hint === "string" ? { hint } : {}) };
  }
  return undefined;
}

function failed(diagnostics: Diagnostic[]): RunResult {
  return { ok: false, converged: false, exports: {}, reports: {}, diagnostics, sizes: {} };
}

function resultOf(out: RunOutput): RunResult {
  const reports = keyedReports(out.reports);
  const stopped = out.stopped === undefined ? {} : { stopped: { reason: out.aborted ? ("aborted" as const) : ("backward_failed" as const), message: out.stopped } };
  return {
    ok: !hasErrors(out.diagnostics) && out.backend !== undefined && out.stopped === undefined,
    converged: out.reports.every((r) => r.converged),
    exports: Object.fromEntries(out.exports.map((e): [string, TensorValue] => [e.name, { dtype: e.dtype, shape: e.shape, data: e.data }])),
    reports,
    diagnostics: out.diagnostics,
    ...stopped,
    ...(out.backend ? { backend: out.backend.name } : {}),
    sizes: Object.fromEntries(out.sizes ?? []),
  };
}

/** Reports by name, in run order; the second of a name is `name#2`, and so on. */
export function keyedReports(reports: readonly Report[]): Record<string, Report> {
  const used = new Set<string>();
  const entries = reports.map((r): [string, Report] => {
    let key = r.name;
    for (let i = 2; used.has(key); i++) key = `${r.name}#${i}`;
    used.add(key);
    return [key, r];
  });
  // fromEntries defines own properties: a construct named `__proto__` is a key like any other.
  return Object.fromEntries(entries);
}
