// Command registration (commander) and the one place where errors become exit codes.
import { Command, CommanderError } from "commander";
import { BUG_REPORT_HINT } from "../../base/diagnostics.js";
import { paintDiagnostics, painterFor } from "../../runtime/monitor/colour.js";
import { EXIT, UsageError } from "./io.js";
import { registerFrontEnd } from "./front-end.js";
import { registerRun } from "./run.js";
import { registerCompile } from "./compile.js";

export async function main(argv: string[]): Promise<number> {
  const program = new Command("iterc")
    .description("iterlang: compile and run iterative numerical methods written in .iter files")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showSuggestionAfterError(true);
  let code: number = EXIT.ok;
  const setCode = (c: number) => void (code = Math.max(code, c));
  registerFrontEnd(program, setCode);
  registerRun(program, setCode);
  registerCompile(program, setCode);
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    return handleError(e);
  }
}

function handleError(e: unknown): number {
  if (e instanceof CommanderError) {
    // help and --version exit through here with code 0; a bad flag with its own message.
    return e.exitCode === 0 ? EXIT.ok : EXIT.user;
  }
  const error = paintDiagnostics("error:", painterFor(process.stderr));
  if (e instanceof UsageError) {
    process.stderr.write(`${error} ${e.message}\n${e.hint ? `  = hint: ${e.hint}\n` : ""}`);
    return EXIT.user;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  // Errors from the runtime that a user caused (a bad .npy, a missing backend) say so.
  if ((err as { isUserError?: boolean }).isUserError) {
    process.stderr.write(`${error} ${err.message}\n`);
    return EXIT.user;
  }
  process.stderr.write(`internal error: ${err.message}\n${BUG_REPORT_HINT}\n\n${err.stack ?? ""}\n`);
  return EXIT.internal;
}
