// The programmatic API of iterlang: what `iterc` does, as functions.
export type * from "./grammar/ast.js";
export { parse, type ParseResult } from "./grammar/parse.js";
export { format } from "./grammar/format.js";
export { checkSource as check, compileSource as compileIR, type CompileOptions, type Compiled } from "./compiler/compile.js";
// Code generation: a program as a typed TypeScript (or JavaScript) module, or as a live one.
export { compile, type CodegenOptions, type CodegenResult, type Emit } from "./compiler/codegen/index.js";
export type { SourceMap } from "./compiler/codegen/source-map.js";
export { CompileError, load, type LoadedModule, type LoadOptions } from "./runtime/load.js";
export { runSource as run, type RunOptions, type RunOutput, type ExportedValue } from "./runtime/run.js";
export { type Diagnostic, renderDiagnostic, renderDiagnostics } from "./base/diagnostics.js";
export { printModule } from "./compiler/ir/print.js";
export { type Report, type Reason, renderReports, reportToJson } from "./runtime/report.js";
export { type BackendName, selectBackend } from "./runtime/tfjs/backend.js";
export { readNpy, writeNpy, type NpyArray } from "./runtime/npy.js";
export { METHODS, type MethodSpec } from "./compiler/methods.js";
// Watching a run: the observer API the drivers call, the monitors, plots and CSV histories.
export type { ConstructRun, IterationEvent, RunEvent, RunObserver } from "./runtime/monitor/events.js";
export { combineObservers, dispatch, recordingObserver, safeObserver } from "./runtime/monitor/events.js";
export { MonitorLines, type MonitorLinesOptions } from "./runtime/monitor/monitor-lines.js";
export { ProgressObserver } from "./runtime/monitor/progress.js";
export { ProgressLine, type ProgressLineOptions } from "./runtime/monitor/progress-line.js";
export { plot, type PlotSpec, type PlotSeries, type PlotPoint, type HLine, type XBand } from "./runtime/monitor/plot-svg.js";
export { reportPlot, reportsPlot } from "./runtime/monitor/report-plots.js";
export { historiesCsv } from "./runtime/monitor/history-csv.js";
