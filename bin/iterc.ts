#!/usr/bin/env node
// The `iterc` command line. Exit codes: 0 success, 2 user error, 3 an iteration did not
// converge, 4 a contract failed (`iterc check`), 1 an internal error (a bug in iterlang,
// reported as such).
import { main } from "./commands/main.js";

process.exitCode = await main(process.argv);
