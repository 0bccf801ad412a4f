// Code generation, the programmatic way: `compile(source, { filename, emit })` gives the
// module's code (TypeScript, JavaScript with its declarations, or the IR's text), a source map
// back to the `.iter` file, and the diagnostics. Compiling executes nothing of the file.
import type { Diagnostic } from "../../base/diagnostics.js";
import { compileForModule } from "./compile-for-module.js";
import { declarations, formatTypeScript, toJavaScript, typescriptApi } from "./emit.js";
import { moduleText } from "./module.js";
import { type SourceMap, sourceMapFor } from "./source-map.js";
import { printModule } from "../ir/print.js";

export type Emit = "ts" | "js" | "ir";

export interface CodegenOptions {
  /** The file's name, as diagnostics, the module's header and source maps give it. */
  filename?: string;
  /** `ts` (default): a TypeScript module; `js`: ESM JavaScript, with `.d.ts` text in `dts`; `ir`: the IR's text. */
  emit?: Emit;
  /** Which kernels the module runs on: `tfjs` (the native backend's kernels are not embedded in modules yet). */
  backend?: "tfjs";
  /** Values for sizes (`--set N=63`): a compiled module has fixed sizes. */
  sizes?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** The import specifier of the runtime entry (default `iterlang/runtime`). */
  runtime?: string;
}

export interface CodegenResult {
  diagnostics: Diagnostic[];
  /** Absent when there were errors. */
  code?: string;
  /** For `ts` and `js`: from the code back to the `.iter` file. */
  map?: SourceMap;
  /** For `js`: the module's declarations. */
  dts?: string;
}

export const RUNTIME_ENTRY = "iterlang/runtime";

export async function compile(source: string, options: CodegenOptions = {}): Promise<CodegenResult> {
  const emit = options.emit ?? "ts";
  if ((options.backend ?? "tfjs") !== "tfjs") throw new Error(`The \`${String(options.backend)}\` backend cannot generate code: \`tfjs\` is the only one (the native backend is not built yet).`);
  if (!["ts", "js", "ir"].includes(emit)) throw new Error(`\`emit: ${JSON.stringify(emit)}\` is not one of ts, js, ir.`);
  const file = options.filename ?? "<input>";
  const sizes = options.sizes instanceof Map ? options.sizes : new Map(Object.entries(options.sizes ?? {}));
  const compiled = compileForModule(source, { file, sizes });
  if (!compiled.compiled) return { diagnostics: compiled.diagnostics };
  const parts = compiled.compiled;
  if (emit === "ir") return { diagnostics: compiled.diagnostics, code: printModule(parts.main) + "\n" };
  const { text, marks } = await moduleText({ ...parts, file, runtime: options.runtime ?? RUNTIME_ENTRY });
  const ts = await formatTypeScript(text);
  const tsApi = await typescriptApi();
  const origin = { file, text: source };
  if (emit === "ts") return { diagnostics: compiled.diagnostics, code: ts, map: sourceMapFor(tsApi, ts, marks, origin) };
  const js = await toJavaScript(ts, "esm");
  return { diagnostics: compiled.diagnostics, code: js, map: sourceMapFor(tsApi, js, marks, origin), dts: await declarations(ts) };
}

