// The programmatic API of iterlang: what `iterc` does, as functions.
export type * from "./grammar/ast.js";
export { parse, type ParseResult } from "./grammar/parse.js";
export { format } from "./grammar/format.js";
export { checkSource as check, compileSource as compile, type CompileOptions, type Compiled } from "./compiler/compile.js";
export { runSource as run, type RunOptions, type RunOutput, type ExportedValue } from "./runtime/run.js";
export { type Diagnostic, renderDiagnostic, renderDiagnostics } from "./base/diagnostics.js";
export { printModule } from "./compiler/ir/print.js";
export { type Report, type Reason, renderReports, reportToJson } from "./runtime/report.js";
export { type BackendName, selectBackend } from "./runtime/tfjs/backend.js";
export { readNpy, writeNpy, type NpyArray } from "./runtime/npy.js";
export { METHODS, type MethodSpec } from "./compiler/methods.js";
