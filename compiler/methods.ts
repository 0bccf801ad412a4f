// The iterative methods a `method` or `precond` clause can name, with their options. The
// checker validates every option here (an unknown or misspelled option is an error with a
// "did you mean": peers that ignore typos silently give wrong results); the executor reads
// the defaults from here too, so the two cannot disagree.

export type Construct = "fixpoint" | "solve" | "precond" | "minimize" | "grad";

export interface OptionSpec {
  name: string;
  kind: "float" | "int" | "string" | "bool";
  default: number | string | boolean | null;
  doc: string;
  /** Values below this are refused (tolerances finer than float32 can reach). */
  min?: number;
  minHint?: string;
}

export interface MethodSpec {
  name: string;
  construct: Construct;
  doc: string;
  options: readonly OptionSpec[];
  /** False for methods that the language accepts but that no backend runs yet. */
  available: boolean;
}

/** Below ~1e-7 relative, float32 arithmetic cannot certify convergence. */
export const FLOAT32_MIN_RTOL = 1e-7;
const RTOL_HINT = "tfjs computes in float32, whose relative precision is about 6e-8: ask for 1e-6 or 1e-7 at the finest.";

const rtol = (dflt: number | null): OptionSpec => ({
  name: "rtol",
  kind: "float",
  default: dflt,
  doc: "stop when the residual falls below rtol × the reference norm",
  min: FLOAT32_MIN_RTOL,
  minHint: RTOL_HINT,
});
const atol: OptionSpec = { name: "atol", kind: "float", default: 0, doc: "stop when the residual falls below atol" };
const maxiter = (dflt: number): OptionSpec => ({ name: "maxiter", kind: "int", default: dflt, doc: "the most iterations before giving up with `max_iterations`" });

export const METHODS: readonly MethodSpec[] = [
  { name: "picard", construct: "fixpoint", doc: "plain iteration x ← T(x)", options: [], available: true },
  {
    name: "damped",
    construct: "fixpoint",
    doc: "Krasnoselskii–Mann iteration x ← (1 − α) x + α T(x)",
    options: [{ name: "damping", kind: "float", default: 0.5, doc: "the weight α of T(x), in (0, 1]" }],
    available: true,
  },
  {
    name: "cg",
    construct: "solve",
    doc: "conjugate gradients for symmetric positive definite operators",
    options: [rtol(1e-6), atol, maxiter(1000)],
    available: true,
  },
];

export const DEFAULT_METHOD: Partial<Record<Construct, string>> = { fixpoint: "picard", solve: "cg" };

export function methodsFor(construct: Construct): MethodSpec[] {
  return METHODS.filter((m) => m.construct === construct);
}

export function findMethod(construct: Construct, name: string): MethodSpec | undefined {
  return METHODS.find((m) => m.construct === construct && m.name === name);
}

/** The grad modes of a fixpoint: how reverse mode differentiates through it (planned work). */
export const GRAD_MODES = ["implicit", "unrolled", "phantom"] as const;
