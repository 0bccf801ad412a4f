// The programmatic API of iterlang: what `iterc` does, as functions that take and give plain
// data. Nothing here names a tfjs type (test/package checks the declarations a consumer sees).
//
//   const { ok, exports, reports } = await run(source, { sizes: { N: 63 }, onIteration, signal });

// Running, checking and formatting a program.
export { run, FileReadError, type ProgramSource } from "./runtime/api/run.js";
export { check, format, FormatError, type CheckOptions } from "./runtime/api/front-end.js";
export type { CheckResult, DType, InputValue, RunOptions, RunResult, TensorData, TensorValue } from "./runtime/api/types.js";
export { BACKEND_NAMES, type BackendName, BackendUnavailableError } from "./runtime/tfjs/backend-names.js";
export { type Diagnostic, type DiagnosticCode, InternalError, renderDiagnostic, renderDiagnostics } from "./base/diagnostics.js";
export { DIAGNOSTIC_CODES } from "./base/codes.js";

// Code generation: a program as a typed TypeScript (or JavaScript) module, or as a live one
// (docs/codegen.md).
export { compile, type CodegenOptions, type CodegenResult, type Emit } from "./compiler/codegen/index.js";
export type { SourceMap } from "./compiler/codegen/source-map.js";
export { CompileError, load, type LoadedModule, type LoadOptions } from "./runtime/load.js";
export { selectBackend, type SelectedBackendInfo } from "./runtime/api/select-backend.js";

// Reports, and watching a run: the events, the monitors, plots and CSV histories.
export { type Report, type Reason, renderReports, reportToJson } from "./runtime/report.js";
export type { ConstructKind, ConstructRun, IterationEvent, RunEvent, RunObserver } from "./runtime/monitor/events.js";
export { combineObservers, dispatch, recordingObserver, safeObserver } from "./runtime/monitor/events.js";
export { MonitorLines, type MonitorLinesOptions } from "./runtime/monitor/monitor-lines.js";
export { ProgressObserver } from "./runtime/monitor/progress.js";
export { ProgressLine, type ProgressLineOptions } from "./runtime/monitor/progress-line.js";
export { plot, type PlotSpec, type PlotSeries, type PlotPoint, type HLine, type XBand } from "./runtime/monitor/plot-svg.js";
export { reportPlot, reportsPlot } from "./runtime/monitor/report-plots.js";
export { historiesCsv } from "./runtime/monitor/history-csv.js";

// The compiler's stages, for tools: the syntax tree, the IR, the method registry, .npy files.
export type * from "./grammar/ast.js";
export { parse, type ParseResult } from "./grammar/parse.js";
export { compileSource as compileIR, type CompileOptions, type Compiled } from "./compiler/compile.js";
export { printModule } from "./compiler/ir/print.js";
export { METHODS, type MethodSpec } from "./compiler/methods.js";
export { readNpy, writeNpy, type NpyArray } from "./runtime/api/npy.js";
