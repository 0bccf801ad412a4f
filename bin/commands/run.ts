// `iterc run`: compile and run a file's exports (on tfjs or the native backend), print a report
// per iterative construct and a summary of each export. Exit 3 when any construct did not converge.
import { existsSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { Command } from "commander";
import type { FloatDType } from "../../base/dtype.js";
import { MakeDirError, makeDir } from "../../runtime/fs/make-dir.js";
import { RUN_BACKENDS, type RunBackend } from "../../runtime/engine.js";
import { parseInputFlag, readInput } from "../../runtime/inputs.js";
import { writeNpyFile, type NpyArray } from "../../runtime/npy.js";
import { painterFor } from "../../runtime/monitor/colour.js";
import { writeHistoryCsv, writePlots } from "../../runtime/monitor/write-plots.js";
import { ProgressLine } from "../../runtime/monitor/progress-line.js";
import { fmtNum, fmtTime, renderReports, reportToJson } from "../../runtime/report.js";
import { type ExportedValue, runSource } from "../../runtime/run.js";
import { EXIT, hasErrors, printDiagnostics, readSource, UsageError } from "./io.js";
import { HELP } from "./help.js";
import { diagnosticJson, failureJson } from "./json-diagnostics.js";
import { collect, sizesFor } from "./options.js";
import { tagsHold } from "./verify-tags.js";
import { runObserver } from "./watch.js";

interface RunFlags {
  input?: string[];
  set?: string[];
  backend: string;
  precision: string;
  json?: boolean;
  out?: string;
  values?: boolean;
  plot?: string;
  history?: string;
  dataRoot?: string;
  resume?: string;
  quiet?: boolean;
  monitor?: boolean;
  monitorEvery?: string;
  verifyTags?: boolean;
}

function backendName(s: string): RunBackend {
  if ((RUN_BACKENDS as readonly string[]).includes(s)) return s as RunBackend;
  throw new UsageError(`\`--backend ${s}\` is not a backend.`, `choose one of ${RUN_BACKENDS.join(", ")}.`);
}

function precisionName(s: string): FloatDType {
  if (s === "f32" || s === "f64") return s;
  throw new UsageError(`\`--precision ${s}\` is not a precision.`, "choose f32 (float32, every backend) or f64 (float64, the native backend).");
}

/** min, max, mean and 2-norm of an export, and its values when there are few. */
function summary(e: ExportedValue): Record<string, number> {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sq = 0;
  for (const x of e.data) {
    min = Math.min(min, x);
    max = Math.max(max, x);
    sum += x;
    sq += x * x;
  }
  const n = e.data.length;
  return n === 0 ? {} : { min, max, mean: sum / n, norm: Math.sqrt(sq) };
}

function fmt(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 1e6 ? String(x) : x.toPrecision(6);
}

function renderExports(exports: ExportedValue[]): string {
  const lines = ["exports:"];
  for (const e of exports) {
    const s = summary(e);
    const shape = `[${e.shape.join(", ")}]`;
    const values = e.data.length <= 8 ? `  = [${[...e.data].map(fmt).join(", ")}]` : "";
    const stats = Object.entries(s).map(([k, v]) => `${k} ${fmt(v)}`).join("  ");
    lines.push(`  ${e.name}: ${e.dtype} ${shape}${values}${e.data.length > 8 ? `  ${stats}` : ""}`);
  }
  return lines.join("\n");
}

/** The folder of `--out`, made before running so that a bad path fails at once. */
function makeOutDir(dir: string): void {
  if (dir.trim() === "") throw new UsageError("`--out` needs a folder to write the .npy files into, and was given an empty name.", "for example `--out results`.");
  try {
    makeDir(dir);
  } catch (e) {
    if (!(e instanceof MakeDirError)) throw e;
    throw new UsageError(`I can't create the folder \`${dir}\` for \`--out\`: ${e.message}.`, "give a folder you can write to.");
  }
}

/** `--plot DIR` must be a folder or not exist yet: said before the run, not after it. */
function checkFolder(dir: string, flag: string, what: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`\`${flag} ${dir}\` names a file, not a folder.`, `give a folder to write ${what} into.`);
}

/** `--history FILE` must not be a folder: said before the run (its folder is created after it). */
function checkFileTarget(path: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`\`--history ${path}\` names a folder, not a file.`, "give a file name, e.g. `--history history.csv`.");
}

/** The data of every `--input`; notes on how they were read (a float64 cast) go to stderr. */
function loadInputs(items: string[] | undefined): Map<string, NpyArray> {
  const out = new Map<string, NpyArray>();
  for (const item of items ?? []) {
    const [name, path] = parseInputFlag(item);
    if (out.has(name)) throw new UsageError(`The input \`${name}\` is given twice.`);
    out.set(name, readInput(name, path));
  }
  return out;
}

