// Bundles the `iterc` command line into one file, dist/bin/iterc.js, after `tsc` has built the
// library, and the worker thread of the API's `run` into dist/runtime/api/worker.js the same
// way. Why: chevrotain's ESM build is 647 modules (lodash-es), and loading them took ~0.5 s of
// every command (and of every `run`, whose worker loads the compiler afresh); one bundled file
// loads in a fraction of that. tfjs stays external and is imported only when a command runs
// something (runtime/tfjs/backend.ts), as do the optional peers (tfjs-node); so are the code
// generator's ts-morph and prettier, imported only by `iterc compile`; fast-check, which
// `iterc check` runs contracts with, is loaded from node_modules too.
// bench/startup.mjs measures the result.
//
// `node scripts/build-cli.mjs [OUT]` writes into OUT instead of dist/ (test/package builds a
// private copy of the package, so as not to race test/cli's rebuild of dist/).
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const outDir = process.argv[2] ?? "dist";

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external: ["@tensorflow/*", "prettier", "esbuild", "ts-morph", "unplugin", "fast-check"],
  // ESM output: give bundled CommonJS dependencies (commander) a `require` to call.
  banner: { js: "import { createRequire as __iterlangRequire } from 'node:module'; const require = __iterlangRequire(import.meta.url);" },
  logLevel: "warning",
};

const cli = join(outDir, "bin/iterc.js");
await build({ ...common, entryPoints: ["bin/iterc.ts"], outfile: cli });
chmodSync(cli, 0o755);
await build({ ...common, entryPoints: ["runtime/api/worker.ts"], outfile: join(outDir, "runtime/api/worker.js") });
