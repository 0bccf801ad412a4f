#!/usr/bin/env node
// The `iterc` command line. Exit codes: 0 success, 2 user error, 3 an iteration did not
// converge, 4 `fmt --check` found an unformatted file or `check` a contract's counterexample,
// 1 an internal error (a bug in iterlang, reported as such). bin/commands/io.ts holds them.
import { main } from "./commands/main.js";
import { releaseBackends } from "../runtime/tfjs/backend.js";

// A reader that went away (`iterc run --monitor … | head`) is not an error: what is left to
// print is dropped, and the run goes on to write its files.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE" && e.code !== "ERR_STREAM_DESTROYED") throw e;
  });
}

try {
  process.exitCode = await main(process.argv);
} finally {
  releaseBackends(); // a GPU backend (Dawn) would keep the process alive
}
