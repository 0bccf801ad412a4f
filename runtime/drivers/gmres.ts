// Restarted GMRES(m) for `solve A(u) = b method gmres(restart: m)`, with right preconditioning.
//
// Why a TypeScript driver and not stdlib/krylov.iter: GMRES grows an orthonormal basis
// v_0, v_1, … one vector per iteration and solves a small Hessenberg least-squares problem
// whose size grows too. The language has no growing state (a carried value keeps its shape
// from step to step) and cannot update one column of a tensor, so the method cannot be said
// in it; the driver holds the basis as a list of tensors instead.
//
// The iteration (Saad & Schultz 1986; Saad, "Iterative Methods for Sparse Linear Systems", §6.5
// and §9.3.2 for right preconditioning). From x (the cycle's start), r = b − A x, β = ‖r‖:
//   v_0 = r/β; for j = 0 … m−1:
//     w = A(M(v_j)); modified Gram–Schmidt: h_ij = ⟨w, v_i⟩, w ← w − h_ij v_i for i = 0 … j;
//     h_{j+1,j} = ‖w‖; v_{j+1} = w / h_{j+1,j}
//   then x ← x + M(V y), y minimising ‖β e_0 − H̄ y‖ (H̄ the (j+2)×(j+1) Hessenberg matrix).
// Right preconditioning (A M y = b, x = M y) keeps the minimised residual the TRUE one,
// ‖b − A x‖, so the stopping test compares like with like against ‖b‖ (left preconditioning
// would minimise ‖M(b − A x)‖ instead). M must be a fixed linear map (not flexible GMRES):
// the update applies M once per cycle to V y, instead of storing M v_j for every j.
//
// Reorthogonalisation: one more Gram–Schmidt pass against all of v_0 … v_j, only when the
// first pass cancelled more than 1 − 1/√2 of w's norm (‖w after‖ < ‖w before‖/√2: the
// Daniel–Gragg–Kaufman–Stewart criterion; "twice is enough", Giraud–Langou–Rozložník 2005).
// That happens when A M v_j lies nearly in the Krylov space already (near convergence, or a
// strongly non-normal A); on the well-behaved problems of the tests it triggers rarely.
//
// The Hessenberg column goes to the host: the j + 1 coefficients h_0j … h_jj and the norms of
// w before and after Gram–Schmidt, j + 3 ≤ m + 2 float32s, in ONE dataSync per iteration (plus
// one more in the rare iterations that reorthogonalise). The Givens rotations, the residual
// estimate and the final triangular solve are done there in float64: m(m+1)/2 numbers, far too
// small to be worth kernels (each tfjs kernel costs ~45 µs of dispatch, more than all the host
// arithmetic of a cycle), and float64 keeps the small problem's rounding out of the picture.
// The read-back is a device synchronisation per iteration: free on cpu and wasm, a pipeline
// stall on a GPU backend (where it costs about one kernel launch's latency).
//
// Per iteration j of a cycle the device does: M (if any), A, then j + 1 inner products and
// j + 1 axpys (3 kernels each: matMul, mul, sub), 2 norms, the stack and the normalisation —
// about 3(j + 1) + 5 kernels besides A and M. Memory: the m + 1 basis vectors.
//
// What the report means (as for CG, runtime/drivers/cg.ts):
//   residual          = the TRUE residual ‖b − A u‖₂ of the returned u, recomputed at the end;
//   recursiveResidual = the least-squares residual |g_{j+1}| at exit (the GMRES estimate);
//   relResidual       = residual / ‖b‖₂ (0 when the residual is 0);
//   history[k]        = the recursive residual |g_{j+1}| after iteration k (history[0] = ‖r_0‖),
//                       non-increasing within a cycle, reset to the true residual at a restart.
// The convergence test is ‖r‖ ≤ max(atol, rtol·‖b‖): passed by the recursive residual, then
// confirmed by the true one. A cycle ends after m iterations, or early when the recursive
// residual passes; either way the iterate is formed and its true residual computed, which both
// checks convergence and starts the next cycle (so a failed confirmation is a residual
// replacement for free; as in CG at most MAX_REPLACEMENTS of them, and the run stops with
// `max_iterations` and a detail once they stop halving the true residual: float32's attainable
// accuracy, about eps·‖A‖‖u‖).
//
// Breakdown: a zero Arnoldi vector (h_{j+1,j} ≤ BREAKDOWN_RATIO × ‖A M v_j‖) means the Krylov
// space is invariant: the least-squares solution is then the exact solution in it (a "happy
// breakdown"). The run is `converged` if the true residual passes, else `breakdown` with a
// detail (A·M is singular on the Krylov space — the least-squares residual stops decreasing —
// or the tolerance is below what the arithmetic attains). A column that is itself dependent on the
// previous ones (the rotated diagonal of R vanishes too) is dropped from the least squares.
//
// Inner products and tfjs-wasm's matMul cache. The wasm backend caches the XNNPACK operator of a
// matMul under the id of its right operand's data (tfjs-backend-wasm, batch_mat_mul_impl.cc:
// the key is (b_id, bias_id, activation), not b's shape) and reuses it for any later matMul
// whose right operand shares that data. flatDot puts its second argument there as an [N, 1]
// view. A basis vector v_j is also the argument of the user's operator, which for a
// matrix-valued unknown (`solve M @ Z = B`, Z of shape [n, n]) uses it as the right operand
// of an [n, n] product: the two shapes then share one cached operator, which writes n floats
// into a 1-float output — the `memory access out of bounds` / `Aborted()` on wasm (cpu has no
// such cache). So the right operand of every matMul here is a tensor this driver has just
// computed by arithmetic and gives to no one (`dotPrivate`), and an inner product of tensors
// the program also sees (b, A's output) is a sum of products (`dotShared`), which caches nothing.
import { buildReport, confirmFailed } from "./method.js";
import { isConvergedReason as isConverged, type Reason } from "../report.js";
import {
  ConvergenceMonitor,
  conform,
  convergedReason,
  describeNonFinite,
  flatDot,
  fmt,
  tolerance,
  type Decision,
  type DriverResult,
  type StoppingRule,
  type Tensor,
  type Tf,
} from "./stopping.js";
import { floatName, isFloatDType } from "./tensor-api.js";

