// The iterates of the construct a `decreasing(u, energy | error)` contract follows, recorded
// as the construct runs: the argument of `start` and the first output of each `step` of a
// method written in iterlang (its iterate, by the protocol of docs/stdlib.md), or the argument
// of each application of the map for a fixpoint a TypeScript driver runs (Anderson). The
// drivers are not touched.
import type { ConstructOp, FixpointOp, Region, SolveOp } from "../../compiler/ir/ir.js";
import type { Series } from "../../compiler/contracts/record.js";
import type { ConstructHost } from "../constructs.js";
import type { Tensor, Tf } from "../tfjs/kernels/common.js";
import type { ConstructObserver } from "../interpreter.js";

/** Iterates kept at most (a construct that runs longer is followed up to here). */
const MAX_ITERATES = 2000;

export class IterateObserver implements ConstructObserver<Tensor> {
  private readonly iterates: Tensor[] = [];
  /** ½⟨u, A u⟩ − ⟨f, u⟩ of each iterate of a solve, computed while its operator can run. */
  private readonly energies: number[] = [];
  private energy?: (u: Tensor) => number;

  constructor(
    private readonly tf: Tf,
    private readonly label: string,
  ) {}

  host(op: ConstructOp, host: ConstructHost<Tensor>, inputs: readonly Tensor[]): ConstructHost<Tensor> {
    if ((op.kind !== "fixpoint" && op.kind !== "solve") || op.adjointOf || op.label !== this.label) return host;
    if (op.kind === "solve") {
      const [tf, apply, b] = [this.tf, host.run(op.regions.operator), inputs[0]];
      // What CG minimises, for a symmetric positive definite A.
      this.energy = (u) => tf.tidy(() => tf.sub(tf.mul(0.5, tf.sum(tf.mul(u, apply(u)[0]))), tf.sum(tf.mul(b, u))).dataSync()[0]);
    }
    const watched = watchedRegion(op);
    return {
      ...host,
      run: (region: Region) => {
        const f = host.run(region);
        // The starting iterate (and a restart's) is the argument of `start`.
        if (region === op.regions.start) return (...xs: Tensor[]) => (this.keep(xs[0]), f(...xs));
        if (region !== watched.region) return f;
        return (...xs: Tensor[]) => {
          const out = f(...xs);
          this.keep(watched.take === "result" ? out[0] : xs[0]);
          return out;
        };
      },
    };
  }

  private keep(t: Tensor): void {
    if (this.iterates.length >= MAX_ITERATES) return;
    this.iterates.push(this.tf.clone(t));
    if (this.energy) this.energies.push(this.energy(t));
  }

  /**
   * The series along the recorded iterates, up to the one the construct returned (`final`):
   * a driver that computes one step past its answer (a fixpoint checks x_k by computing
   * x_{k+1}) does not return that step.
   */
  series(kind: Exclude<Series, "residual">, final: Tensor): number[] {
    const tf = this.tf;
    const errors = this.iterates.map((u) => tf.tidy(() => tf.norm(tf.sub(u, final)).dataSync()[0]));
    const last = errors.lastIndexOf(0);
    const n = last >= 0 ? last + 1 : errors.length;
    return kind === "error" ? errors.slice(0, n) : this.energies.slice(0, n);
  }

  dispose(): void {
    for (const t of this.iterates) t.dispose();
    this.iterates.length = 0;
  }
}

/** Where the iterate of each step shows: the step region's first result, or the map's argument. */
function watchedRegion(op: FixpointOp | SolveOp): { region: Region | undefined; take: "result" | "argument" } {
  if (op.regions.step) return { region: op.regions.step, take: "result" };
  return { region: op.kind === "fixpoint" ? op.regions.map : undefined, take: "argument" };
}
