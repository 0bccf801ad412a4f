// `train MODEL on DATA { loss …; optimizer …; epochs … }`: the loss over one batch (the data
// set's fields bound as f32[B, width], B the model's batch size), the `param`s it depends on,
// the optimiser's protocol for each of them (on its matrix view), and the settings resolved
// into compiler/training.ts's types. After the block, the params hold their trained values.
import type * as A from "../../grammar/ast.js";
import { suggestName } from "../../base/suggest.js";
import { type Dim, dimConst, dimEq, dimToString, dimValue } from "../shapes.js";
import { tensor, typeToString } from "../types.js";
import { findMethod } from "../methods.js";
import { type Schedule, SCHEDULES, type TrainSettings } from "../training.js";
import type { Protocol, TDecl, TTensor } from "../typed/program.js";
import { symsRead } from "../typed/uses.js";
import { checkMethod } from "./clauses.js";
import type { CheckContext } from "./context.js";
import { tensorOf, unknownName } from "./expr.js";
import { matrixView, optimiserProtocol } from "./minimize.js";
import type { CheckedData } from "./data.js";
import type { Binding, Scope } from "./scope.js";
import { asNumber, staticEval } from "./static.js";

const KEYS = ["loss", "optimizer", "epochs", "steps", "batch", "seed", "shuffle", "clip", "schedule", "validate", "checkpoint"] as const;
type Key = (typeof KEYS)[number];

export function checkTrain(ctx: CheckContext, d: A.TrainDecl, root: Scope): TDecl | undefined {
  const model = modelOf(ctx, d, root);
  const data = dataOf(ctx, d.data, root);
  const settings = settingsByKey(ctx, d);
  if (!model || !data || !settings) return undefined;
  const batchDim = batchDimOf(model, root);
  const batch = batchSize(ctx, d, settings.get("batch"), batchDim, root);
  if (batch === undefined) return undefined;
  const B = batchDim ?? dimConst(batch);
  const inner = root.child();
  const fields = data.source.fields.map((f) => {
    const sym = ctx.sym(f.name, tensor("f32", [B, data.widths.get(f.name)!]));
    inner.define(f.name, { kind: "value", name: f.name, type: sym.type, span: d.data.span, what: `field of \`${data.source.name}\``, sym });
    return sym;
  });
  const loss = lossOf(ctx, d, settings.get("loss"), inner);
  const rest = resolveSettings(ctx, d, settings, batch, root, data);
  if (!loss || !rest) return undefined;
  const used = symsRead(loss);
  const params = ctx.params.filter((p) => used.has(p.id));
  if (params.length === 0) {
    ctx.error(settings.get("loss")!.value.span, "bad-setting", "The loss depends on no `param`, so training would change nothing.", {
      hint: `declare the model's trainable tensors with \`param\` and use them in \`${d.model.name}\`.`,
    });
    return undefined;
  }
  const protocols = params.map((p) => optimiserProtocol(ctx, rest.optimizer.choice, rest.optimizer.spec, matrixView(p.type), root, rest.optimizer.span));
  if (!protocols.every((p): p is Protocol => p !== undefined)) return undefined;
  // The values of `tensors(...)` data sets, in the order compiler/training.ts's `operandCount` says.
  const operands = [...(data.operands ?? []), ...(rest.validation?.operands ?? [])];
  return { k: "train", train: { label: d.model.name, params, fields, loss, data: data.source, ...(rest.validation ? { validation: rest.validation.source } : {}), operands, optimizer: rest.optimizer.choice, protocols, settings: rest.settings, span: d.span } };
}

function modelOf(ctx: CheckContext, d: A.TrainDecl, root: Scope): A.ModelDecl | undefined {
  const model = root.lookup(d.model.name);
  if (!model) return void unknownName(ctx, d.model.name, d.model.span, root);
  if (model.kind === "op" && model.decl.kind === "Model") return model.decl;
  if (model.kind !== "poisoned")
    ctx.error(d.model.span, "not-a-model", `\`${d.model.name}\` is not a model, so there is nothing to train.`, {
      notes: [ctx.origin(d.model.name, model) ?? ""].filter(Boolean),
      hint: model.kind === "op" ? `declare it with \`model ${d.model.name}(...)\`: \`train\` fits the \`param\`s a model uses.` : "`train` takes a model declared with `model NAME(...)`.",
    });
  return undefined;
}

function dataOf(ctx: CheckContext, id: A.Ident, root: Scope): CheckedData | undefined {
  const data: Binding | undefined = root.lookup(id.name);
  if (!data) return void unknownName(ctx, id.name, id.span, root);
  if (data.kind === "data") return data.checked;
  if (data.kind !== "poisoned") ctx.error(id.span, "type-mismatch", `\`${id.name}\` is not a data set.`, { hint: `declare one with \`data ${id.name} = csv("file.csv", x: 0..8, y: 8)\`.` });
  return undefined;
}

