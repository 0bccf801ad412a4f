// What a contract's random inputs are drawn from: `for x ~ normal(std: 2)`. Without a `for`, an
// input or a point is drawn from normal(mean: 0, std: 1). A `seed:` fixes the draw: the same
// values in every run (and no shrinking), like a `let` with a seeded `normal`.
import type * as A from "../../grammar/ast.js";
import { bindArgs } from "../check/args.js";

export interface DistributionOption {
  name: string;
  default: number;
  doc: string;
}

export interface DistributionSpec {
  name: "normal" | "uniform";
  doc: string;
  options: readonly DistributionOption[];
}

export const DISTRIBUTIONS: readonly DistributionSpec[] = [
  {
    name: "normal",
    doc: "independent normal entries",
    options: [
      { name: "mean", default: 0, doc: "the mean of every entry" },
      { name: "std", default: 1, doc: "the standard deviation of every entry" },
    ],
  },
  {
    name: "uniform",
    doc: "independent entries uniform in [lo, hi]",
    options: [
      { name: "lo", default: -1, doc: "the lower end" },
      { name: "hi", default: 1, doc: "the upper end" },
    ],
  },
];

/** A distribution with every option given its value. */
export interface Distribution {
  name: DistributionSpec["name"];
  params: Readonly<Record<string, number>>;
  /** A fixed draw: the same values in every run. */
  seed?: number;
}

export const DEFAULT_DISTRIBUTION: Distribution = { name: "normal", params: { mean: 0, std: 1 } };

export function findDistribution(name: string): DistributionSpec | undefined {
  return DISTRIBUTIONS.find((d) => d.name === name);
}

/** The value entries shrink towards: the simplest value the distribution can draw. */
export function simplestValue(d: Distribution): number {
  if (d.name === "normal") return d.params.mean;
  const { lo, hi } = d.params;
  return lo <= 0 && 0 <= hi ? 0 : Math.abs(lo) < Math.abs(hi) ? lo : hi;
}

/** Clamps a shrunk value into what the distribution can draw (uniform's interval). */
export function clampToSupport(d: Distribution, x: number): number {
  return d.name === "uniform" ? Math.min(d.params.hi, Math.max(d.params.lo, x)) : x;
}

/** `normal(mean: 0, std: 1)`, as a person writes it. */
export function describeDistribution(d: Distribution): string {
  const opts = Object.entries(d.params).map(([k, v]) => `${k}: ${v}`);
  if (d.seed !== undefined) opts.push(`seed: ${d.seed}`);
  return `${d.name}(${opts.join(", ")})`;
}

/** `normal(std: 2)`, `uniform(lo: 0, hi: 1, seed: 3)` or a bare `normal`, read; or why not. */
export function readDistribution(e: A.Expr, numberOf: (e: A.Expr) => number | undefined): { dist?: Distribution; problem?: { span: A.Span; message: string; hint?: string } } {
  const callee = e.kind === "Call" ? e.callee : e;
  const names = DISTRIBUTIONS.map((d) => `\`${d.name}\``).join(", ");
  const spec = callee.kind === "Name" ? findDistribution(callee.name) : undefined;
  if (!spec) return { problem: { span: callee.span, message: `I expected a distribution here: ${names}.`, hint: "for example `for x ~ normal(std: 0.1)`." } };
  const params = [...spec.options.map((o) => ({ name: o.name, optional: true })), { name: "seed", optional: true }];
  const bound = bindArgs(params, e.kind === "Call" ? e.args : [], e.span, `\`${spec.name}\``, "option");
  if (bound.errors.length) return { problem: bound.errors[0] };
  const values: Record<string, number> = {};
  for (const [name, [arg]] of bound.byName) {
    const v = numberOf(arg);
    if (v === undefined || !Number.isFinite(v)) return { problem: { span: arg.span, message: `\`${name}\` of \`${spec.name}\` must be a number known when compiling.` } };
    values[name] = v;
  }
  const params2 = Object.fromEntries(spec.options.map((o) => [o.name, values[o.name] ?? o.default]));
  const bad = spec.name === "normal" ? !(params2.std >= 0) : !(params2.lo <= params2.hi);
  if (bad) return { problem: { span: e.span, message: spec.name === "normal" ? "`std` of `normal` must be ≥ 0." : "`uniform` needs `lo` ≤ `hi`." } };
  const seed = values.seed;
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) return { problem: { span: e.span, message: "A `seed` is a whole number ≥ 0." } };
  return { dist: { name: spec.name, params: params2, ...(seed !== undefined ? { seed } : {}) } };
}
