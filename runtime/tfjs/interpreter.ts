// The tfjs execution backend: the shared walk (runtime/interpreter.ts) with tfjs's kernels
// (runtime/tfjs/kernels) and tfjs itself as the drivers' tensor API.
import { InternalError } from "../../base/diagnostics.js";
import type { BuiltinOp, ConstOp } from "../../compiler/ir/ir.js";
import type { ConcreteStatic } from "../../compiler/ops/index.js";
import { concreteShape } from "../../compiler/types.js";
import { Interpreter } from "../interpreter.js";
import { TF_DTYPE, type Tensor, type Tf } from "./kernels/common.js";
import { TFJS_KERNELS } from "./kernels/index.js";

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
}