/** Each setting once, each key known; undefined after an error. */
function settingsByKey(ctx: CheckContext, d: A.TrainDecl): Map<Key, A.TrainSetting> | undefined {
  const out = new Map<Key, A.TrainSetting>();
  let ok = true;
  for (const s of d.settings) {
    const key = s.key.name as Key;
    if (!(KEYS as readonly string[]).includes(key)) {
      ctx.error(s.key.span, "unknown-setting", `\`${s.key.name}\` is not a training setting.`, { hint: suggestName(s.key.name, KEYS) ?? `the settings are ${KEYS.map((k) => `\`${k}\``).join(", ")}.` });
      ok = false;
    } else if (out.has(key)) {
      ctx.error(s.key.span, "bad-setting", `\`${key}\` is given twice.`, { hint: "give each setting once." });
      ok = false;
    } else if (s.every && key !== "checkpoint") {
      ctx.error(s.every.span, "bad-setting", `\`every\` belongs to \`checkpoint\`, not to \`${key}\`.`);
      ok = false;
    } else out.set(key, s);
  }
  if (!out.has("loss")) {
    ctx.error(d.span, "bad-setting", `\`train ${d.model.name}\` needs a \`loss\`: the scalar to minimise over a batch.`, { hint: `write \`loss mean((${d.model.name}(x) - y)^2)\` in the block.` });
    ok = false;
  }
  return ok ? out : undefined;
}

/** The size the model's first parameter has first: the batch dimension `B` of `x: f32[B, D]`. */
function batchDimOf(model: A.ModelDecl, root: Scope): Dim | undefined {
  const t = model.params[0]?.type;
  const first = t?.kind === "TensorType" ? t.shape?.[0] : undefined;
  if (first?.kind !== "Name") return undefined;
  const b = root.lookup(first.name);
  return b?.kind === "dim" ? b.value : undefined;
}

function batchSize(ctx: CheckContext, d: A.TrainDecl, s: A.TrainSetting | undefined, dim: Dim | undefined, root: Scope): number | undefined {
  const known = dim && dimValue(dim);
  if (!s) {
    if (known !== undefined) return known;
    if (dim) return 1; // a generic check: the batch size is the still-symbolic dim
    ctx.error(d.span, "bad-setting", `\`train ${d.model.name}\` needs a \`batch\` size.`, { hint: "write `batch 64` in the block." });
    return undefined;
  }
  const n = wholeNumber(ctx, s, root, 1);
  if (n !== undefined && known !== undefined && known !== n) {
    ctx.error(s.value.span, "bad-setting", `\`batch ${n}\` disagrees with the model's batch size ${dimToString(dim!)} = ${known}.`, { hint: "declare the batch size once: `dim B` without a value, and `batch` gives it." });
    return undefined;
  }
  return n;
}

function lossOf(ctx: CheckContext, d: A.TrainDecl, s: A.TrainSetting | undefined, scope: Scope): TTensor | undefined {
  if (!s) return undefined;
  const loss = tensorOf(ctx, s.value, scope);
  if (loss && loss.type.shape.length !== 0) {
    ctx.error(s.value.span, "shape-mismatch", `The loss must be a scalar, but this is ${typeToString(loss.type)}.`, { hint: `reduce it over the batch, e.g. \`mean(...)\`; the model \`${d.model.name}\` is called on the whole batch.` });
    return undefined;
  }
  return loss;
}

function wholeNumber(ctx: CheckContext, s: A.TrainSetting, root: Scope, min: number): number | undefined {
  const n = asNumber(staticEval(s.value, root));
  if (n === undefined || !Number.isInteger(n) || n < min) {
    ctx.error(s.value.span, "bad-setting", `\`${s.key.name}\` is a whole number ≥ ${min} known when compiling.`);
    return undefined;
  }
  return n;
}

function positive(ctx: CheckContext, s: A.TrainSetting, root: Scope): number | undefined {
  const n = asNumber(staticEval(s.value, root));
  if (n === undefined || !(n > 0) || !Number.isFinite(n)) return void ctx.error(s.value.span, "bad-setting", `\`${s.key.name}\` is a positive number known when compiling.`);
  return n;
}

/** `optimizer adam(lr: 3e-3)` or `optimizer adam`: a method clause in a setting's clothes. */
function methodSpecOf(ctx: CheckContext, s: A.TrainSetting): A.MethodSpec | undefined {
  const e = s.value;
  if (e.kind === "Name") return { kind: "MethodSpec", name: { kind: "Ident", name: e.name, span: e.span }, args: null, span: e.span };
  if (e.kind === "Call" && e.callee.kind === "Name") return { kind: "MethodSpec", name: { kind: "Ident", name: e.callee.name, span: e.callee.span }, args: e.args, span: e.span };
  ctx.error(e.span, "bad-setting", `\`${s.key.name}\` takes a name with options, such as \`${s.key.name === "optimizer" ? "adam(lr: 3e-3)" : "cosine(warmup: 100)"}\`.`);
  return undefined;
}

