// The fuzzer's worker thread: takes one program at a time through parse → format → check → run
// with the programmatic API, and says how far it got and how it ended. It posts the stage it
// enters before entering it, so that the pool knows where a program hung or crashed.
import { parentPort } from "node:worker_threads";
import { check, format, parse, run } from "../../../index.js";
import type { Job, Outcome, Stage, WorkerMessage } from "./protocol.js";
import { sizesFor } from "./protocol.js";

const port = parentPort;
if (!port) throw new Error("the fuzz worker runs in a worker thread");

const post = (m: WorkerMessage) => port.postMessage(m);
const hasErrors = (ds: readonly { severity: string }[]) => ds.some((d) => d.severity === "error");

function thrown(stage: Stage, e: unknown): Outcome {
  const err = e instanceof Error ? e : new Error(String(e));
  const user = (err as { isUserError?: unknown }).isUserError === true;
  return { end: user ? "rejected" : "internal", stage, error: { name: err.name, message: err.message, stack: err.stack ?? "" } };
}

/** A broken invariant of iterlang that is not an exception: reported as an internal error. */
function invariant(stage: Stage, name: string, message: string): Outcome {
  return { end: "internal", stage, error: { name, message, stack: "" } };
}

async function evaluate(job: Job): Promise<Outcome> {
  const file = "fuzz.iter";
  post({ type: "stage", id: job.id, stage: "parse" });
  let parsed;
  try {
    parsed = parse(job.source, file);
  } catch (e) {
    return thrown("parse", e);
  }
  if (hasErrors(parsed.diagnostics)) return { end: "rejected", stage: "parse" };

  post({ type: "stage", id: job.id, stage: "format" });
  try {
    const out = format(parsed.program);
    const again = parse(out, file);
    if (hasErrors(again.diagnostics)) return invariant("format", "FormatRoundTrip", `the formatted program does not parse: ${again.diagnostics[0].message}`);
  } catch (e) {
    return thrown("format", e);
  }

  const sizes = sizesFor(parsed.program, job.id);
  post({ type: "stage", id: job.id, stage: "check" });
  let warned: string[];
  try {
    const checked = check(job.source, { file, sizes: Object.fromEntries(sizes) });
    if (hasErrors(checked.diagnostics)) return { end: "rejected", stage: "check" };
    warned = checked.diagnostics.filter((d) => d.severity === "warning").map((d) => d.code);
  } catch (e) {
    return thrown("check", e);
  }

  if (!job.run) return { end: "completed", stage: "check" };
  post({ type: "stage", id: job.id, stage: "run", warned });
  try {
    const out = await run(job.source, { file, sizes: Object.fromEntries(sizes), backend: job.backend });
    if (hasErrors(out.diagnostics)) return { end: "rejected", stage: "run" };
    const silent = Object.values(out.reports).find((r) => !r.converged && !r.detail);
    if (silent) return invariant("run", "ReportWithoutDetail", `the report of \`${silent.name}\` (${silent.reason}) has no detail`);
    return { end: "completed", stage: "run" };
  } catch (e) {
    return thrown("run", e);
  }
}

port.on("message", (job: Job) => {
  void evaluate(job).then((outcome) => post({ type: "done", id: job.id, outcome }));
});
