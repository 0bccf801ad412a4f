// Drives the CG kernel set of compiler/native/samples/cg-poisson.ts: one `direction` and one
// `update` call per iteration, the stopping test on the register rz = ‖r‖² read straight
// from memory. (The generic solve driver will do the same through the method protocol; this
// one exists for the tests and the benchmark.)
import { cgPoissonKernels } from "../../compiler/native/samples/cg-poisson.js";
import type { DType } from "../../compiler/native/kernel-ir.js";
import { NativeProgram } from "./program.js";

export class NativeCgPoisson {
  readonly program: NativeProgram;
  private readonly start: () => void;
  private readonly direction: () => void;
  private readonly update: () => void;

  constructor(
    readonly dtype: DType,
    readonly n: number,
  ) {
    this.program = NativeProgram.compile(cgPoissonKernels(dtype, n));
    this.start = this.program.kernel("start");
    this.direction = this.program.kernel("direction");
    this.update = this.program.kernel("update");
  }

  /** x = 0, r = b, p = 0, β = 0, rz = ‖b‖². */
  reset(b: ArrayLike<number>): void {
    this.program.view("x").fill(0);
    this.program.view("r").set(b);
    this.start();
  }

  /** Exactly `iterations` CG iterations (for timing). */
  iterate(iterations: number): void {
    const { direction, update } = this;
    for (let k = 0; k < iterations; k++) {
      direction();
      update();
    }
  }

  /** Iterates until ‖r‖ ≤ rtol·‖b‖ (the recursive residual) or maxIter; returns the count. */
  solve(b: ArrayLike<number>, rtol: number, maxIter: number): number {
    this.reset(b);
    const bound = rtol * rtol * this.program.scalar("rz");
    let k = 0;
    while (k < maxIter && this.program.scalar("rz") > bound) {
      this.direction();
      this.update();
      k++;
    }
    return k;
  }

  get x(): Float32Array | Float64Array {
    return this.program.view("x");
  }
}
