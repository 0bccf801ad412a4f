// `u.iterations`, `u.residual`, `u.converged`, `u.history`: reading the report of the construct
// that computed `u`. Each field read gets one symbol, recorded on the construct's ReportRef;
// lowering makes it an extra output of the construct (compiler/constructs.ts says which fields
// exist and their types), the runtime fills it from the report.
import type * as A from "../../grammar/ast.js";
import { suggestName } from "../../base/suggest.js";
import { HISTORY_FIELD_MAX, LOOP_REPORT_FIELDS, REPORT_FIELD_DOCS, REPORT_FIELDS, type ReportField, reportFieldType } from "../constructs.js";
import type { TensorT } from "../types.js";
import type { ReportRef, TTensor } from "../typed/program.js";
import type { CheckContext } from "./context.js";
import type { Scope } from "./scope.js";

const list = (fields: readonly string[]) => fields.map((f) => `\`${f}\``).join(", ");

export function memberType(ctx: CheckContext, e: A.Member, scope: Scope, unknownName: (name: string, span: A.Span) => void): TTensor | undefined {
  const field = e.field.name;
  const target = e.target.kind === "Name" ? scope.lookup(e.target.name) : undefined;
  if (e.target.kind === "Name" && target === undefined) return void unknownName(e.target.name, e.target.span);
  if (target?.kind === "poisoned") return undefined;
  const report = target?.kind === "value" ? target.report : undefined;
  if (!report) {
    const what = e.target.kind === "Name" ? `\`${e.target.name}\`` : "this";
    ctx.error(e.field.span, "not-a-report", `Only the result of a \`solve\`, \`fixpoint\` or \`loop\` has fields, and ${what} is not one.`, {
      hint: `name the result of a construct, as in \`solve A(u) = f -> u\`, then read \`u.${(REPORT_FIELDS as readonly string[]).includes(field) ? field : "iterations"}\`.`,
    });
    return undefined;
  }
  const allowed: readonly string[] = report.construct === "loop" ? LOOP_REPORT_FIELDS : REPORT_FIELDS;
  if (!allowed.includes(field)) {
    const loopHas = report.construct === "loop" && (REPORT_FIELDS as readonly string[]).includes(field);
    ctx.error(e.field.span, "unknown-field", loopHas ? `A \`loop\` has no \`${field}\`: it has no residual.` : `A report has no field \`${field}\`.`, {
      hint: loopHas ? `a loop's report has ${list(allowed)}.` : (suggestName(field, allowed) ?? `its fields are ${list(allowed)}.`),
    });
    return undefined;
  }
  const f = field as ReportField;
  const type = fieldType(ctx, report, f, e);
  if (!type) return undefined;
  const known = report.fields.get(f);
  const sym = known ?? ctx.sym(`${report.label}.${f}`, type);
  if (!known) report.fields.set(f, sym);
  return { k: "sym", sym, type, span: e.span };
}

/** The field's type: `history` needs a bound on the iterations small enough to hold. */
function fieldType(ctx: CheckContext, report: ReportRef, f: ReportField, e: A.Member): TensorT | undefined {
  if (f !== "history") return reportFieldType(f, 0);
  if (!(report.maxIter + 1 <= HISTORY_FIELD_MAX)) {
    ctx.error(e.field.span, "absurd-bound", `\`${report.label}.history\` has one entry per possible iteration, and the bound allows ${report.maxIter}.`, {
      notes: [`\`history\` is ${REPORT_FIELD_DOCS.history}.`],
      hint: `bound the iterations with \`max\` (at most ${HISTORY_FIELD_MAX - 1}) to read the history.`,
    });
    return undefined;
  }
  return reportFieldType(f, report.maxIter);
}