interface Resolved {
  settings: TrainSettings;
  optimizer: { choice: NonNullable<ReturnType<typeof checkMethod>>; spec: A.MethodSpec | null; span: A.Span };
  validation?: CheckedData;
}

function resolveSettings(ctx: CheckContext, d: A.TrainDecl, s: Map<Key, A.TrainSetting>, batch: number, root: Scope, data: CheckedData): Resolved | undefined {
  const optimizer = optimizerOf(ctx, s.get("optimizer"), root, d.span);
  const epochs = s.get("epochs") && wholeNumber(ctx, s.get("epochs")!, root, 1);
  const steps = s.get("steps") && wholeNumber(ctx, s.get("steps")!, root, 1);
  if (s.has("epochs") && s.has("steps")) ctx.error(s.get("steps")!.key.span, "bad-setting", "Give `epochs` or `steps`, not both.");
  const seed = s.get("seed") ? wholeNumber(ctx, s.get("seed")!, root, 0) : 0;
  const shuffle = flag(ctx, s.get("shuffle"), true);
  const clip = s.get("clip") && positive(ctx, s.get("clip")!, root);
  const schedule = scheduleOf(ctx, s.get("schedule"), root);
  const checkpoint = s.get("checkpoint") && checkpointOf(ctx, s.get("checkpoint")!, root);
  const validate = s.get("validate");
  const validation = validate && (validate.value.kind === "Name" ? dataOf(ctx, { kind: "Ident", name: validate.value.name, span: validate.value.span }, root) : void ctx.error(validate.value.span, "bad-setting", "`validate` names a data set: `validate held_out`."));
  if (validation && !sameFields(validation, data)) {
    ctx.error(validate!.value.span, "bad-setting", `\`${validation.source.name}\` does not have the fields of \`${data.source.name}\`: ${fieldList(validation)} vs ${fieldList(data)}.`, { hint: "a validation set has the same fields, with the same widths, as the training set." });
    return undefined;
  }
  const failed = !optimizer || seed === undefined || shuffle === undefined || !schedule || (s.has("epochs") && !epochs) || (s.has("steps") && !steps) || (s.has("clip") && !clip) || (s.has("checkpoint") && !checkpoint) || (validate && !validation) || (s.has("epochs") && s.has("steps"));
  if (failed) return undefined;
  const settings: TrainSettings = { batch, seed, shuffle, schedule, ...(steps ? { steps } : { epochs: epochs || 1 }), ...(clip ? { clip } : {}), ...(checkpoint ? { checkpoint } : {}) };
  return { settings, optimizer, ...(validation ? { validation } : {}) };
}

function sameFields(a: CheckedData, b: CheckedData): boolean {
  return a.widths.size === b.widths.size && [...b.widths].every(([name, w]) => a.widths.has(name) && dimEq(a.widths.get(name)!, w));
}

const fieldList = (c: CheckedData) => [...c.widths].map(([n, w]) => `${n} (${dimToString(w)})`).join(", ");

function optimizerOf(ctx: CheckContext, s: A.TrainSetting | undefined, root: Scope, span: A.Span): Resolved["optimizer"] | undefined {
  const spec = s ? methodSpecOf(ctx, s) : null;
  if (spec === undefined) return undefined;
  const choice = spec ? checkMethod(ctx, spec, "minimize", root) : checkMethod(ctx, { kind: "MethodSpec", name: { kind: "Ident", name: "adam", span }, args: null, span }, "minimize", root);
  if (!choice) return undefined;
  if (findMethod("minimize", choice.name)?.implementation.kind !== "iter") {
    ctx.error(spec!.span, "bad-setting", `\`${choice.name}\` needs the exact objective and gradient at every point it tries; a batch's loss changes from step to step.`, { hint: "train with `adam`, `adamw`, `lion`, `momentum`, `nesterov`, `gd` or `shampoo`; use `lbfgs` in a `minimize`." });
    return undefined;
  }
  return { choice, spec, span: spec?.span ?? span };
}

function flag(ctx: CheckContext, s: A.TrainSetting | undefined, dflt: boolean): boolean | undefined {
  if (!s) return dflt;
  if (s.value.kind === "Bool") return s.value.value;
  return void ctx.error(s.value.span, "bad-setting", `\`${s.key.name}\` is \`true\` or \`false\`.`);
}

