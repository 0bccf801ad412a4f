// The iterative methods a `method` or `precond` clause can name, with their options. The
// checker validates every option here (an unknown or misspelled option is an error with a
// "did you mean": peers that ignore typos silently give wrong results); lowering and the
// executor read the defaults from here too, so they cannot disagree.
//
// Most methods are written in iterlang itself (stdlib/*.iter) under the protocol of
// docs/stdlib.md: `NAME_start` builds the iteration's state, `NAME_step` advances it. The
// generic drivers in runtime/drivers own the stopping rule, the true residual, breakdown and
// NaN detection and the report, so every method gets them the same way. A few methods are
// TypeScript drivers because the language cannot say them yet; each says why.

export type Construct = "fixpoint" | "solve" | "precond" | "minimize";

export interface OptionSpec {
  name: string;
  /** `tensor` options (a given diagonal) are passed to the method's ops as arguments. */
  kind: "float" | "int" | "string" | "bool" | "tensor";
  default: number | string | boolean | null;
  doc: string;
  /** Values below this are refused (tolerances finer than float32 can reach). */
  min?: number;
  /** Values at or below this are refused (a step or mixing that must be positive). */
  above?: number;
  /** Values above this are refused (an iteration bound no run reaches). */
  max?: number;
  minHint?: string;
  choices?: readonly string[];
  /**
   * The option has no sensible default (`default: null`) and the method cannot run without it:
   * the checker refuses a clause that leaves it out (e.g. chebyshev's spectrum bounds).
   */
  required?: boolean;
}

export type Implementation =
  /** `stdlib/MODULE.iter` defines `NAME_start` and `NAME_step` (methods) or `NAME` (preconds). */
  | { kind: "iter"; module: string; breakdown?: string }
  /** A TypeScript driver in runtime/drivers; `why` says what the language lacks. */
  | { kind: "driver"; why: string };

export interface MethodSpec {
  name: string;
  construct: Construct;
  doc: string;
  options: readonly OptionSpec[];
  implementation: Implementation;
  /** A solve whose left side need not be linear (Newton): a zero right-hand side proves nothing. */
  nonlinear?: boolean;
  /**
   * The driver applies the Jacobian of the left side, J(x)v by forward-mode autodiff, and its
   * preconditioner approximates J(x)⁻¹ at the iterate (compiler/check/linearise.ts).
   */
  jacobian?: boolean;
  /** Said in every report of the method: an approximation the user should know about. */
  note?: string;
  /**
   * What the method needs of the operator (of the solve it runs in, for a preconditioner): the
   * checker warns when nothing declares it (a tag `is spd`, a `check spd(A)`), `iterc check`
   * verifies what is declared.
   */
  requires?: "spd" | "symmetric";
}

/** The relative tolerance of a construct that states none. */
export const DEFAULT_RTOL = 1e-5;
/** The iteration bound of a construct that states none (`max`, `maxiter`). */
export const DEFAULT_MAXITER = 1000;
/**
 * The largest iteration bound accepted: 10⁹ iterations of even a microsecond each are a quarter
 * of an hour; a bound beyond it is a mistake or a wish that the loop never ends.
 */
export const MAX_ITERATION_BOUND = 1e9;
/**
 * An iteration bound from which a run that reaches it takes minutes to hours (an iteration
 * costs tens of microseconds at the least): a warning where the bound is written.
 */
export const LONG_ITERATION_BOUND = 1e6;

/** Below ~1e-7 relative, float32 arithmetic cannot certify convergence. */
export const FLOAT32_MIN_RTOL = 1e-7;
/** Below ~1e-14 relative (about 50 float64 epsilons), neither can float64. */
export const FLOAT64_MIN_RTOL = 1e-14;
/** The relative tolerance a construct computing in this float can reach at the finest. */
export const minRtol = (float: "f32" | "f64"): number => (float === "f64" ? FLOAT64_MIN_RTOL : FLOAT32_MIN_RTOL);
const RTOL_HINT =
  "float32's relative precision is about 6e-8: ask for 1e-6 or 1e-7 at the finest, or compute in float64 (declare the unknown `f64`, or run with `--precision f64` on the native backend).";

