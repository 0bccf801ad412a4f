// `iterc run`: compile and run a file's exports on tfjs, print a report per iterative
// construct and a summary of each export. Exit 3 when any construct did not converge.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { Command } from "commander";
import { BACKEND_NAMES, type BackendName } from "../../runtime/tfjs/backend.js";
import { parseInputFlag, readInputFile } from "../../runtime/inputs.js";
import { writeNpyFile, type NpyArray } from "../../runtime/npy.js";
import { painterFor } from "../../runtime/monitor/colour.js";
import { writeHistoryCsv, writePlots } from "../../runtime/monitor/write-plots.js";
import { renderReports, reportToJson } from "../../runtime/report.js";
import { type ExportedValue, runSource } from "../../runtime/run.js";
import { EXIT, hasErrors, printDiagnostics, readSource, UsageError } from "./io.js";
import { collect, parseSizes } from "./options.js";

interface RunFlags {
  input?: string[];
  set?: string[];
  backend: string;
  json?: boolean;
  out?: string;
  values?: boolean;
  plot?: string;
  history?: string;
}

function backendName(s: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(s)) return s as BackendName;
  throw new UsageError(`\`--backend ${s}\` is not a backend.`, `choose one of ${BACKEND_NAMES.join(", ")}.`);
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

function makeOutDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`\`--out ${dir}\` names a file, not a folder.`, "give a folder to write the .npy files into.");
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`I can't create the folder \`${dir}\`: ${(e as Error).message}`);
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

async function loadInputs(items: string[] | undefined): Promise<Map<string, NpyArray>> {
  const out = new Map<string, NpyArray>();
  for (const item of items ?? []) {
    const [name, path] = parseInputFlag(item);
    if (out.has(name)) throw new UsageError(`The input \`${name}\` is given twice.`);
    out.set(name, await readInputFile(path));
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
    .option("--backend <name>", `tensor backend: ${BACKEND_NAMES.join(", ")}`, "auto")
    .option("--json", "print one JSON object instead of tables")
    .option("--values", "with --json, include every export's values")
    .option("--out <dir>", "write each export as DIR/NAME.npy")
    .option("--plot <dir>", "write DIR/NAME.svg, each construct's residual history, and DIR/all.svg, all of them together")
    .option("--history <file.csv>", "write every residual history to a CSV file: construct,iteration,residual")
    .action(async (file: string, flags: RunFlags) => {
      const source = readSource(file);
      const backend = backendName(flags.backend);
      const inputs = await loadInputs(flags.input);
      if (flags.plot) checkFolder(flags.plot, "--plot", "the SVG files");
      if (flags.history) checkFileTarget(flags.history);
      const sizes = parseSizes(flags.set);
      const out = await runSource(source, { file, sizes, inputs, backend });
      printDiagnostics(out.diagnostics, file, source);
      if (hasErrors(out.diagnostics) || !out.backend) {
        setCode(EXIT.user);
        return;
      }
      if (flags.out) {
        makeOutDir(flags.out);
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
        const json = { backend: out.backend.name, sizes: Object.fromEntries(out.sizes ?? []), exports, reports: out.reports.map(reportToJson) };
        process.stdout.write(JSON.stringify(json, null, 2) + "\n");
      } else {
        process.stdout.write(`backend: ${out.backend.description}\n`);
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