export function registerRun(program: Command, setCode: (c: number) => void): void {
  program
    .command("run")
    .description("compile and run a .iter file; print convergence reports and exports")
    .argument("<file>", "the .iter file")
    .option("--input <name=file>", "give an input from a .npy or .json file (repeatable)", collect, [])
    .option("--set <size=value>", "give a size a value, e.g. --set N=63 (repeatable)", collect, [])
    .option("--backend <name>", `tensor backend: ${RUN_BACKENDS.join(", ")}`, "auto")
    .option("--precision <f32|f64>", "compute f32 values in float32 or float64 (f64 runs on the native backend)", "f32")
    .option("--json", "print one JSON object instead of tables")
    .option("--values", "with --json, include every export's values")
    .option("--out <dir>", "write each export as DIR/NAME.npy")
    .option("--plot <dir>", "write DIR/NAME.svg, each construct's residual history, and DIR/all.svg, all of them together")
    .option("--history <file.csv>", "write every residual history to a CSV file: construct,iteration,residual")
    .option("--data-root <dir>", "the folder `data` files may come from (default: the .iter file's folder)")
    .option("--resume <dir>", "continue a `train` block from the checkpoint in DIR")
    .option("--monitor", "print one line per iteration of each construct as it runs (nested ones indented)")
    .option("--monitor-every <k>", "with --monitor, print iteration 0, every k-th and the last (implies --monitor)")
    .option("--quiet", "no progress line on the terminal")
    .option("--verify-tags", "first check that every op tagged `spd` or `symmetric` is symmetric on one random pair (exit 4 if not)")
    .addHelpText("after", HELP.run)
    .action(async (file: string, flags: RunFlags) => {
      const source = readSource(file);
      const backend = backendName(flags.backend);
      const precision = precisionName(flags.precision);
      const observer = runObserver(flags);
      const sizes = sizesFor(source, file, flags.set);
      if (flags.out !== undefined) makeOutDir(flags.out);
      const inputs = loadInputs(flags.input);
      if (flags.plot) checkFolder(flags.plot, "--plot", "the SVG files");
      if (flags.history) checkFileTarget(flags.history);
      // The tags are verified on tfjs (the native backend has no tensor API of its own for the probe).
      if (flags.verifyTags && !(await tagsHold(file, source, sizes, backend === "native" ? "auto" : backend))) return setCode(EXIT.contractFailed);
      const progress = new ProgressLine(process.stderr, { quiet: flags.quiet === true || flags.json === true });
      const onTrainStep = (label: string, step: number, epoch: number, loss: number, seconds: number, p: { total: number; first: number }) => {
        const rate = (step - p.first) / Math.max(seconds, 1e-9);
        const eta = rate > 0 ? fmtTime((p.total - step) / rate) : "—";
        progress.update(`train ${label}`, [["step", `${step} / ${p.total}`], ["epoch", String(epoch + 1)], ["loss", fmtNum(loss)], ["steps/s", rate.toFixed(1)], ["ETA", eta]]);
      };
      let out;
      try {
        const training = { onTrainStep, ...(flags.dataRoot ? { dataRoot: flags.dataRoot } : {}), ...(flags.resume ? { resume: flags.resume } : {}) };
        out = await runSource(source, { file, sizes, inputs, backend, precision, ...training, ...(observer ? { observer } : {}) });
      } finally {
        progress.clear();
      }
      if (!flags.json) printDiagnostics(out.diagnostics, file, source);
      if (hasErrors(out.diagnostics) || !out.backend) {
        if (flags.json) process.stdout.write(failureJson(out.diagnostics.map(diagnosticJson)));
        setCode(EXIT.user);
        return;
      }
      if (flags.out !== undefined) {
        for (const e of out.exports) await writeNpyFile(join(flags.out, `${e.name}.npy`), { dtype: e.dtype, shape: e.shape, data: e.data });
      }
      const written: string[] = [];
      if (flags.plot) {
        const paths = await writePlots(flags.plot, out.reports, basename(file));
        written.push(`plots: ${paths.length} SVG file${paths.length === 1 ? "" : "s"} in ${flags.plot} (${basename(paths.at(-1)!)} has every history)`);
      }
      if (flags.history) {
        const rows = await writeHistoryCsv(flags.history, out.reports);
        written.push(`history: ${flags.history} (${rows} row${rows === 1 ? "" : "s"})`);
      }
      if (flags.json) {
        const exports = Object.fromEntries(out.exports.map((e) => [e.name, { dtype: e.dtype, shape: e.shape, ...summary(e), ...(flags.values || e.data.length <= 8 ? { values: [...e.data] } : {}) }]));
        const stopped = out.stopped ? { stopped: out.stopped } : {};
        const json = { ok: !out.stopped, ...stopped, diagnostics: out.diagnostics.map(diagnosticJson), backend: out.backend.name, sizes: Object.fromEntries(out.sizes ?? []), exports, reports: out.reports.map(reportToJson) };
        process.stdout.write(JSON.stringify(json, null, 2) + "\n");
      } else {
        // Monitor lines above: the report is set apart from them.
        process.stdout.write(`${flags.monitor || flags.monitorEvery ? "\n" : ""}backend: ${out.backend.description}\n`);
        if (out.sizes?.size) process.stdout.write(`sizes: ${[...out.sizes].map(([k, v]) => `${k} = ${v}`).join(", ")}\n`);
        const tty = process.stdout.isTTY === true;
        if (out.reports.length) process.stdout.write(`\n${renderReports(out.reports, { painter: painterFor(process.stdout), ...(tty && process.stdout.columns ? { width: process.stdout.columns } : {}) })}\n`);
        if (out.stopped) process.stdout.write(`\nThe run stopped: ${out.stopped}. No export was computed.\n`);
        else process.stdout.write(`\n${renderExports(out.exports)}\n`);
        if (written.length) process.stdout.write(`\n${written.join("\n")}\n`);
      }
      setCode(out.reports.every((r) => r.converged) ? EXIT.ok : EXIT.notConverged);
    });
}
