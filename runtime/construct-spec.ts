// What `runConstruct` reads of an iterative construct: its kind and name, its method, stopping
// rule and bounds, the report fields the program reads, a training run's data sources and settings, the construct it differentiates, its outputs' names, and its regions as
// whatever the backend runs — IR regions for the interpreter, closures for generated code. An
// IR construct op is a spec as it is; generated code writes one as a literal. No tfjs type
// appears here: generated modules' public types are built from this file.
import type { FixpointOp, LoopOp, MinimizeOp, Region, SolveOp, TrainOp, UnrollOp } from "../compiler/ir/ir.js";

/** A value a construct gives back, as its report and a gradient's policy refer to it. */
export interface OutputName {
  id: number;
  hint?: string;
}

/** The fields `K` of construct op `T`, with its regions of type `R`. */
type Spec<T extends { kind: string; label: string; adjointOf?: unknown; reportFields?: unknown; regions: object }, K extends keyof T, R> = Pick<T, K | "label" | "adjointOf" | "reportFields"> & {
  kind: T["kind"];
  regions: { [N in keyof T["regions"]]: R };
  outputs: readonly OutputName[];
};

export type FixpointSpec<R = Region> = Spec<FixpointOp, "method" | "stop", R>;
export type SolveSpec<R = Region> = Spec<SolveOp, "method" | "stop" | "nullspace", R>;
export type LoopSpec<R = Region> = Spec<LoopOp, "maxIter" | "counter" | "counted", R>;
export type UnrollSpec<R = Region> = Spec<UnrollOp, "maxIter" | "counter" | "counted" | "checkpoint" | "iterationsOf", R>;

export type MinimizeSpec<R = Region> = Spec<MinimizeOp, "method" | "stop", R>;
export type TrainSpec<R = Region> = Spec<TrainOp, "optimizer" | "stateCounts" | "data" | "validation" | "settings", R>;

export type ConstructSpec<R = Region> = FixpointSpec<R> | SolveSpec<R> | MinimizeSpec<R> | TrainSpec<R> | LoopSpec<R> | UnrollSpec<R>;
