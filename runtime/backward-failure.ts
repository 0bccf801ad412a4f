// The error that stops a run whose gradient cannot be trusted. Its own file, free of tfjs
// types: generated modules export it to their callers.
import type { Report } from "./report.js";
import { RunStopped } from "./stopped.js";

/**
 * A gradient whose adjoint did not converge, or whose forward construct did not: under the
 * policy `raise` (the default) the run stops here — a gradient is never used silently — and the
 * reports so far, this one's included, say why.
 */
export class BackwardFailure extends RunStopped {
  constructor(
    override readonly report: Report,
    message: string,
  ) {
    super(report, message);
    this.name = "BackwardFailure";
  }
}