export interface GmresOptions<T extends Tensor = Tensor> {
  /** Initial guess (default zeros). Not disposed: it stays the caller's. */
  x0?: T;
  /** z = M r with M ≈ A⁻¹, applied on the right (A M y = b, x = M y); any fixed linear map. */
  precond?: (r: T) => T;
  /** The Krylov basis size m before a restart (GMRES(m)); an integer ≥ 1. */
  restart: number;
  stop: StoppingRule;
  /** Source name of the construct, for the report. */
  name: string;
  /**
   * Called with every iterate x_k (k = 0 is the initial guess) and its index `inner` within its
   * restart cycle (1 … m; 0 for x_0). GMRES does not form x_k until a cycle ends, so giving this
   * callback costs one M application and a small axpy chain per iteration: for tests and
   * monitors. It must not dispose x.
   */
  onIterate?: (k: number, x: T, inner: number) => void;
  /** Restarts allowed after the true residual fails to confirm the recursive one (default 5). */
  maxReplacements?: number;
  /**
   * `right` (the default): A M y = b, u = M y, minimising the true residual ‖b − A u‖. `left`:
   * M A u = M b, minimising the preconditioned residual ‖M(b − A u)‖ — the norm the stopping
   * test then uses, relative to ‖M b‖ (PETSc's default norm for left preconditioning). The
   * report's `residual` is the unpreconditioned ‖b − A u‖ either way.
   */
  side?: "left" | "right";
}

export const MAX_REPLACEMENTS = 5;
/** Reorthogonalise when Gram–Schmidt leaves less than this fraction of ‖w‖. */
export const REORTH_RATIO = Math.SQRT1_2;
/**
 * h_{j+1,j} at or below this × ‖A M v_j‖ counts as a zero Arnoldi vector. ≈ 16 float32 epsilons:
 * the rounding noise Gram–Schmidt leaves of a vector that lies in the span.
 */
