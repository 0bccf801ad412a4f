// What a contract is, in one record: its parameters, the points it draws, the quantities it
// measures (written in iterlang, over its parameters and points) and the verdict that compares
// each measured quantity with its bound. Each contract's meaning is its record and nothing else:
// the checker reads the parameters, the planner turns the quantities into a program the usual
// pipeline compiles, and the runtime draws the points, runs that program and asks the verdict.

/**
 * `operator`: an op, a lambda, or the name of a top-level fixpoint (meaning its map);
 * `construct`: the name of a top-level fixpoint, solve or loop; `value`: a tensor expression;
 * `number`: a number known when compiling; `series`: one of `residual`, `energy`, `error`;
 * `condition`: a true/false expression (the contract is the condition itself).
 */
export type ParamKind = "operator" | "construct" | "value" | "number" | "series" | "condition";

export interface ContractParam {
  name: string;
  kind: ParamKind;
  /** Optional parameters have a default (numbers only). */
  default?: number;
  doc: string;
}

/** A point the contract draws: from the domain of an operator parameter, or a scalar. */
export type PointSpec = { name: string; of: string } | { name: string; scalar: true };

export const SERIES = ["residual", "energy", "error"] as const;
export type Series = (typeof SERIES)[number];

/** What a construct's report says, as much as a verdict reads of it. */
export interface ReportView {
  name: string;
  iterations: number;
  converged: boolean;
  reason: string;
}

/** What one run measured: the quantities by name, the construct's report and its series. */
export interface Observation {
  q: Readonly<Record<string, number>>;
  report?: ReportView;
  series?: readonly number[];
}

/** One comparison of a run: a measured number against its bound. */
export interface Measure {
  /** What was measured, in words a person reads: "‖T(a) − T(b)‖ / ‖a − b‖". */
  what: string;
  value: number;
  relation: "≤" | "≥";
  bound: number;
  holds: boolean;
  /** More about this run: "the residual rose at iteration 7", "reason max_iterations". */
  detail?: string;
}

/** The numbers and words a contract was given (`below: 0.9`, `series: energy`). */
export type StaticArgs = Readonly<Record<string, number | string>>;

export interface ContractRecord {
  name: string;
  /** One line: what the contract promises. */
  summary: string;
  params: readonly ContractParam[];
  points: readonly PointSpec[];
  /** Measured quantities, as iterlang expressions over the parameters and points. */
  quantities: Readonly<Record<string, string>>;
  /** The operator parameters that must map their domain to itself (T: D → D). */
  endomorphisms?: readonly string[];
  /** Operators applied to a value parameter rather than to drawn points (`fixed`: T to x). */
  applies?: Readonly<Record<string, string>>;
  /** The `construct` parameter whose report (and series) the verdict reads. */
  reads?: string;
  /** The comparisons of one run. The contract holds on a run when every one holds. */
  verdict(o: Observation, args: StaticArgs): Measure[];
  /** The `std.contracts` ops the quantities call. */
  uses?: readonly string[];
}

/** `value ≤ bound`, within a relative slack for float32 rounding; NaN never holds. */
export function atMost(what: string, value: number, bound: number, slack = 1e-4): Measure {
  return { what, value, relation: "≤", bound, holds: value <= bound + slack * Math.max(Math.abs(bound), 1e-30) };
}

/** `value ≥ bound - slack`; NaN never holds. */
export function atLeast(what: string, value: number, bound: number, slack = 0): Measure {
  return { what, value, relation: "≥", bound, holds: value >= bound - slack };
}
