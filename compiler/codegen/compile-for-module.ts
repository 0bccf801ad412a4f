// What a generated module is compiled from: the program with every input given (so each is a
// parameter of the module, of its declared shape), and, for each input with a default, the
// program compiled to compute that default from the inputs before it (so a caller may omit
// it). Sizes are fixed when compiling: those the file leaves open are given with `--set`
// (`sizes`), including sizes an input's shape introduces.
import { type Diagnostic, InternalError } from "../../base/diagnostics.js";
import { FILE_START } from "../../base/span.js";
import { check } from "../check/index.js";
import { checkSource, compileChecked, type Compiled } from "../compile.js";
import { freeValues } from "../ir/free.js";
import { type Module, type Op, walkOps } from "../ir/ir.js";
import type { Lowered } from "../lower/index.js";
import { dimConst, type Dim, dimSubst, dimSymbols, dimValue } from "../shapes.js";
import type { TProgram } from "../typed/program.js";

export interface ModuleSource {
  diagnostics: Diagnostic[];
  /** Present when there were no errors. */
  compiled?: {
    main: Module;
    /** The module computing each optional input's default, in declaration order. */
    defaults: { name: string; module: Module }[];
    inputs: Lowered["inputs"];
    sizes: Map<string, number>;
  };
}

export interface ModuleSourceOptions {
  file: string;
  sizes?: ReadonlyMap<string, number>;
  verify?: boolean;
}

export function compileForModule(source: string, options: ModuleSourceOptions): ModuleSource {
  const sizes = options.sizes ?? new Map<string, number>();
  const checked = checkSource(source, { file: options.file, sizes }, false);
  if (!checked.generic) return { diagnostics: checked.diagnostics };
  const shapes = inputShapes(checked.generic, { ...declaredSizes(checked, sizes), ...Object.fromEntries(sizes) }, options.file);
  if (shapes.missing.length) return { diagnostics: [...checked.diagnostics, ...shapes.missing] };
  const compile = (given: ReadonlyMap<string, readonly number[]>, exportInput?: string): Compiled =>
    compileChecked(checked, { file: options.file, sizes, inputShapes: given, verify: options.verify ?? true, ...(exportInput !== undefined ? { exportInput } : {}) });
  const main = compile(shapes.all);
  if (!main.module || !main.lowered) return { diagnostics: main.diagnostics };
  const unsupported = notYetInModules(main.module, options.file);
  if (unsupported.length) return { diagnostics: [...main.diagnostics, ...unsupported] };
  const defaults: { name: string; module: Module }[] = [];
  for (const input of main.lowered.inputs.filter((i) => i.hasDefault)) {
    const others = new Map([...shapes.all].filter(([name]) => name !== input.name));
    const compiled = compile(others, input.name);
    if (!compiled.module) return { diagnostics: compiled.diagnostics };
    defaults.push({ name: input.name, module: onlyWhatComputes(compiled.module) });
  }
  return { diagnostics: main.diagnostics, compiled: { main: main.module, defaults, inputs: main.lowered.inputs, sizes: main.lowered.sizes } };
}

/**
 * What a compiled module cannot run yet, each said where it is: `train` (its data is read from
 * files and its checkpoints written to them while it runs; a module runs anywhere, a browser
 * included), and float64 values (a module computes on tfjs, which has no float64).
 */
function notYetInModules(m: Module, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  let f64Said = false;
  for (const op of walkOps(m.funcs.get("main")!.body)) {
    if (op.kind === "train")
      out.push({
        severity: "error",
        code: "not-yet",
        message: `A compiled module cannot run \`train ${op.label}\` yet: training (its \`data\` files, checkpoints, resume) runs only under \`iterc run\` and the \`run\` API.`,
        file,
        span: op.span ?? FILE_START,
        hint: "run it with `iterc run`, and compile a program that uses the trained params (exported, then given as inputs).",
      });
    else if (!f64Said && op.outputs.some((o) => o.type.dtype === "f64")) {
      f64Said = true;
      out.push({
        severity: "error",
        code: "not-yet",
        message: "A compiled module computes on tfjs, in float32, and this program has f64 values: compiled modules do not compute in float64 yet.",
        file,
        span: op.span ?? FILE_START,
        hint: "run it with `iterc run --backend native`, or declare the values f32.",
      });
    }
  }
  return out;
}

/**
 * A default's module with only the ops its value needs. The pipeline keeps every construct
 * (its report is the program's output), but the program's constructs are `main`'s business,
 * not a default's.
 */
function onlyWhatComputes(m: Module): Module {
  const main = m.funcs.get("main");
  if (!main) throw new InternalError("the module has no main function");
  const live = new Set(m.exports.map((e) => e.value.id));
  const kept: Op[] = [];
  for (const op of [...main.body.ops].reverse()) {
    if (!op.outputs.some((o) => live.has(o.id))) continue;
    kept.push(op);
    for (const v of op.inputs) live.add(v.id);
    for (const id of freeValues(op)) live.add(id);
  }
  return { ...m, funcs: new Map([["main", { ...main, body: { ...main.body, ops: kept.reverse() } }]]) };
}

/**
 * The sizes `dim` declarations give values (the generic check keeps them symbolic): read from
 * a concrete elaboration without data, which fixes every declared size it can.
 */
function declaredSizes(checked: Compiled, sizes: ReadonlyMap<string, number>): Record<string, number> {
  const elaborated = check(checked.program!, { sizes, concrete: { shapes: new Map(), required: false } });
  const out: Record<string, number> = {};
  for (const [name, dim] of elaborated.typed?.sizes ?? []) {
    const v = dimValue(dim);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Each input's concrete shape, or why it has none: a size without a value. */
function inputShapes(program: TProgram, sizes: Readonly<Record<string, number>>, file: string): { all: Map<string, number[]>; missing: Diagnostic[] } {
  const known = new Map<string, Dim>(Object.entries(sizes).map(([k, v]) => [k, dimConst(v)]));
  const all = new Map<string, number[]>();
  const missing: Diagnostic[] = [];
  for (const d of program.decls) {
    if (d.k !== "input") continue;
    const dims = d.sym.type.shape.map((dim) => dimSubst(dim, known));
    const open = [...new Set(dims.flatMap((dim) => [...dimSymbols(dim)]))];
    if (open.length === 0) all.set(d.sym.name, dims.map((dim) => dimValue(dim)!));
    else missing.push(sizeNeeded(d.sym.name, open, d.span ?? FILE_START, file));
  }
  return { all, missing };
}

function sizeNeeded(input: string, sizes: string[], span: Diagnostic["span"], file: string): Diagnostic {
  const names = sizes.map((s) => `\`${s}\``).join(", ");
  return {
    severity: "error",
    code: "bad-size",
    message: `A compiled module has fixed sizes, and ${names} (in the shape of \`${input}\`) ${sizes.length === 1 ? "has" : "have"} no value.`,
    file,
    span,
    hint: `give ${sizes.length === 1 ? "it" : "them"} a value when compiling: ${sizes.map((s) => `\`--set ${s}=…\``).join(" ")} (or \`sizes\` in the API).`,
  };
}
