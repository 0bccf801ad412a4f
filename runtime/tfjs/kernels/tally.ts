// The tfjs kernel of `tally` (compiler/ops/tally.ts): x itself, one application counted.
import type { Tally } from "../../../compiler/ops/tally.js";
import { tick } from "../../drivers/counts.js";
import { input, type TfjsKernel } from "./common.js";

export const TALLY_KERNELS: Record<string, TfjsKernel> = {
  tally: (tf, inputs, statics) => {
    tick(statics.what as Tally);
    return tf.clone(input(inputs, 0));
  },
};
