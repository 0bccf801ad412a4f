// Bundles the `iterc` command line into one file, dist/bin/iterc.js, after `tsc` has built the
// library. Why: chevrotain's ESM build is 647 modules (lodash-es), and loading them took ~0.5 s
// of every command; one bundled file loads in a fraction of that. tfjs stays external and is
// imported only when a command runs something (runtime/tfjs/backend.ts), as do the optional
// peers (tfjs-node); so are the code generator's ts-morph and prettier, imported only by
// `iterc compile`. bench/startup.mjs measures the result.
import { chmodSync } from "node:fs";
import { build } from "esbuild";

const out = "dist/bin/iterc.js";
await build({
  entryPoints: ["bin/iterc.ts"],
  outfile: out,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external: ["@tensorflow/*", "prettier", "esbuild", "ts-morph", "unplugin"],
  // ESM output: give bundled CommonJS dependencies (commander) a `require` to call.
  banner: { js: "import { createRequire as __iterlangRequire } from 'node:module'; const require = __iterlangRequire(import.meta.url);" },
  logLevel: "warning",
});
chmodSync(out, 0o755);
