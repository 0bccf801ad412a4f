// A derivative asked for through an op that has none: a user error, reported where the
// derivative was asked for and naming the op (and its line) that stops it.
import type { Span } from "../../base/span.js";

export class NotDifferentiable extends Error {
  /** Where the derivative was asked for; set by the pass as the error passes through it. */
  askedAt?: Span;

  constructor(
    readonly op: string,
    readonly at: Span | undefined,
    readonly why: string,
  ) {
    super(`\`${op}\` cannot be differentiated here: ${why}`);
    this.name = "NotDifferentiable";
  }
}
