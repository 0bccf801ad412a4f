// `iterc check`: names, types and shapes first (exit 2 on an error); then every contract of the
// file — its `check`s and its ops' structure tags — run as a property test with a fixed seed.
// Exit 0 when all hold, 4 when one fails (its shrunk counterexample is saved and can be rerun
// with `--replay`), 2 for a mistake in the file or a flag.
import { basename, extname, join } from "node:path";
import type { Command } from "commander";
import type { Diagnostic } from "../../base/diagnostics.js";
import { memoryLimit } from "../../runtime/limits.js";
import { checkFile, type ContractOutcome } from "../../runtime/contracts/contract-check.js";
import { loadCounterexample, runCommand, saveCounterexample } from "../../runtime/contracts/counterexample.js";
import { failureDiagnostic, measureText, outcomeLines, type SavedAt } from "../../runtime/contracts/render.js";
import { replay } from "../../runtime/contracts/replay.js";
import { painterFor } from "../../runtime/monitor/colour.js";
import { BACKEND_NAMES, type BackendName, selectBackend } from "../../runtime/tfjs/backend.js";
import { EXIT, hasErrors, printDiagnostics, readSource, UsageError } from "./io.js";
import { HELP } from "./help.js";
import { diagnosticJson } from "./json-diagnostics.js";
import { collect, sizesFor } from "./options.js";

interface CheckFlags {
  set?: string[];
  seed: string;
  runs: string;
  backend: string;
  save: string;
  replay?: string;
  line?: string[];
  contracts: boolean;
  json?: boolean;
}

function whole(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`\`${flag} ${value}\` is not a whole number ≥ ${min}.`);
  return n;
}

function backendName(s: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(s)) return s as BackendName;
  throw new UsageError(`\`--backend ${s}\` is not a backend.`, `choose one of ${BACKEND_NAMES.join(", ")}.`);
}

export function registerCheck(program: Command, setCode: (c: number) => void): void {
  program
    .command("check")
    .description("check names, types and shapes of a .iter file, then run its contracts (check declarations and structure tags) as property tests")
    .argument("<file>", "the .iter file")
    .option("--set <size=value>", "give a size a value, e.g. --set N=63 (repeatable)", collect, [])
    .option("--seed <n>", "the seed of the contracts' random draws", "1")
    .option("--runs <n>", "random runs per contract", "20")
    .option("--backend <name>", `tensor backend: ${BACKEND_NAMES.join(", ")}`, "auto")
    .option("--save <dir>", "where a failing contract's counterexample is saved", "iterc-counterexamples")
    .option("--replay <dir>", "rerun the contract of a saved counterexample on its values")
    .option("--line <n>", "run only the contracts written on this line (repeatable)", collect, [])
    .option("--no-contracts", "check names, types and shapes only")
    .option("--json", "print the diagnostics (and each contract's verdict) as one JSON object on stdout")
    .addHelpText("after", HELP.check)
    .action(async (file: string, flags: CheckFlags) => {
      const source = readSource(file);
      if (flags.replay) return setCode(await replayCommand(file, source, flags.replay, backendName(flags.backend)));
      setCode(await checkCommand(file, source, flags));
    });
}

