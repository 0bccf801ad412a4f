// Command registration (commander) and the one place where errors become exit codes.
import { Command, CommanderError } from "commander";
import { BUG_REPORT_HINT, type DiagnosticCode } from "../../base/diagnostics.js";
import { paintDiagnostics, painterFor } from "../../runtime/monitor/colour.js";
import { EXIT, UsageError } from "./io.js";
import { registerFrontEnd } from "./front-end.js";
import { ROOT_HELP } from "./help.js";
import { failureJson, unplacedJson } from "./json-diagnostics.js";
import { registerRun } from "./run.js";
import { registerCheck } from "./check.js";
import { registerCompile } from "./compile.js";

export async function main(argv: string[]): Promise<number> {
  // With --json, a failure is JSON on stdout too, whatever failed (commander's own messages included).
  const json = argv.includes("--json");
  const program = new Command("iterc")
    .description("iterlang: compile and run iterative numerical methods written in .iter files")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeErr: (s) => void (json ? undefined : process.stderr.write(s)) })
    .showSuggestionAfterError(true)
    .addHelpText("after", ROOT_HELP);
  let code: number = EXIT.ok;
  const setCode = (c: number) => void (code = Math.max(code, c));
  registerFrontEnd(program, setCode);
  registerCheck(program, setCode);
  registerRun(program, setCode);
  registerCompile(program, setCode);
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    return json ? handleErrorAsJson(e) : handleError(e);
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
    const hint = (err as { hint?: unknown }).hint;
    process.stderr.write(`${error} ${err.message}\n${typeof hint === "string" ? `  = hint: ${hint}\n` : ""}`);
    return EXIT.user;
  }
  return internalError(err);
}

/** The same, as `{ ok: false, diagnostics: [...] }` on stdout; a bug is still a bug, on stderr. */
function handleErrorAsJson(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return EXIT.ok;
    process.stdout.write(failureJson([unplacedJson("bad-usage", e.message.replace(/^error: /, ""))]));
    return EXIT.user;
  }
  if (e instanceof UsageError) {
    process.stdout.write(failureJson([unplacedJson("bad-usage", e.message, e.hint)]));
    return EXIT.user;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  if ((err as { isUserError?: boolean }).isUserError) {
    process.stdout.write(failureJson([unplacedJson(userErrorCode(err), err.message)]));
    return EXIT.user;
  }
  return internalError(err);
}

/** The code of a user's mistake the runtime threw (it has no place in the .iter file). */
function userErrorCode(e: Error): DiagnosticCode {
  if (e.name === "BackendUnavailableError") return "backend-unavailable";
  if (e.name === "OutOfMemoryError") return "too-large";
  if (e.name === "UnknownPassError") return "bad-usage";
  return "bad-input";
}

function internalError(err: Error): number {
  process.stderr.write(`internal error: ${err.message}\n${BUG_REPORT_HINT}\n\n${err.stack ?? ""}\n`);
  return EXIT.internal;
}
