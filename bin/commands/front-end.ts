// `iterc parse`, `iterc fmt`: the commands that need no tensors.
import { writeFileAtomic } from "../../runtime/fs/atomic-write.js";
import type { Command } from "commander";
import { format } from "../../grammar/format.js";
import { EXIT, hasErrors, load, printDiagnostics, UsageError } from "./io.js";
import { HELP } from "./help.js";

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
}