async function checkCommand(file: string, source: string, flags: CheckFlags): Promise<number> {
  const backend = backendName(flags.backend);
  const options = {
    file,
    sizes: sizesFor(source, file, flags.set),
    seed: whole("--seed", flags.seed, 0),
    runs: whole("--runs", flags.runs, 1),
    memory: memoryLimit(),
    ...(flags.line?.length ? { lines: new Set(flags.line.map((l) => whole("--line", l, 1))) } : {}),
  };
  const checked = checkFile(async () => (await selectBackend(backend)).tf, source, options);
  if (flags.json) return checkAsJson(file, checked, flags);
  printDiagnostics(checked.diagnostics, file, source);
  if (hasErrors(checked.diagnostics)) return EXIT.user;
  process.stdout.write(`${file}: no errors\n`);
  if (!flags.contracts || checked.contracts.length === 0) return EXIT.ok;
  const paint = painterFor(process.stdout);
  process.stdout.write(`\ncontracts (seed ${options.seed}, up to ${options.runs} runs each):\n`);
  const later: Diagnostic[] = [];
  const counts = { holds: 0, fails: 0, error: 0 };
  for await (const o of checked.run()) {
    counts[o.status]++;
    process.stdout.write(outcomeLines(o, paint).join("\n") + "\n");
    if (o.status === "error") later.push(...o.diagnostics);
    if (o.status === "fails") later.push(failureDiagnostic(o, file, await save(file, flags.save, o)));
  }
  process.stdout.write(`\n${checked.contracts.length} contract${checked.contracts.length === 1 ? "" : "s"}: ${counts.holds} hold, ${counts.fails} fail${counts.error ? `, ${counts.error} cannot be run` : ""}\n`);
  if (later.length) printDiagnostics(later, file, source);
  return counts.fails ? EXIT.contractFailed : counts.error ? EXIT.user : EXIT.ok;
}

/** `--json`: one object, { file, ok, diagnostics, contracts: [{ line, contract, status }] }; a failure saves its counterexample as usual. */
async function checkAsJson(file: string, checked: ReturnType<typeof checkFile>, flags: CheckFlags): Promise<number> {
  const diagnostics = [...checked.diagnostics];
  const contracts: { line: number; contract: string; status: string }[] = [];
  if (!hasErrors(diagnostics) && flags.contracts)
    for await (const o of checked.run()) {
      contracts.push({ line: o.contract.span.start.line, contract: o.contract.record.name, status: o.status });
      if (o.status === "error") diagnostics.push(...o.diagnostics);
      if (o.status === "fails") diagnostics.push(failureDiagnostic(o, file, await save(file, flags.save, o)));
    }
  const failed = contracts.some((c) => c.status === "fails");
  process.stdout.write(JSON.stringify({ file, ok: !hasErrors(diagnostics) && !failed, diagnostics: diagnostics.map(diagnosticJson), contracts }, null, 2) + "\n");
  return hasErrors(checked.diagnostics) ? EXIT.user : failed ? EXIT.contractFailed : contracts.some((c) => c.status === "error") ? EXIT.user : EXIT.ok;
}

/** Saves a counterexample in DIR/FILE-LINE-CONTRACT/ and says how to rerun it. */
async function save(file: string, root: string, o: ContractOutcome): Promise<SavedAt> {
  const cx = o.result!.counterexample!;
  const dir = join(root, `${basename(file, extname(file))}-${o.contract.span.start.line}-${o.contract.record.name}`);
  const saved = await saveCounterexample(dir, file, o.plan!, o.seed, cx.drawn, cx.measures);
  const run = runCommand(file, dir, o.plan!);
  return { dir, files: [...saved.values.map((v) => v.file), "counterexample.json"], replay: `iterc check ${file} --replay ${dir}`, ...(run ? { run } : {}) };
}

async function replayCommand(file: string, source: string, dir: string, backend: BackendName): Promise<number> {
  const { saved, drawn } = await loadCounterexample(dir);
  const tf = (await selectBackend(backend)).tf;
  const r = replay(tf, source, file, saved, drawn, memoryLimit());
  printDiagnostics(r.diagnostics, file, source);
  if (!r.outcome) return EXIT.user;
  const verdict = r.outcome.holds ? "holds on these values" : "fails on these values";
  process.stdout.write(`line ${r.plan!.contract.span.start.line}  ${saved.contract}: ${verdict}\n${r.outcome.measures.map((m) => `  ${measureText(m)}`).join("\n")}\n`);
  return r.outcome.holds ? EXIT.ok : EXIT.contractFailed;
}
