#!/usr/bin/env node
// The long fuzz run, for anyone: `node test/fuzz/run-fuzz.mjs --minutes 60 --seed 7`.
// It runs the compiled fuzzer (test/fuzz/engine, built into dist/ by `npm run build`).
// Exit 0 when nothing new failed, 1 otherwise; `--help` lists the options.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../dist/test/fuzz/engine/cli.js", import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write("The fuzzer is not built: run `npm run build` first.\n");
  process.exit(2);
}
const { main } = await import(cli);
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