const rtol = (dflt: number | null): OptionSpec => ({
  name: "rtol",
  kind: "float",
  default: dflt,
  doc: "stop when the residual falls below rtol × the reference norm",
  // float64's floor here; float32's is applied once the construct's float is known (compiler/check/clauses.ts)
  min: FLOAT64_MIN_RTOL,
  minHint: RTOL_HINT,
});
const atol: OptionSpec = { name: "atol", kind: "float", default: 0, doc: "stop when the residual falls below atol" };
const maxiter = (dflt: number): OptionSpec => ({ name: "maxiter", kind: "int", default: dflt, doc: "the most iterations before giving up with `max_iterations`", min: 0, max: MAX_ITERATION_BOUND });
const float = (name: string, dflt: number | null, doc: string): OptionSpec => ({ name, kind: "float", default: dflt, doc });
const int = (name: string, dflt: number | null, doc: string): OptionSpec => ({ name, kind: "int", default: dflt, doc });
const choice = (name: string, dflt: string, choices: readonly string[], doc: string): OptionSpec => ({ name, kind: "string", default: dflt, choices, doc });

/** A declared Lipschitz constant L < 1 of T: the report then bounds ‖x − x*‖ ≤ r/(1 − L). */
const lipschitz: OptionSpec = { name: "lipschitz", kind: "float", default: null, doc: "a Lipschitz constant L < 1 of the map, for the a-posteriori error bound r/(1 − L)" };

/** Options every solve method takes: the driver applies them. */
export const DRIVER_OPTIONS = ["rtol", "atol", "maxiter", "lipschitz", "lr"] as const;
const solveStop = (maxit = DEFAULT_MAXITER) => [rtol(DEFAULT_RTOL), atol, maxiter(maxit)];

const krylov = (breakdown?: string): Implementation => ({ kind: "iter", module: "krylov", ...(breakdown ? { breakdown } : {}) });
const fixed: Implementation = { kind: "iter", module: "fixed-point" };
const precond: Implementation = { kind: "iter", module: "precond" };

/** An optimiser's options: its learning rate (the driver applies the schedule to it), then its own. */
const optimiser = (lr: number, ...own: OptionSpec[]): OptionSpec[] => [
  rtol(DEFAULT_RTOL),
  atol,
  maxiter(DEFAULT_MAXITER),
  { ...float("lr", lr, "the learning rate (the step size); a `train` schedule scales it per step"), min: 0 },
  ...own,
];
const optim: Implementation = { kind: "iter", module: "optim" };
const beta = (name: string, dflt: number, doc: string): OptionSpec => ({ ...float(name, dflt, doc), min: 0, max: 1 });

const DIAG: OptionSpec = { name: "diag", kind: "tensor", default: null, doc: "the diagonal of A, same shape as the unknown; default: probed with a red–black colouring (exact for 5-point stencils, wrong for dense or 9-point operators)" };
const SMOOTHERS = ["rbgs", "jacobi", "chebyshev"] as const;
const multigridOptions: OptionSpec[] = [
  choice("smoother", "rbgs", SMOOTHERS, "the smoother on every level: red–black Gauss–Seidel, damped Jacobi or Chebyshev"),
  float("omega", 0.8, "the damping of the Jacobi smoother"),
  int("sweeps", 1, "smoothing sweeps before and after the coarse correction (V(s, s))"),
  choice("cycle", "V", ["V", "W"], "the cycle: V visits each coarser level once, W twice"),
  int("coarsest", 3, "the size at or below which the coarse problem is solved by many smoothing steps"),
  choice("coarse", "rediscretise", ["rediscretise", "galerkin"], "the coarse operators: the operator re-discretised on each coarser grid (it must be size-polymorphic), or the Galerkin products R A P, which apply it on the finest grid only (variable coefficients of a fixed size)"),
  choice("grid", "vertex", ["vertex", "cell"], "where the unknowns sit: at the interior vertices of a grid with a boundary (n = 2m + 1 or 2m coarsens to m: full weighting, bilinear prolongation), or at cell centres (2m cells coarsen to m: cell-centred bilinear prolongation and its adjoint; an odd size is the coarsest)"),
  choice("boundary", "zero", ["zero", "reflect"], "the boundary condition the cell-centred transfers assume beyond the grid: zero values on the wall (Dirichlet) or a zero normal derivative (Neumann; constants interpolate exactly); vertex-centred transfers always assume zero values"),
];

