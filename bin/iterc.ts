#!/usr/bin/env node
// The `iterc` command line. Exit codes: 0 success, 2 user error, 3 an iteration did not
// converge, 4 `fmt --check` found an unformatted file, 1 an internal error (a bug in
// iterlang, reported as such). bin/commands/io.ts holds them.
import { main } from "./commands/main.js";

process.exitCode = await main(process.argv);
