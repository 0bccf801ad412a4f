// `load(fileOrSource)`: a `.iter` program as a live module in this process — compiled to the
// same TypeScript `iterc compile` writes, transpiled, and evaluated with the one import it has
// (the runtime entry) supplied, so what runs is exactly what a compiled file would run.
import { type Diagnostic, renderDiagnostics } from "../base/diagnostics.js";
import { compile, type CodegenOptions, RUNTIME_ENTRY } from "../compiler/codegen/index.js";
import { toJavaScript } from "../compiler/codegen/emit.js";
import { MAX_SOURCE_BYTES, readRegularFile } from "./fs/read-file.js";
import type { NDArray, Result, RunOptions, Signature } from "./module/index.js";

/** A program that did not compile: its diagnostics, rendered in the message. */
export class CompileError extends Error {
  readonly isUserError = true;
  constructor(readonly diagnostics: Diagnostic[], source: string, file: string) {
    super(renderDiagnostics(diagnostics, new Map([[file, source]])));
    this.name = "CompileError";
  }
}

/** A loaded module: what a compiled file exports, with its code. */
export interface LoadedModule {
  run(inputs?: Readonly<Record<string, NDArray>>, options?: RunOptions): Promise<Result<Record<string, NDArray>>>;
  signature: Signature;
  /** The generated TypeScript. */
  code: string;
}

export type LoadOptions = Pick<CodegenOptions, "filename" | "sizes">;

/** A path (one line ending in `.iter`) is read; anything else is the program's text. */
function sourceOf(fileOrSource: string, filename: string | undefined): { source: string; file: string } {
  if (!/[\r\n]/.test(fileOrSource) && fileOrSource.trim().endsWith(".iter")) return { source: readRegularFile(fileOrSource.trim(), MAX_SOURCE_BYTES, "a .iter source").toString("utf8"), file: filename ?? fileOrSource.trim() };
  return { source: fileOrSource, file: filename ?? "<input>" };
}

export async function load(fileOrSource: string, options: LoadOptions = {}): Promise<LoadedModule> {
  const { source, file } = sourceOf(fileOrSource, options.filename);
  const compiled = await compile(source, { ...options, filename: file, emit: "ts" });
  if (!compiled.code) throw new CompileError(compiled.diagnostics, source, file);
  return evaluate(compiled.code);
}

/**
 * Generated TypeScript as a live module: transpiled to CommonJS and evaluated with a `require`
 * that knows one module, the runtime entry (tfjs loads here, not when this file is imported).
 */
export async function evaluate(code: string): Promise<LoadedModule> {
  const runtime = await import("./module/index.js");
  const js = await toJavaScript(code, "cjs");
  const exports: Record<string, unknown> = {};
  const require = (specifier: string): unknown => {
    if (specifier === RUNTIME_ENTRY) return runtime;
    throw new Error(`internal error: a generated module imports \`${specifier}\``);
  };
  new Function("require", "exports", js)(require, exports);
  return { run: exports.run as LoadedModule["run"], signature: exports.signature as Signature, code };
}
