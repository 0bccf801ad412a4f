// `iterc run`: compile and run a file's exports on tfjs, print a report per iterative
// construct and a summary of each export. Exit 3 when any construct did not converge.
import { join } from "node:path";
import type { Command } from "commander";
import { printModule } from "../../compiler/ir/print.js";
import { compileSource } from "../../compiler/compile.js";
import { MakeDirError, makeDir } from "../../runtime/fs/make-dir.js";
import { BACKEND_NAMES, type BackendName } from "../../runtime/backend.js";
import { parseInputFlag, readInput } from "../../runtime/inputs.js";
import { writeNpyFile, type NpyArray } from "../../runtime/npy.js";
import { renderReports, reportToJson } from "../../runtime/report.js";
import { type ExportedValue, runSource } from "../../runtime/run.js";
import { EXIT, hasErrors, printDiagnostics, readSource, UsageError } from "./io.js";
import { collect, sizesFor } from "./options.js";

interface RunFlags {
  input?: string[];
  set?: string[];
  backend: string;
  json?: boolean;
  out?: string;
  values?: boolean;
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

/** The data of every `--input`; notes on how they were read (a float64 cast) go to stderr. */
function loadInputs(items: string[] | undefined): Map<string, NpyArray> {
  const out = new Map<string, NpyArray>();
  for (const item of items ?? []) {
    const [name, path] = parseInputFlag(item);
    if (out.has(name)) throw new UsageError(`The input \`${name}\` is given twice.`);
    const { array, notes } = readInput(name, path);
    for (const note of notes) process.stderr.write(`note: ${note}\n`);
    out.set(name, array);
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
    .action(async (file: string, flags: RunFlags) => {
      const source = readSource(file);
      const backend = backendName(flags.backend);
      const sizes = sizesFor(source, file, flags.set);
      if (flags.out !== undefined) makeOutDir(flags.out);
      const inputs = loadInputs(flags.input);
      const out = await runSource(source, { file, sizes, inputs, backend });
      printDiagnostics(out.diagnostics, file, source);
      if (hasErrors(out.diagnostics) || !out.backend) {
        setCode(EXIT.user);
        return;
      }
      if (flags.out !== undefined) {
        for (const e of out.exports) await writeNpyFile(join(flags.out, `${e.name}.npy`), { dtype: e.dtype, shape: e.shape, data: e.data });
      }
      if (flags.json) {
        const exports = Object.fromEntries(out.exports.map((e) => [e.name, { dtype: e.dtype, shape: e.shape, ...summary(e), ...(flags.values || e.data.length <= 8 ? { values: [...e.data] } : {}) }]));
        const json = { backend: out.backend.name, sizes: Object.fromEntries(out.sizes ?? []), exports, reports: out.reports.map(reportToJson) };
        process.stdout.write(JSON.stringify(json, null, 2) + "\n");
      } else {
        process.stdout.write(`backend: ${out.backend.description}\n`);
        if (out.sizes?.size) process.stdout.write(`sizes: ${[...out.sizes].map(([k, v]) => `${k} = ${v}`).join(", ")}\n`);
        if (out.reports.length) process.stdout.write(`\n${renderReports(out.reports)}\n`);
        process.stdout.write(`\n${renderExports(out.exports)}\n`);
      }
      setCode(out.reports.every((r) => r.converged) ? EXIT.ok : EXIT.notConverged);
    });

  program
    .command("compile")
    .description("compile a .iter file and print its IR (TypeScript output is planned)")
    .argument("<file>", "the .iter file")
    .option("--emit <what>", "what to print: ir", "ir")
    .option("--set <size=value>", "give a size a value, e.g. --set N=63 (repeatable)", collect, [])
    .option("--dump-after <pass>", "print the IR after this pass: lower, specialise, fold, cse, dce")
    .action((file: string, flags: { emit: string; set?: string[]; dumpAfter?: string }) => {
      if (flags.emit !== "ir") throw new UsageError(`\`--emit ${flags.emit}\` is not available yet.`, "`--emit ir` prints the IR; TypeScript modules come with the code generator (planned).");
      const source = readSource(file);
      const compiled = compileSource(source, {
        file,
        sizes: sizesFor(source, file, flags.set),
        ...(flags.dumpAfter ? { dumpAfter: flags.dumpAfter, dump: (pass: string, text: string) => void process.stdout.write(`// after ${pass}\n${text}\n`) } : {}),
      });
      printDiagnostics(compiled.diagnostics, file, source);
      if (!compiled.module) {
        setCode(EXIT.user);
        return;
      }
      if (!flags.dumpAfter) process.stdout.write(printModule(compiled.module) + "\n");
    });
}