/**
 * σ of (A − σI) u = b, as SciPy's `minres(shift=σ)`: the checker makes the solve's operator
 * u ↦ A(u) − σu, so the method, the true residual and a gradient all see the shifted system.
 */
const SHIFT: OptionSpec = { name: "shift", kind: "float", default: 0, doc: "solve (A − σI) u = b for this σ: the operator becomes u ↦ A(u) − σu" };

const BROYDEN_WHY = "it keeps up to m pairs of vectors (a low-rank inverse Jacobian) and replaces one pair per step; the language cannot update one column of a tensor, and a failed line search is a reason of its own (runtime/drivers/broyden.ts)";
const broydenOptions = (alphaDoc: string, lineSearch: boolean): OptionSpec[] => [
  { ...int("m", 10, "how many rank-one updates of the inverse Jacobian to keep"), min: 0 },
  { ...float("alpha", null, alphaDoc), above: 0 },
  choice("reduction", "restart", ["restart", "simple"], "when the memory is full: forget every pair (`restart`, SciPy's default) or the oldest (`simple`, torchdeq's ring buffer)"),
  {
    name: "line_search",
    kind: "bool",
    default: lineSearch,
    doc: "backtrack until the residual R satisfies ‖R(x + t d)‖ ≤ (1 − 10⁻⁴ t)‖R(x)‖ (SciPy searches by default); false takes every step (torchdeq's default)",
  },
];