export const BREAKDOWN_RATIO = 1e-6;
/** The same in float64 (≈ 500 float64 epsilons). */
export const BREAKDOWN_RATIO_F64 = 1e-13;

type ExitKind = "continue" | "happy" | "singular" | "nan";

/** ⟨a, b⟩ as a rank-0 tensor, where `fresh` is a tensor this driver computed and shares with no one. */
function dotPrivate<T extends Tensor>(tf: Tf<T>, a: T, fresh: T): T {
  return flatDot(tf, a, fresh);
}

/** ⟨a, b⟩ of tensors the program may also use: elementwise, so no matMul cache sees them. */
function dotShared<T extends Tensor>(tf: Tf<T>, a: T, b: T): T {
  return tf.sum(tf.mul(a, b));
}

export function runGmres<T extends Tensor>(tf: Tf<NoInfer<T>>, apply: (u: T) => T, b: T, opts: GmresOptions<T>): DriverResult<T> {
  const t0 = performance.now();
  const m = opts.restart;
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`restart must be an integer ≥ 1, got ${m}`);
  const monitor = new ConvergenceMonitor(opts.stop);
  const rule = monitor.rule;
  const precond = opts.precond;
  const maxReplacements = opts.maxReplacements ?? MAX_REPLACEMENTS;
  const A = (u: T) => conform(tf, "the operator", apply(u), u);
  const M = precond ? (r: T) => conform(tf, "the preconditioner", precond(r), r) : undefined;
  const left = opts.side === "left" && M !== undefined;
  /** The residual as the method sees it: M r with left preconditioning, r itself with right. */
  const P = (t: T) => (left ? M!(t) : t);
  const normName = left ? "‖M(b − Au)‖" : "‖b − Au‖";
  const bf = isFloatDType(b.dtype) ? b : tf.cast(b, "float32");
  const arithmetic = floatName(bf.dtype);
  const breakdownRatio = arithmetic === "float64" ? BREAKDOWN_RATIO_F64 : BREAKDOWN_RATIO;

  // Every tensor this driver owns outside a tidy: disposed on any exit, normal or thrown.
  let x: T | undefined;
  let r: T | undefined; // the residual the next cycle starts from
  const V: T[] = [];
  let bnorm = NaN; // of b as the method sees it (M b with left preconditioning)
  let bplain = NaN; // ‖b‖, for the report's relResidual
  let recursive = NaN;

  const release = () => {
    r?.dispose();
    r = undefined;
    for (const v of V) v.dispose();
    V.length = 0;
  };

  /** b − A x (M(b − A x) with left preconditioning) and its norm (one apply, one read-back). */
  const trueResidual = (xt: T, plain = false): { rt: T; norm: number } => {
    const { rt, rr } = tf.tidy(() => {
      const d = tf.sub(bf, A(xt));
      const rt = plain ? d : P(d);
      return { rt, rr: dotPrivate(tf, rt, rt) };
    });
    const norm = Math.sqrt(rr.dataSync()[0]);
    rr.dispose();
    return { rt, norm };
  };

  try {
    // ---- set-up: x0, r0 = b − A x0, ‖b‖² and ‖r0‖² in one read-back.
    const init = tf.tidy(() => {
      let x: T;
      let r: T;
      if (opts.x0) {
        const x0 = conform(tf, "the initial guess", opts.x0, bf);
        x = x0 === opts.x0 ? tf.clone(x0) : x0;
        r = P(tf.sub(bf, A(x)));
      } else {
        x = tf.zerosLike(bf);
        r = left ? P(bf) : tf.clone(bf);
      }
      // Without x0 and a left preconditioner, r is a clone of b: it shares b's data, which the program may also use.
      const rr = opts.x0 || left ? dotPrivate(tf, r, r) : dotShared(tf, r, r);
      const plain = dotShared(tf, bf, bf);
      const bb = opts.x0 ? (left ? tf.tidy(() => dotPrivate(tf, P(bf), P(bf))) : plain) : rr;
      return { x, r, stats: tf.stack([bb, rr, plain]) };
    });
    x = init.x;
    r = init.r;
    const [bb, rr0, plainbb] = init.stats.dataSync();
    init.stats.dispose();
    bnorm = Math.sqrt(bb);
    bplain = Math.sqrt(plainbb);
    recursive = Math.sqrt(rr0);

    if (plainbb === 0) {
      // Zero right-hand side: the solution of a nonsingular system is exactly zero.
      release();
      x.dispose();
      x = undefined;
      monitor.observe(0, 0);
      return finish(tf.zerosLike(bf), "converged_atol", undefined, 0, 0);
    }
    opts.onIterate?.(0, x, 0);
    let reason: Reason;
    let detail: string | undefined;
    let trueRes: number | undefined;
    if (!Number.isFinite(bb)) {
      monitor.observe(NaN, bnorm);
      reason = "diverged_nan";
      detail = `NaN or ±Inf in the right-hand side (${describeNonFinite(b)})`;
    } else if (!Number.isFinite(rr0)) {
      monitor.observe(NaN, bnorm);
      reason = "diverged_nan";
      detail = `the initial residual b − A x0 has NaN or ±Inf: the operator produced them at the initial guess`;
    } else {
      const d0 = monitor.observe(recursive, bnorm);
      if (d0.stop) {
        // r0 was computed directly: when it passes, the initial guess already solves.
        reason = d0.reason;
        if (d0.converged) trueRes = recursive;
      } else {
        ({ reason, detail, trueRes } = iterate());
      }
    }
    release();
    const xv = x;
    x = undefined;
    if (trueRes === undefined || left) {
      // The report's residual is the unpreconditioned one, whatever norm the test used.
      try {
        const { rt, norm } = trueResidual(xv, true);
        rt.dispose();
        if (left && trueRes !== undefined && isConverged(reason)) detail = `converged in the preconditioned norm ${normName} = ${fmt(trueRes)} (left preconditioning)`;
        trueRes = norm;
      } catch (e) {
        xv.dispose();
        throw e;
      }
    }
    return finish(xv, reason, detail, trueRes, recursive);
  } catch (e) {
    release();
    x?.dispose();
    throw e;
  } finally {
    if (bf !== b && !bf.isDisposed) bf.dispose();
  }

  /** Restart cycles from x, r (which passed the initial checks) until a decision. */
  function iterate(): { reason: Reason; detail?: string; trueRes?: number } {
    let replacements = 0;
    let lastTrue = Infinity;
    let beta = recursive;
    // What the least-squares residual must reach to end a cycle early: the tolerance, made
    // finer after each cycle whose true residual missed it (method.ts's `confirmFailed`).
    let target = tolerance(rule, bnorm);
    for (;;) {
      // ---- one cycle: v_0 = r / β
      V.push(tf.tidy(() => tf.div(r!, beta)));
      r!.dispose();
      r = undefined;
      const R: number[][] = []; // R[j] = column j of the rotated (upper triangular) Hessenberg
      const cs: number[] = [];
      const sn: number[] = [];
      const g: number[] = [beta];
      let cols = 0; // the columns used by the least squares (a dependent one is dropped)
      let exit: ExitKind = "continue";
      let exitAt = 0;
      let exitDetail = "";
      let decision: Decision | undefined;
      for (let j = 0; j < m; j++) {
        const k = monitor.iteration + 1;
        const { w, h, before, after } = arnoldi(j);
        const col = [...h, 0];
        const hnext = Math.sqrt(after);
        col[j + 1] = hnext;
        if (!col.every(Number.isFinite) || !Number.isFinite(before)) {
          w.dispose();
          exit = "nan";
          exitAt = k;
          exitDetail = `the Arnoldi vector A(M(v)) has NaN or ±Inf at iteration ${k}: the ${M ? "operator or the preconditioner" : "operator"} produced them`;
          break;
        }
        const colNorm = Math.sqrt(before);
        // Apply the previous rotations to the new column, then make the one that zeroes h_{j+1,j}.
        for (let i = 0; i < j; i++) {
          const t = cs[i] * col[i] + sn[i] * col[i + 1];
          col[i + 1] = -sn[i] * col[i] + cs[i] * col[i + 1];
          col[i] = t;
        }
        const diag = Math.hypot(col[j], col[j + 1]);
        const zeroVector = hnext <= breakdownRatio * colNorm;
        const dependent = diag <= breakdownRatio * colNorm;
        if (dependent) {
          // A M v_j lies in the span of A M v_0 … A M v_{j−1}: A·M is singular on the Krylov
          // space. The column adds nothing to the least squares; the residual stays |g_j|.
          cs.push(1);
          sn.push(0);
          R.push(col.slice(0, j + 1));
          g.push(0);
        } else {
          const c = col[j] / diag;
          const s = col[j + 1] / diag;
          cs.push(c);
          sn.push(s);
          col[j] = diag;
          R.push(col.slice(0, j + 1));
          g.push(-s * g[j]);
          g[j] = c * g[j];
          cols = j + 1;
        }
        recursive = Math.abs(dependent ? g[j] : g[j + 1]);
        if (zeroVector) {
          w.dispose();
        } else {
          V.push(tf.tidy(() => tf.div(w, hnext)));
          w.dispose();
        }
        decision = monitor.observe(recursive, bnorm);
        if (opts.onIterate) {
          const xk = formIterate(R, g, cols);
          try {
            opts.onIterate(k, xk, j + 1);
          } finally {
            xk.dispose();
          }
        }
        if (zeroVector || dependent) {
          exit = dependent ? "singular" : "happy";
          exitAt = k;
          exitDetail = `h_{j+1,j} = ${fmt(hnext)} ≤ ${fmt(breakdownRatio)} × ‖A M v_j‖ = ${fmt(colNorm)} at iteration ${k}`;
          break;
        }
        // The tolerance is met but not the finer target of a replacement: the cycle goes on.
        if (decision.stop && !(decision.converged && recursive > target && monitor.iteration < rule.maxIter)) break;
      }

      // ---- end of the cycle: x ← x + M(V y), then the true residual.
      const xn = formIterate(R, g, cols);
      x!.dispose();
      x = xn;
      for (const v of V) v.dispose();
      V.length = 0;
      const { rt, norm } = trueResidual(x);
      r = rt;
      const passed = convergedReason(rule, norm, bnorm);
      if (passed) return { reason: passed, trueRes: norm };
      if (!Number.isFinite(norm)) {
        return { reason: "diverged_nan", detail: `the true residual ${normName} = ${fmt(norm)} at iteration ${monitor.iteration}`, trueRes: norm };
      }
      if (exit === "nan") return { reason: "diverged_nan", detail: exitDetail, trueRes: norm };
      if (exit === "singular") {
        return {
          reason: "breakdown",
          detail:
            `the Arnoldi vector vanished (${exitDetail}): the Krylov space is invariant, ` +
            `and A${M ? "·M" : ""} is singular on it, so the least-squares residual ${fmt(recursive)} cannot decrease (is b in the range of A?); ` +
            `true residual ${fmt(norm)} at iteration ${exitAt}`,
          trueRes: norm,
        };
      }
      if ((decision?.stop && decision.converged) || exit === "happy") {
        // The recursive residual passed, or the Krylov space is exhausted (a happy breakdown:
        // restart ≥ n reaches the whole space), but the true residual misses the tolerance
        // (float32 drift): the next cycle restarts from the true residual, aiming lower.
        const verdict = confirmFailed({ trueRes: norm, lastTrue, replacements, target, tol: tolerance(rule, bnorm), atMax: monitor.iteration >= rule.maxIter });
        if (verdict.stop || replacements >= maxReplacements) {
          return {
            reason: "max_iterations",
            detail:
              (exit === "happy"
                ? `the Krylov space was exhausted at iteration ${exitAt} (${exitDetail}), so the least-squares solution is exact in it, `
                : `the recursive residual ${fmt(recursive)} met the tolerance ${fmt(tolerance(rule, bnorm))} at iteration ${monitor.iteration}, `) +
              `but the true residual ${normName} = ${fmt(norm)} does not (${arithmetic} drift; ` +
              `${replacements} residual replacement${replacements === 1 ? "" : "s"}` +
              (verdict.stagnated ? `; it stopped falling: this is about the attainable ${arithmetic} accuracy, loosen the tolerance` : "") +
              `)`,
            trueRes: norm,
          };
        }
        replacements++;
        lastTrue = norm;
        target = verdict.target;
      } else if (decision?.stop) {
        // max_iterations, or diverged_growth / NaN from the monitor
        return { reason: decision.reason, trueRes: norm, ...(decision.reason === "diverged_growth" ? { detail: `‖r‖ = ${fmt(recursive)} at iteration ${monitor.iteration} exceeds ${fmt(rule.divergenceFactor)} × the initial ${fmt(monitor.initialResidual)}` } : {}) };
      }
      recursive = norm;
      beta = norm;
    }
  }

  /**
   * One Arnoldi step from v_j: w = A(M(v_j)) orthogonalised against v_0 … v_j by modified
   * Gram–Schmidt, with a second pass when the first cancelled too much. Returns w (not yet
   * normalised), h_0j … h_jj, and ‖A M v_j‖², ‖w‖².
   */
  function arnoldi(j: number): { w: T; h: number[]; before: number; after: number } {
    const first = tf.tidy(() => {
      const z = M && !left ? M(V[j]) : V[j];
      // A's output may be a tensor of the program's own (an operator returning a captured
      // value): shared until the first Gram–Schmidt step makes w this driver's.
      let w = left ? M!(A(z)) : A(z);
      const stats: T[] = [dotShared(tf, w, w)];
      for (let i = 0; i <= j; i++) {
        const hij = i === 0 ? dotShared(tf, V[i], w) : dotPrivate(tf, V[i], w);
        w = tf.sub(w, tf.mul(hij, V[i]));
        stats.push(hij);
      }
      stats.push(dotPrivate(tf, w, w));
      return { w, stats: tf.stack(stats) };
    });
    const s = Array.from(first.stats.dataSync());
    first.stats.dispose();
    const before = s[0];
    const h = s.slice(1, j + 2);
    let after = s[j + 2];
    let w = first.w;
    if (Number.isFinite(after) && after > 0 && after < REORTH_RATIO * REORTH_RATIO * before) {
      const cur = w;
      const second = tf.tidy(() => {
        let w2 = cur;
        const stats: T[] = [];
        for (let i = 0; i <= j; i++) {
          const c = dotPrivate(tf, V[i], w2);
          w2 = tf.sub(w2, tf.mul(c, V[i]));
          stats.push(c);
        }
        stats.push(dotPrivate(tf, w2, w2));
        return { w: w2, stats: tf.stack(stats) };
      });
      cur.dispose();
      const c = second.stats.dataSync();
      second.stats.dispose();
      for (let i = 0; i <= j; i++) h[i] += c[i];
      after = c[j + 1];
      w = second.w;
    }
    return { w, h, before, after };
  }

  /** x + M(Σ y_i v_i) with R y = g solved over the first `cols` columns (float64, on the host). */
  function formIterate(R: number[][], g: number[], cols: number): T {
    const y = new Array<number>(cols).fill(0);
    for (let i = cols - 1; i >= 0; i--) {
      let s = g[i];
      for (let l = i + 1; l < cols; l++) s -= R[l][i] * y[l];
      y[i] = R[i][i] === 0 ? 0 : s / R[i][i];
    }
    const xc = x!;
    if (cols === 0) return tf.clone(xc);
    return tf.tidy(() => {
      let u = tf.mul(V[0], y[0]);
      for (let i = 1; i < cols; i++) u = tf.add(u, tf.mul(V[i], y[i]));
      return tf.add(xc, M && !left ? M(u) : u);
    });
  }

  function finish(value: T, why: Reason, why2: string | undefined, residual: number, rec: number): DriverResult<T> {
    const tol = tolerance(monitor.rule, bnorm);
    const fields = {
      residual,
      relResidual: residual === 0 ? 0 : residual / bplain,
      recursiveResidual: rec,
      reason: why,
      ...(Number.isFinite(tol) ? { tolerance: tol } : {}),
      ...(why2 !== undefined ? { detail: why2 } : {}),
    };
    return { value, report: buildReport("solve", { name: opts.name, method: "gmres" }, monitor, t0, fields) };
  }

}
