// The construct a `converges` or `decreasing` contract observes: it must be able to show what
// the contract reads. A loop has no residual; `energy` is a solve's (½⟨u, A u⟩ − ⟨f, u⟩, of a
// linear operator); `energy` and `error` need the iterates, which GMRES does not form.
import type { Span } from "../../base/span.js";
import type { ConstructDecl } from "../contracts/program-index.js";
import type { ResolvedContract } from "../contracts/resolve.js";
import { DEFAULT_METHOD, findMethod } from "../methods.js";
import type { CheckContext } from "./context.js";

/** Methods that never hold the iterate between steps (they form it at restarts). */
const NO_ITERATES = new Set(["gmres"]);

function methodOf(decl: ConstructDecl): string | undefined {
  if (decl.kind === "Loop" || decl.kind === "Minimize") return undefined;
  return decl.method?.name.name ?? DEFAULT_METHOD[decl.kind === "Fixpoint" ? "fixpoint" : "solve"];
}

export function checkConstructArg(ctx: CheckContext, c: ResolvedContract, ref: { name: string; decl: ConstructDecl; span: Span }): void {
  const series = c.statics.series;
  if (c.record.name !== "decreasing" || typeof series !== "string") return;
  const kind = ref.decl.kind.toLowerCase();
  const say = (message: string, hint?: string) => ctx.error(ref.span, "bad-contract", message, hint ? { hint } : {});
  if (ref.decl.kind === "Loop") return say(`\`${ref.name}\` is the result of a loop, which has no ${series} to follow.`, "`decreasing` follows a fixpoint or a solve; for a loop, `converges` says whether its `until` was met.");
  const method = methodOf(ref.decl);
  if (series === "energy") {
    if (ref.decl.kind !== "Solve") return say(`The energy ½⟨u, A u⟩ − ⟨f, u⟩ is a solve's, and \`${ref.name}\` is the result of a ${kind}.`, "follow its `residual` or its `error` instead.");
    if (method && findMethod("solve", method)?.nonlinear) return say(`The energy ½⟨u, A u⟩ − ⟨f, u⟩ needs a linear operator, and \`${method}\` solves a nonlinear equation.`);
  }
  if (series !== "residual" && method && NO_ITERATES.has(method))
    say(`\`${method}\` forms its iterate only when it restarts, so its ${series} cannot be followed step by step.`, "follow its `residual`, which it reports every iteration.");
}