/** `schedule cosine(warmup: 100, floor: 0.1)`, `step(every: 1000, gamma: 0.5)`, `constant(warmup: 50)`. */
function scheduleOf(ctx: CheckContext, s: A.TrainSetting | undefined, root: Scope): Schedule | undefined {
  if (!s) return { name: "constant", warmup: 0 };
  const spec = methodSpecOf(ctx, s);
  if (!spec) return undefined;
  const name = spec.name.name;
  if (!(SCHEDULES as readonly string[]).includes(name))
    return void ctx.error(spec.name.span, "bad-setting", `\`${name}\` is not a learning-rate schedule.`, { hint: suggestName(name, SCHEDULES) ?? `the schedules are ${SCHEDULES.map((x) => `\`${x}\``).join(", ")}.` });
  const allowed: Record<string, [string, number, number][]> = {
    constant: [["warmup", 0, 0]],
    step: [["warmup", 0, 0], ["every", 1, 1], ["gamma", 0.1, 0]],
    cosine: [["warmup", 0, 0], ["floor", 0, 0]],
  };
  const values = new Map<string, number>();
  let ok = true;
  for (const a of spec.args ?? []) {
    const opt = allowed[name].find(([n]) => n === a.name?.name);
    const v = asNumber(staticEval(a.value, root));
    if (!opt) {
      ctx.error(a.span, "unknown-option", `\`${name}\` takes ${allowed[name].map(([n]) => `\`${n}\``).join(", ")}.`);
      ok = false;
    } else if (v === undefined || v < opt[2] || ((opt[0] === "warmup" || opt[0] === "every") && !Number.isInteger(v)) || (opt[0] === "floor" && v > 1)) {
      ctx.error(a.value.span, "bad-option", `\`${opt[0]}\` of \`${name}\` must be ${opt[0] === "floor" ? "in [0, 1]" : opt[0] === "gamma" ? "a number ≥ 0" : `a whole number ≥ ${opt[2]}`}.`);
      ok = false;
    } else values.set(opt[0], v);
  }
  if (!ok) return undefined;
  const get = (n: string) => values.get(n) ?? allowed[name].find(([k]) => k === n)![1];
  if (name === "step" && !values.has("every")) return void ctx.error(spec.span, "missing-option", "`step` needs `every`: how many steps between decays.", { hint: "write `schedule step(every: 1000, gamma: 0.5)`." });
  if (name === "step") return { name, warmup: get("warmup"), every: get("every"), gamma: get("gamma") };
  if (name === "cosine") return { name, warmup: get("warmup"), floor: get("floor") };
  return { name: "constant", warmup: get("warmup") };
}

/** `checkpoint "runs/mlp" every 100 steps`. */
function checkpointOf(ctx: CheckContext, s: A.TrainSetting, root: Scope): TrainSettings["checkpoint"] {
  if (s.value.kind !== "String") return void ctx.error(s.value.span, "bad-setting", "`checkpoint` names a directory: `checkpoint \"runs/mlp\" every 100 steps`.");
  if (!s.every) return void ctx.error(s.span, "bad-setting", "`checkpoint` needs a period: `every 100 steps` or `every 1 epochs`.");
  const n = asNumber(staticEval(s.every.count, root));
  const unit = s.every.unit.name.replace(/s$/, "");
  if (n === undefined || !Number.isInteger(n) || n < 1) return void ctx.error(s.every.count.span, "bad-setting", "The period of `checkpoint` is a whole number ≥ 1.");
  if (unit !== "step" && unit !== "epoch") return void ctx.error(s.every.unit.span, "bad-setting", "The period of `checkpoint` is in `steps` or `epochs`.", { hint: suggestName(s.every.unit.name, ["steps", "epochs"]) ?? "" });
  return { dir: s.value.value, every: n, unit: unit === "step" ? "steps" : "epochs" };
}


/**
 * The sizes `batch` settings give: `batch 64` gives the model's batch dimension (`B` of its first
 * parameter's `f32[B, D]`) the value 64 when its `dim` declares none. Read from the syntax before
 * checking, so every use of `B` (the model, a probe input drawn with `normal(B, D)`) sees it.
 */
export function batchSizesOf(program: A.Program): Map<string, number> {
  const out = new Map<string, number>();
  const valueless = new Set(program.decls.flatMap((d) => (d.kind === "Dim" ? d.items.filter((i) => !i.value).map((i) => i.name.name) : [])));
  for (const d of program.decls) {
    if (d.kind !== "Train") continue;
    const batch = d.settings.find((s) => s.key.name === "batch")?.value;
    const model = program.decls.find((m): m is A.ModelDecl => m.kind === "Model" && m.name.name === d.model.name);
    const t = model?.params[0]?.type;
    const first = t?.kind === "TensorType" ? t.shape?.[0] : undefined;
    if (batch?.kind === "Number" && first?.kind === "Name" && valueless.has(first.name) && !out.has(first.name)) out.set(first.name, batch.value);
  }
  return out;
}
