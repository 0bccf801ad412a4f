// The tfjs execution backend: the shared walk (runtime/interpreter.ts) with tfjs's kernels
// (runtime/tfjs/kernels) and tfjs itself as the drivers' tensor API.
import { InternalError } from "../../base/diagnostics.js";
import type { BuiltinOp, ConstOp } from "../../compiler/ir/ir.js";
import type { ConcreteStatic } from "../../compiler/ops/index.js";
import { concreteShape } from "../../compiler/types.js";
import { Interpreter } from "../interpreter.js";
import { TF_DTYPE, type Tensor, type Tf } from "./kernels/common.js";
import { TFJS_KERNELS } from "./kernels/index.js";

/**
 * Iterations between residual reads on a GPU backend: a read stalls the GPU's queue until the
 * copy back is done, so the generic drivers take this many steps per read, keeping their states
 * and taking the first step that decides — the same run as with a read per step, at the cost of
 * up to GPU_CHECK_EVERY − 1 steps computed and discarded, and that many states held at once.
 * ITER_GPU_CHECK_EVERY overrides it (1: a read per iteration).
 */
export const GPU_CHECK_EVERY = checkEveryFromEnv(globalThis.process?.env?.ITER_GPU_CHECK_EVERY, 8);

/** ITER_GPU_CHECK_EVERY, a whole number ≥ 1, else the default (1 reads after every iteration). */
function checkEveryFromEnv(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n >= 1 ? n : fallback;
}

export class TfjsInterpreter extends Interpreter<Tensor> {
  readonly name: string;

  constructor(protected readonly tf: Tf) {
    super();
    this.name = `tfjs-${tf.getBackend()}`;
  }

  protected constant(op: ConstOp): Tensor {
    const out = op.outputs[0].type;
    return this.tf.tensor(op.value as number | number[], concreteShape(out.shape), TF_DTYPE[out.dtype]);
  }

  protected builtin(op: BuiltinOp, args: Tensor[]): Tensor {
    const kernel = TFJS_KERNELS.get(op.opcode);
    if (!kernel) throw new InternalError(`the tfjs backend has no kernel for \`${op.opcode}\``);
    const out = op.outputs[0].type;
    return kernel(this.tf, args, op.statics as Record<string, ConcreteStatic>, { shape: concreteShape(out.shape), dtype: out.dtype });
  }

  protected bytesInUse(): number {
    return this.tf.memory().numBytes;
  }

  protected engineOf(): string {
    return this.name;
  }

  /** On webgpu every read waits for the GPU: the residual is read every GPU_CHECK_EVERY iterations. */
  protected override checkEvery(): number {
    return this.name === "tfjs-webgpu" ? GPU_CHECK_EVERY : 1;
  }
}
