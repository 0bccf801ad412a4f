// The handle generated code holds is the tfjs tensor itself, typed opaquely (types.ts) so that
// no tfjs type reaches a module's declarations. These casts are the only place that knows.
import type * as tf from "@tensorflow/tfjs-core";
import type { Tensor } from "./types.js";

export const asTf = (t: Tensor): tf.Tensor => t as unknown as tf.Tensor;
export const asHandle = (t: tf.Tensor): Tensor => t as unknown as Tensor;
