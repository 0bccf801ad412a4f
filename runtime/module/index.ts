// `iterlang/runtime`: what a generated module imports. Browser-safe (no Node module on its
// import graph) and tfjs-free in its types: a module's callers see plain typed arrays, shapes
// and reports.
export { execute, type Program, type Result, type Run, type RunOptions } from "./execute.js";
export { bool, constant, f32, free, i32, kernels, param, tidy } from "./tensors.js";
export { InputError } from "./boundary.js";
export { BackwardFailure } from "../backward-failure.js";
export { RunAborted, RunStopped } from "../stopped.js";
export type { ConstructKind, ConstructRun, IterationEvent, RunObserver } from "../monitor/events.js";
export type { ArrayOf, Construct, DType, InputSpec, Kernel, NDArray, RegionFn, Signature, Static, Tensor, ValueSpec, ValueType } from "./types.js";
export type { Reason, Report } from "../report.js";
