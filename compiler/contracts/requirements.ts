// Static warnings: what a solver needs of an operator, where nothing in the program declares it.
// CG, MINRES and Chebyshev need a symmetric (positive definite) operator; a fixpoint
// differentiated `grad implicit` needs I − ∂T/∂z invertible, which a contraction (or damping)
// provides. A tag (`op A(u: f32[n, n]) is spd`) or a contract (`check spd(A)`) declares it, and
// `iterc check` verifies what is declared; nothing is run here.
import type * as A from "../../grammar/ast.js";
import type { Span } from "../../base/span.js";
import { DEFAULT_METHOD, findMethod } from "../methods.js";
import { exprText } from "./text.js";
import type { ProgramIndex } from "./program-index.js";
import { declaredStructures, operatorShape } from "./structure.js";
import type { Structure } from "./tags.js";
import { resolvedChecks } from "./resolve.js";

export interface StructureWarning {
  span: Span;
  message: string;
  hint: string;
}

const WORDS: Record<"spd" | "symmetric", string> = { spd: "symmetric positive definite", symmetric: "symmetric" };

/** The warnings of a whole program: its top-level statements and the bodies of its ops. */
export function structureWarnings(index: ProgramIndex): StructureWarning[] {
  const ops = declaredStructures(index);
  const covered = fixpointsWithContracts(index);
  const out: StructureWarning[] = [];
  const visit = (items: readonly (A.Decl | A.Stmt)[], operatorParams: ReadonlySet<string>): void => {
    for (const s of items) {
      if (s.kind === "Solve") out.push(...solveWarnings(s, ops, operatorParams));
      else if (s.kind === "Fixpoint") out.push(...fixpointWarnings(s, ops, covered));
      else if (s.kind === "Loop") visit(s.body, operatorParams);
      else if ((s.kind === "Op" || s.kind === "Model") && s.body.kind === "Block")
        visit(s.body.stmts, new Set(s.params.filter((p) => p.type === null || p.type.kind === "OpType").map((p) => p.name.name)));
    }
  };
  visit(index.program.decls, new Set());
  return out;
}

function solveWarnings(s: A.Solve, ops: ReadonlyMap<string, Set<Structure>>, operatorParams: ReadonlySet<string>): StructureWarning[] {
  const method = s.method?.name.name ?? DEFAULT_METHOD.solve!;
  const needs = [
    { by: `\`${method}\``, requires: findMethod("solve", method)?.requires },
    { by: `the preconditioner \`${s.precond?.name.name}\``, requires: s.precond ? findMethod("precond", s.precond.name.name)?.requires : undefined },
  ];
  const visible = new Map([...ops].filter(([name]) => !operatorParams.has(name)));
  const shape = operatorShape(s.lhs, s.unknown.name, visible);
  if (shape.kind === "opaque") return [];
  return needs.flatMap(({ by, requires }) => {
    if (!requires || shape.has.has(requires)) return [];
    const why = shape.culprit
      ? `nothing declares \`${shape.culprit}\` one`
      : `\`${exprText(s.lhs)}\` is ${shape.has.has("symmetric") ? "symmetric, but not known to be positive definite" : `not known to be ${WORDS[requires]}`}`;
    return [
      {
        span: s.lhs.span,
        message: `${by} needs a ${WORDS[requires]} operator, and ${why}.`,
        hint: shape.culprit
          ? `declare it, \`op ${shape.culprit}(...) is ${requires} = ...\` (\`iterc check\` verifies it), or choose a method for general operators such as \`gmres\` or \`bicgstab\`.`
          : "choose a method for general operators such as `gmres` or `bicgstab`, or build the operator from ops declared `is spd`.",
      },
    ];
  });
}

/** Fixpoints a top-level `check contractive(z, ...)` or `nonexpansive(z)` names. */
function fixpointsWithContracts(index: ProgramIndex): Set<A.Fixpoint> {
  const out = new Set<A.Fixpoint>();
  for (const c of resolvedChecks(index)) {
    if (c.record.name !== "contractive" && c.record.name !== "nonexpansive") continue;
    for (const op of c.operators.values()) if (op.kind === "fixpoint") out.add(op.decl);
  }
  return out;
}

const DAMPED = new Set(["damped", "halpern"]);

function fixpointWarnings(s: A.Fixpoint, ops: ReadonlyMap<string, Set<Structure>>, covered: ReadonlySet<A.Fixpoint>): StructureWarning[] {
  if (s.grad?.mode.name !== "implicit" || covered.has(s)) return [];
  const method = s.method?.name.name ?? DEFAULT_METHOD.fixpoint!;
  if (DAMPED.has(method) || s.method?.args?.some((a) => a.name?.name === "lipschitz")) return [];
  const body = s.body.kind === "Paren" ? s.body.inner : s.body;
  const callee = body.kind === "Call" && body.callee.kind === "Name" ? ops.get(body.callee.name) : undefined;
  if (callee && (callee.has("contractive") || callee.has("nonexpansive"))) return [];
  return [
    {
      span: s.grad.span,
      message: `\`grad implicit\` differentiates through the fixed point of \`${s.target.name}\`, which needs I − ∂T/∂z to be invertible, and nothing declares the map a contraction.`,
      hint: "declare it: write the map as an op tagged `is contractive(0.9)`, state `check contractive(...)`, or give the method its `lipschitz:` constant; `iterc check` verifies tags and contracts.",
    },
  ];
}
