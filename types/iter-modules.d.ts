// Types for `import … from "./file.iter"` through the bundler plugin, when no generated
// declarations are at hand: add `/// <reference types="iterlang/modules" />`. The names and
// shapes of a file's own inputs and outputs are in the module `iterc compile` writes for it.
declare module "*.iter" {
  import type { NDArray, Result, RunOptions, Signature } from "iterlang/runtime";

  /** Runs the file's program: its inputs by name, its exports by name beside the reports. */
  export function run(inputs?: Readonly<Record<string, NDArray>>, options?: RunOptions): Promise<Result<Record<string, NDArray>>>;
  /** Each input and output of the file, with its dtype and shape. */
  export const signature: Signature;
}
