// `iterc parse`, `iterc fmt`, `iterc check`: the commands that need no tensors.
import { writeFileAtomic } from "../../runtime/fs/atomic-write.js";
import type { Command } from "commander";
import { checkSource } from "../../compiler/compile.js";
import { memoryLimit } from "../../runtime/limits.js";
import { format } from "../../grammar/format.js";
import { EXIT, hasErrors, load, printDiagnostics, readSource, UsageError } from "./io.js";
import { HELP } from "./help.js";
import { diagnosticJson } from "./json-diagnostics.js";
import { collect, sizesFor } from "./options.js";

type SetCode = (code: number) => void;

export function registerFrontEnd(program: Command, setCode: SetCode): void {
  program
    .command("parse")
    .description("parse a .iter file and print its syntax tree")
    .argument("<file>", "the .iter file")
    .option("--json", "print the AST as JSON (the only format for now)")
    .option("--spans", "keep source spans in the JSON")
    .addHelpText("after", HELP.parse)
    .action((file: string, opts: { json?: boolean; spans?: boolean }) => {
      const { source, parsed } = load(file);
      printDiagnostics(parsed.diagnostics, file, source);
      const replacer = opts.spans ? undefined : (k: string, v: unknown) => (k === "span" ? undefined : v);
      process.stdout.write(JSON.stringify(parsed.program, replacer, 2) + "\n");
      setCode(hasErrors(parsed.diagnostics) ? EXIT.user : EXIT.ok);
    });

  program
    .command("fmt")
    .description("print .iter files in canonical form")
    .argument("<files...>", "the .iter files")
    .option("-w, --write", "rewrite the files in place")
    .option("--check", `exit with ${EXIT.notFormatted} when a file is not formatted (prints its name)`)
    .addHelpText("after", HELP.fmt)
    .action((files: string[], opts: { write?: boolean; check?: boolean }) => {
      if (opts.write && opts.check) throw new UsageError("`--write` and `--check` cannot be used together.");
      // A file that cannot be read or parsed (2) says more than one that is not formatted (4).
      let unreadable = false;
      let unformatted = false;
      for (const file of files) {
        const { source, parsed } = load(file);
        if (hasErrors(parsed.diagnostics)) {
          printDiagnostics(parsed.diagnostics, file, source);
          unreadable = true;
          continue;
        }
        const out = format(parsed.program);
        if (opts.check) {
          if (out !== source) {
            process.stdout.write(`${file}: not formatted\n`);
            unformatted = true;
          }
        } else if (opts.write) {
          if (out !== source) writeFileAtomic(file, out);
        } else process.stdout.write(out);
      }
      setCode(unreadable ? EXIT.user : unformatted ? EXIT.notFormatted : EXIT.ok);
    });

  program
    .command("check")
    .description("check names, types and shapes of a .iter file")
    .argument("<file>", "the .iter file")
    .option("--set <size=value>", "give a size a value, e.g. --set N=63 (repeatable)", collect, [])
    .option("--json", "print the diagnostics as one JSON object on stdout (file, line, column, code, message, hint)")
    .addHelpText("after", HELP.check)
    .action((file: string, opts: { set?: string[]; json?: boolean }) => {
      const source = readSource(file);
      const { diagnostics } = checkSource(source, { file, sizes: sizesFor(source, file, opts.set), memory: memoryLimit() });
      if (hasErrors(diagnostics)) setCode(EXIT.user);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ file, ok: !hasErrors(diagnostics), diagnostics: diagnostics.map(diagnosticJson) }, null, 2) + "\n");
        return;
      }
      printDiagnostics(diagnostics, file, source);
      if (!hasErrors(diagnostics)) process.stdout.write(`${file}: no errors\n`);
    });
}
