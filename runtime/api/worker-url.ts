// Where the module of `run`'s worker thread is. In the package, the build put `worker.js` beside
// this module. Run from the TypeScript sources (the tests, under vitest), there is no such file
// and Node cannot load the `.ts` one, so the worker is bundled once per process with esbuild (a
// development dependency, which a package install never reaches) into node_modules/.cache,
// where its imports of tfjs resolve as the sources' do.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

let fromSources: Promise<URL> | undefined;

export function workerUrl(): Promise<URL> {
  if (import.meta.url.endsWith(".js")) return Promise.resolve(new URL("./worker.js", import.meta.url));
  return (fromSources ??= bundle());
}

async function bundle(): Promise<URL> {
  // Named through a variable, so that no bundler of the package follows it.
  const name = "esbuild";
  const { build } = (await import(name)) as typeof import("esbuild");
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const out = join(root, "node_modules", ".cache", "iterlang", `run-worker-${process.pid}.mjs`);
  await build({
    entryPoints: [fileURLToPath(new URL("./worker.ts", import.meta.url))],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["@tensorflow/*", "prettier", "esbuild"],
    banner: { js: "import { createRequire as __iterlangRequire } from 'node:module'; const require = __iterlangRequire(import.meta.url);" },
    logLevel: "warning",
  });
  process.once("exit", () => rmSync(out, { force: true }));
  return pathToFileURL(out);
}
