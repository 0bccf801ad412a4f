// Generated TypeScript formatted with prettier, and turned into JavaScript (ESM for files and
// bundlers, CommonJS for loading in process) and declarations by TypeScript's own transpiler.
// The module is written so that each file transpiles alone: type-only imports are marked, and
// every export has its type written out, so its `.d.ts` needs no type checker.
import type { ts as TS } from "ts-morph";

export type ModuleFormat = "esm" | "cjs";

export async function formatTypeScript(code: string): Promise<string> {
  const prettier = await import("prettier");
  return prettier.format(code, { parser: "typescript", printWidth: 100 });
}

export async function typescriptApi(): Promise<typeof TS> {
  return (await import("ts-morph")).ts;
}

function compilerOptions(ts: typeof TS, format: ModuleFormat): TS.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: format === "esm" ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
    declaration: true,
    isolatedDeclarations: true,
    removeComments: false,
  };
}

/** The module as JavaScript, ESM or CommonJS (for `load`): the formatted TypeScript without its types. */
export async function toJavaScript(code: string, format: ModuleFormat): Promise<string> {
  const ts = await typescriptApi();
  return ts.transpileModule(code, { compilerOptions: compilerOptions(ts, format), fileName: "module.ts", reportDiagnostics: false }).outputText;
}

/** The module's declarations: its types, `signature` and `run`, and nothing of tfjs. */
export async function declarations(code: string): Promise<string> {
  const ts = await typescriptApi();
  const out = ts.transpileDeclaration(code, { compilerOptions: compilerOptions(ts, "esm"), fileName: "module.ts", reportDiagnostics: true });
  const errors = out.diagnostics ?? [];
  if (errors.length) throw new Error(`internal error: the generated module's declarations cannot be written alone: ${ts.flattenDiagnosticMessageText(errors[0].messageText, "\n")}`);
  return out.outputText;
}
