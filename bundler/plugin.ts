// iterlang inside a build: one plugin, on unplugin, for Vite, Rollup, Rolldown, esbuild and
// webpack. `import { run } from "./poisson.iter"` loads the module `iterc compile --emit js`
// would write, with a source map back to the `.iter` file; a file with errors fails the build
// with each diagnostic at its file, line and column. Sizes come from the plugin's `sizes` and,
// per import, from a query: `./poisson.iter?N=63`. The generated code imports the runtime
// entry that ships beside this plugin, so compiler and runtime always match.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createUnplugin, type UnpluginInstance } from "unplugin";
import { type Diagnostic, renderDiagnostics } from "../base/diagnostics.js";
import { compile } from "../compiler/codegen/index.js";

export interface IterPluginOptions {
  /** Values for the sizes of every `.iter` file (a query on an import overrides them). */
  sizes?: Readonly<Record<string, number>>;
  /** The import specifier generated modules use for the runtime (default: the entry beside this plugin). */
  runtime?: string;
}

const ITER = /\.iter(\?.*)?$/;

/** The runtime entry of this package: `dist/runtime/module/index.js`, or its source when run from it. */
function runtimeEntry(): string {
  const js = fileURLToPath(new URL("../runtime/module/index.js", import.meta.url));
  return (existsSync(js) ? js : js.replace(/\.js$/, ".ts")).replace(/\\/g, "/");
}

/** `poisson.iter?N=63&P=2` → the file and its sizes. A query that is not sizes is an error. */
function parseId(id: string): { file: string; sizes: Record<string, number> } {
  const [file, query = ""] = id.split("?", 2);
  const sizes: Record<string, number> = {};
  for (const [name, value] of new URLSearchParams(query)) {
    if (!/^[A-Za-z_]\w*$/.test(name) || !/^\d+$/.test(value)) throw new Error(`\`${name}=${value}\` in the import of ${file} is not a size: write \`?N=63\`.`);
    sizes[name] = Number(value);
  }
  return { file, sizes };
}

/** The first error, located; the others follow in the message. */
function buildError(file: string, source: string, ds: Diagnostic[]) {
  const errors = ds.filter((d) => d.severity === "error");
  const first = errors[0];
  const text = renderDiagnostics(errors, new Map([[file, source]]));
  return {
    message: `${errors.length} error${errors.length === 1 ? "" : "s"} in ${file}:\n${text}`,
    id: file,
    loc: { file: first.file, line: first.span.start.line, column: first.span.start.column - 1 },
  };
}

export const iterlang: UnpluginInstance<IterPluginOptions | undefined> = createUnplugin<IterPluginOptions | undefined>((options = {}) => {
  const runtime = options.runtime ?? runtimeEntry();
  return {
    name: "iterlang",
    enforce: "pre",
    // Only imports with a query need resolving here (the bundlers resolve plain paths themselves).
    resolveId(id, importer) {
      if (!ITER.test(id) || !id.includes("?")) return null;
      return isAbsolute(id) || !importer ? id : resolve(dirname(importer.split("?")[0]), id);
    },
    loadInclude: (id) => ITER.test(id),
    async load(id) {
      const { file, sizes } = parseId(id);
      const source = await readFile(file, "utf8");
      this.addWatchFile(file);
      const out = await compile(source, { filename: file, emit: "js", sizes: { ...options.sizes, ...sizes }, runtime });
      if (out.code === undefined || out.diagnostics.some((d) => d.severity === "error")) {
        // Rollup and Vite throw here; esbuild collects the error, and the load must still give code.
        this.error(buildError(file, source, out.diagnostics));
        return { code: "// not compiled: errors above\n" };
      }
      for (const d of out.diagnostics) this.warn({ message: renderDiagnostics([d], new Map([[file, source]])), id: file });
      return { code: out.code, map: out.map };
    },
    esbuild: { loader: "js" },
  };
});
