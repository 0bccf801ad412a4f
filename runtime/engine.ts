// Which engine runs a program: a tfjs backend or the native one. `--backend native` and float64
// (`--precision f64`, or any `f64` value) mean native; `auto` takes native on a CPU when the
// region fuser compiles every region the program's constructs call, and tfjs otherwise (on a
// GPU, tfjs always). The tfjs backends cannot compute float64 and say so.
import type { FloatDType } from "../base/dtype.js";
import type { ConstructOp, Module, Region, Value } from "../compiler/ir/ir.js";
import { regionsOf } from "../compiler/ir/ir.js";
import { calledRegions } from "./constructs.js";
import type { FuseResult, RegionFuser } from "./native/fused.js";
import { moduleConstants } from "./native/module-constants.js";
import { BACKEND_NAMES, type BackendName } from "./tfjs/backend-names.js";

/** A backend a run may ask for: a tfjs one (or `auto`), or `native`. */
export type RunBackend = BackendName | "native";

export const RUN_BACKENDS: readonly RunBackend[] = [...BACKEND_NAMES, "native"];

/** A float64 run asked of a tfjs backend: a user error naming the fix. */
export class Float64Unsupported extends Error {
  readonly isUserError = true;
  constructor(backend: string, why: string) {
    super(`The ${backend} backend computes in float32 only, and ${why}. Run it with \`--backend native\` (\`backend: "native"\` in the API), which computes in float64.`);
    this.name = "Float64Unsupported";
  }
}

/** The f64 values of the module, in order (named ones are what messages cite). */
function float64Values(module: Module): Value[] {
  const out: Value[] = [];
  const visit = (r: Region): void => {
    for (const p of r.params) if (p.type.dtype === "f64") out.push(p);
    for (const op of r.ops) {
      for (const o of op.outputs) if (o.type.dtype === "f64") out.push(o);
      regionsOf(op).forEach(visit);
    }
  };
  for (const f of module.funcs.values()) visit(f.body);
  return out;
}

/** Whether the module computes anything in float64. */
export function usesFloat64(module: Module): boolean {
  return float64Values(module).length > 0;
}

export const PRECISION_F64 = "`--precision f64` computes the whole program in float64";

/** Why a run needs float64, or undefined when it does not. */
export function float64Reason(module: Module, precision: FloatDType): string | undefined {
  if (precision === "f64") return PRECISION_F64;
  const values = float64Values(module);
  if (values.length === 0) return undefined;
  const named = values.find((v) => v.hint !== undefined && !v.hint.startsWith("%"));
  return named ? `the program computes in float64 (\`${named.hint}\` is f64)` : "the program computes in float64 (it has f64 values)";
}

/**
 * A fuser that asks its inner fuser once per region, precision and donation (the choice and the
 * run share it), with the options of the first ask: the choice and the run both pass the
 * module's constants (moduleConstants).
 */
export function memoFuser(inner: RegionFuser): RegionFuser {
  const seen = new Map<Region, Map<string, FuseResult>>();
  return (region, precision, options) => {
    const byKey = seen.get(region) ?? new Map<string, FuseResult>();
    seen.set(region, byKey);
    const key = `${precision}:${[...(options?.donate ?? [])].sort((a, b) => a - b).join(",")}`;
    let r = byKey.get(key);
    if (!r) byKey.set(key, (r = inner(region, precision, options)));
    return r;
  };
}

export type AutoChoice = { engine: "native" | "tfjs"; why: string };

/**
 * What `auto` runs: native when the run needs float64; else tfjs on a GPU; else native when the
 * fuser compiles every region the top-level constructs call; else tfjs, with the first refusal.
 */
export function chooseAuto(module: Module, fuser: RegionFuser, precision: FloatDType, onGpu: boolean): AutoChoice {
  const f64 = float64Reason(module, precision);
  if (f64) return { engine: "native", why: `${f64}, which only the native backend computes` };
  if (onGpu) return { engine: "tfjs", why: "a GPU is available" };
  const main = module.funcs.get("main");
  const constructs = (main?.body.ops ?? []).filter((op): op is ConstructOp => op.kind === "fixpoint" || op.kind === "solve" || op.kind === "loop" || op.kind === "unroll");
  if (constructs.length === 0) return { engine: "tfjs", why: "the program has no iterative construct to fuse" };
  const constants = moduleConstants(module);
  for (const op of constructs)
    for (const region of calledRegions(op)) {
      const r = fuser(region, precision, { constants });
      if (!r.ok) return { engine: "tfjs", why: `a region of \`${op.label}\` cannot be fused: ${r.refused}` };
    }
  return { engine: "native", why: "the fuser compiles every region the program's constructs call" };
}