export const METHODS: readonly MethodSpec[] = [
  // ---- fixed points -----------------------------------------------------------------
  { name: "picard", construct: "fixpoint", doc: "plain iteration x ← T(x)", options: [lipschitz], implementation: fixed },
  {
    name: "damped",
    construct: "fixpoint",
    doc: "Krasnoselskii–Mann iteration x ← (1 − α) x + α T(x)",
    options: [float("damping", 0.5, "the weight α of T(x), in (0, 1]"), lipschitz],
    implementation: fixed,
  },
  {
    name: "halpern",
    construct: "fixpoint",
    doc: "Halpern iteration x_{k+1} = λ_k x₀ + (1 − λ_k) T(x_k), λ_k = 1/(k + 2): O(1/k) residual for nonexpansive T",
    options: [lipschitz],
    implementation: fixed,
  },
  {
    name: "anderson",
    construct: "fixpoint",
    doc: "Anderson acceleration with memory m, damping, least squares by QR with column updates and condition control, and a safeguard",
    options: [
      // The ranges runtime/drivers/anderson.ts accepts: refused when checking, where they are written.
      { ...int("m", 5, "how many past residuals to combine"), min: 0 },
      { ...float("damping", 1, "the mixing β of the accelerated step, in (0, 1]"), above: 0, max: 1 },
      { ...float("ridge", 1e-6, "Tikhonov regularisation of the least-squares problem, relative to its scale"), min: 0 },
      { ...float("restart", 1e6, "drop the oldest columns while the least squares' condition number (columns scaled to unit norm) exceeds this"), min: 1 },
      { name: "safeguard", kind: "bool", default: true, doc: "replace an accelerated step that falls behind the plain iteration (its residual above q^j times the residual at the latest plain step, q that step's ratio) by the plain damped step (counted in the report)" },
      lipschitz,
    ],
    implementation: { kind: "driver", why: "it keeps a QR factorisation of its m past differences, updated a column at a time, and solves a small least-squares problem each step; the language has neither" },
  },
  {
    name: "broyden",
    construct: "fixpoint",
    doc: "Broyden's method (good Broyden, limited memory) on T(x) − x = 0, with a line search: quasi-Newton from values of T alone, as torchdeq's `broyden`",
    options: [...broydenOptions("the initial inverse Jacobian of T(x) − x is −α I, so the first step is x + α(T(x) − x); default 1 (Picard's step)", false), lipschitz],
    implementation: { kind: "driver", why: BROYDEN_WHY },
  },
  // ---- linear (and nonlinear) solves ------------------------------------------------
  { name: "cg", construct: "solve", doc: "conjugate gradients for symmetric positive definite operators (preconditioned with `precond`)", requires: "spd", options: solveStop(), implementation: krylov("pᵀAp, which must be > 0 (the operator is not positive definite), or rᵀz when that is ≤ 0 (the preconditioner is not positive definite)") },
  { name: "minres", construct: "solve", doc: "MINRES for symmetric (possibly indefinite) operators; with `shift` σ it solves (A − σI) u = b", requires: "symmetric", options: [...solveStop(), SHIFT], implementation: krylov("β² of the next Lanczos vector, which must be > 0 (< 0: the preconditioner is not positive definite; 0: the Krylov space is exhausted before convergence, so the system is singular and inconsistent)") },
  {
    name: "gmres",
    construct: "solve",
    doc: "restarted GMRES(m) for general operators, right- (default) or left-preconditioned (`side`; `precond` must be a fixed linear map); breakdown: a zero Arnoldi vector that does not solve the system",
    options: [
      ...solveStop(),
      { ...int("restart", 30, "the Krylov basis size m before a restart: m + 1 vectors of memory, up to m + 1 inner products per iteration"), min: 1 },
      choice("side", "right", ["right", "left"], "where the preconditioner goes: `right` (A M y = b) minimises and tests the true residual ‖b − A u‖; `left` (M A u = M b) the preconditioned ‖M(b − A u)‖, relative to ‖M b‖"),
    ],
    implementation: { kind: "driver", why: "it grows an orthonormal basis one column at a time and solves a Hessenberg least-squares problem; the language cannot update one column of a tensor (runtime/drivers/gmres.ts)" },
  },
  { name: "bicgstab", construct: "solve", doc: "BiCGStab for general operators", options: solveStop(), implementation: krylov("|cos∠(t, s)| − 1e-6, which must be > 0 (ω = tᵀs/tᵀt vanished relative to its scale: no progress along s; a vanishing ρ = r̂ᵀr restarts the method instead)") },
  {
    name: "chebyshev",
    construct: "solve",
    doc: "Chebyshev iteration for SPD operators with eigenvalues in [lmin, lmax]",
    requires: "spd",
    options: [...solveStop(), { ...float("lmin", null, "a lower bound of the spectrum (of M A with a preconditioner), > 0"), required: true }, { ...float("lmax", null, "an upper bound of the spectrum, ≥ lmin"), required: true }],
    implementation: krylov("the check 0 < lmin ≤ lmax of the spectrum bounds (1 when it holds, −1 when not)"),
  },
  {
    name: "sor",
    construct: "solve",
    doc: "successive over-relaxation: one forward lexicographic SOR sweep per iteration (ω = 1: Gauss–Seidel)",
    options: [...solveStop(), float("omega", 1, "the relaxation ω, in (0, 2) for SPD operators"), DIAG],
    implementation: { kind: "iter", module: "relaxation" },
  },
  { name: "richardson", construct: "solve", doc: "Richardson iteration x ← x + ω M(b − A x)", options: [...solveStop(), float("omega", 1, "the step ω")], implementation: krylov() },
  { name: "multigrid", construct: "solve", doc: "geometric multigrid cycles as a solver (x ← x + MG(b − A x))", options: [...solveStop(100), ...multigridOptions], implementation: { kind: "iter", module: "multigrid" } },
  {
    name: "newton_krylov",
    construct: "solve",
    doc: "Newton–Krylov for F(x) = b: inexact Newton steps by GMRES on exact Jacobian-vector products (forward-mode autodiff through F), an Eisenstat–Walker forcing term, an adaptive inner budget and a backtracking (Armijo) line search on ‖b − F‖²; the preconditioner acts on the Jacobian",
    options: [
      ...solveStop(50),
      { ...int("inner", 30, "the first GMRES budget per Newton step (iterations, also its restart); doubled for the next step when a step uses it all"), min: 1 },
      { ...int("inner_max", 240, "the largest GMRES budget the adaptation may reach"), min: 1 },
      choice("forcing", "ew", ["ew", "constant"], "the inner tolerance η of each Newton step: Eisenstat–Walker (choice 1, safeguarded) or the constant `eta`"),
      { ...float("eta", 0.3, "η₀ of Eisenstat–Walker, or the constant forcing term: the inner GMRES stops at ‖r − J δ‖ ≤ η ‖r‖"), min: 1e-7, max: 0.99 },
    ],
    nonlinear: true,
    jacobian: true,
    note: "Jacobian-vector products exact (forward-mode autodiff)",
    implementation: { kind: "driver", why: "its inner solver is GMRES, which grows a basis one column at a time (runtime/drivers/newton.ts); and a failed line search is a reason of its own" },
  },
  {
    name: "broyden",
    construct: "solve",
    doc: "Broyden's method (good Broyden, limited memory) for F(x) = b, with a line search: quasi-Newton from values of F alone, as SciPy's `broyden1`; no Jacobian, no preconditioner",
    options: [...solveStop(100), ...broydenOptions("the initial inverse Jacobian of b − F(x) is −α I, so the first step is x + α(b − F(x)); default SciPy's 0.5·max(‖x₀‖, 1)/‖b − F(x₀)‖", true)],
    nonlinear: true,
    implementation: { kind: "driver", why: BROYDEN_WHY },
  },
  // ---- preconditioners --------------------------------------------------------------
  { name: "jacobi", construct: "precond", doc: "diagonal scaling M(r) = ω r / diag(A); diag given, else probed with a red–black colouring (exact for 5-point stencils)", options: [float("omega", 1, "damping ω"), DIAG], implementation: precond },
  {
    name: "ssor",
    construct: "precond",
    doc: "symmetric Gauss–Seidel/SOR sweeps, in red–black or lexicographic (PETSc's) order",
    options: [float("omega", 1, "relaxation ω in (0, 2)"), int("sweeps", 1, "forward–backward sweep pairs"), choice("order", "redblack", ["redblack", "lexicographic"], "the order of the updates: red–black (4 applications of A per sweep) or lexicographic, row-major as PETSc's (by wavefronts: 2(n + m − 1) applications on an n×m grid)"), DIAG],
    implementation: precond,
  },
  { name: "neumann", construct: "precond", doc: "truncated Neumann series of the Jacobi-scaled operator, of a given degree", options: [int("degree", 3, "the polynomial degree"), DIAG], implementation: precond },
  { name: "chebyshev", construct: "precond", doc: "Chebyshev polynomial preconditioner of a given degree on [lmin, lmax]", requires: "spd", options: [int("degree", 3, "the polynomial degree"), float("lmin", null, "a lower spectrum bound"), float("lmax", null, "an upper spectrum bound")], implementation: precond },
  { name: "multigrid", construct: "precond", doc: "one geometric multigrid cycle (full weighting, bilinear prolongation, operators re-discretised on coarse grids or Galerkin products R A P; grids of any size)", options: multigridOptions, implementation: { kind: "iter", module: "multigrid" } },
  // ---- optimisers (minimize and train) -------------------------------------------------
  { name: "gd", construct: "minimize", doc: "gradient descent x ← x − lr g", options: optimiser(1e-3), implementation: optim },
  { name: "momentum", construct: "minimize", doc: "heavy-ball momentum (PyTorch's SGD with momentum): v ← μv + g, x ← x − lr v", options: optimiser(1e-3, beta("mu", 0.9, "the momentum μ")), implementation: optim },
  { name: "nesterov", construct: "minimize", doc: "Nesterov momentum (PyTorch's SGD with nesterov=True): v ← μv + g, x ← x − lr (g + μv)", options: optimiser(1e-3, beta("mu", 0.9, "the momentum μ")), implementation: optim },
  {
    name: "adam",
    construct: "minimize",
    doc: "Adam (Kingma & Ba 2015) with bias correction",
    options: optimiser(1e-3, beta("beta1", 0.9, "the decay of the first moment"), beta("beta2", 0.999, "the decay of the second moment"), float("eps", 1e-8, "added to √v̂")),
    implementation: optim,
  },
  {
    name: "adamw",
    construct: "minimize",
    doc: "AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019)",
    options: optimiser(1e-3, beta("beta1", 0.9, "the decay of the first moment"), beta("beta2", 0.999, "the decay of the second moment"), float("eps", 1e-8, "added to √v̂"), { ...float("weight_decay", 0.01, "the decoupled weight decay λ"), min: 0 }),
    implementation: optim,
  },
  {
    name: "lion",
    construct: "minimize",
    doc: "Lion (Chen et al. 2023): sign of an interpolated momentum, with decoupled weight decay",
    options: optimiser(1e-4, beta("beta1", 0.9, "the interpolation of the update direction"), beta("beta2", 0.99, "the decay of the momentum"), { ...float("weight_decay", 0, "the decoupled weight decay λ"), min: 0 }),
    implementation: optim,
  },
  {
    name: "shampoo",
    construct: "minimize",
    doc: "Shampoo (Gupta, Koren & Singer 2018): left and right preconditioners L^(−1/4) G R^(−1/4), inverse roots by a coupled Newton iteration",
    options: optimiser(1e-2, { ...float("eps", 1e-4, "the initial L = R = εI, which regularises the inverse roots"), min: 0 }),
    implementation: optim,
  },
  {
    name: "lbfgs",
    construct: "minimize",
    doc: "limited-memory BFGS with a line search that satisfies the strong Wolfe conditions (Nocedal & Wright, Algorithms 7.4, 3.5 and 3.6)",
    options: [
      rtol(DEFAULT_RTOL),
      atol,
      maxiter(DEFAULT_MAXITER),
      { ...int("m", 10, "how many curvature pairs (s, y) to keep"), min: 1 },
      { ...float("c1", 1e-4, "the sufficient-decrease constant of the Wolfe conditions"), min: 0, max: 1 },
      { ...float("c2", 0.9, "the curvature constant of the Wolfe conditions, c1 < c2 < 1"), min: 0, max: 1 },
      { ...int("ls_max", 25, "the most function evaluations of one line search"), min: 1 },
    ],
    implementation: { kind: "driver", why: "it keeps a history of m vector pairs and runs a line search with a data-dependent number of evaluations; the language has no ring buffers" },
  },
];

export const DEFAULT_METHOD: Partial<Record<Construct, string>> = { fixpoint: "picard", solve: "cg", minimize: "lbfgs" };

/** The default of a numeric option of a method: the registry's, the one place defaults live. */
export function defaultNumber(construct: Construct, method: string, option: string): number {
  const v = findMethod(construct, method)?.options.find((o) => o.name === option)?.default;
  if (typeof v !== "number") throw new Error(`internal error: \`${option}\` of \`${method}\` has no numeric default`);
  return v;
}

export function methodsFor(construct: Construct): MethodSpec[] {
  return METHODS.filter((m) => m.construct === construct);
}

export function findMethod(construct: Construct, name: string): MethodSpec | undefined {
  return METHODS.find((m) => m.construct === construct && m.name === name);
}
