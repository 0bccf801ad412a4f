// tfjs kernels of the random initialisers: the values come from the op's own generator
// (compiler/ops/random.ts), computed in f64 and rounded to f32, the same on every backend.
import { GENERATORS } from "../../../compiler/ops/random.js";
import { concreteNumber, type TfjsKernel } from "./common.js";

export const RANDOM_KERNELS: Record<string, TfjsKernel> = Object.fromEntries(
  [...GENERATORS].map(([name, gen]): [string, TfjsKernel] => [
    name,
    (tf, _i, s, out) => tf.tensor(Float32Array.from(gen(out.shape, concreteNumber(s.seed, 0), s)), out.shape, "float32"),
  ]),
);
