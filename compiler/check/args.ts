// Matching a call's arguments to parameters: positional first, then named, defaults for the
// rest. Shared by builtins, ops, methods and lowering so they all agree on the rules.
import type * as A from "../../grammar/ast.js";
import { closest } from "../../base/suggest.js";

export interface ParamLike {
  name: string;
  /** Optional parameters may be left out; `rest` takes all remaining positional arguments. */
  optional: boolean;
  rest?: boolean;
}

export interface BoundArgs {
  /** Argument expressions by parameter name (a `rest` parameter gets several). */
  byName: Map<string, A.Expr[]>;
  errors: { span: A.Span; message: string; hint?: string }[];
}

/**
 * `what` names the callee in messages (`` `cg` ``); `noun` is what its named parameters are
 * called there: "argument" for builtins and ops, "option" for methods.
 */
export function bindArgs(params: readonly ParamLike[], args: readonly A.Arg[], callSpan: A.Span, what: string, noun = "option"): BoundArgs {
  const byName = new Map<string, A.Expr[]>();
  const errors: BoundArgs["errors"] = [];
  /** Parameters a misspelt name was probably meant for: not also reported as missing. */
  const meant = new Set<string>();
  let next = 0;
  for (const arg of args) {
    if (arg.name === null) {
      const p = params[next];
      if (p === undefined) {
        errors.push({ span: arg.span, message: `${what} takes at most ${params.length} positional argument${params.length === 1 ? "" : "s"}; this one is extra.` });
        continue;
      }
      byName.set(p.name, [...(byName.get(p.name) ?? []), arg.value]);
      if (!p.rest) next++;
      continue;
    }
    const name = arg.name.name;
    const p = params.find((q) => q.name === name);
    if (p === undefined) {
      const names = params.map((q) => q.name);
      const near = closest(name, names.filter((n) => !byName.has(n)));
      if (near) meant.add(near);
      errors.push({
        span: arg.name.span,
        message: `${what} has no ${noun} \`${name}\`.`,
        hint: near ? `did you mean \`${near}\`?` : names.length ? `its ${noun}s are ${names.map((n) => `\`${n}\``).join(", ")}.` : `it takes no ${noun}s.`,
      });
    } else if (byName.has(name)) errors.push({ span: arg.name.span, message: `\`${name}\` is given twice.` });
    else byName.set(name, [arg.value]);
  }
  for (const p of params)
    if (!p.optional && !p.rest && !byName.has(p.name) && !meant.has(p.name)) errors.push({ span: callSpan, message: `${what} needs the argument \`${p.name}\`.`, hint: `add \`${p.name}: ...\` to the call.` });
  return { byName, errors };
}
