// The native backend's entry point: a KernelSet in, a WebAssembly module's bytes and its
// memory plan out. Verification, planning and code generation in one straight line:
//   verify → plan memory → import host maths → one function per loop/product/transfer step →
//   one exported function per kernel (calling its steps, scalar steps inline, repeats as
//   counted loops around their steps) → encode.
import { hostFunctionsOf, loopNodes, walkExpr } from "./analysis.js";
import type { CodegenContext } from "./codegen/context.js";
import { ScratchLocals } from "./codegen/lane-env.js";
import { emitLoopFunction } from "./codegen/loop.js";
import { emitMatmulFunction, emitMatvecFunction } from "./codegen/products.js";
import { emitScalarStep } from "./codegen/scalar-step.js";
import { emitTransferFunction } from "./codegen/transfer.js";
import type { Expr, KernelSet, Step, UnaryOp } from "./kernel-ir.js";
import { type MemoryPlan, planMemory } from "./plan.js";
import { verifyKernelSet } from "./verify.js";
import { FunctionCode } from "./wasm/code.js";
import { ModuleBuilder } from "./wasm/module.js";
import { Op, ValType } from "./wasm/opcodes.js";

/** Where the module imports its memory and host functions from. */
export const IMPORTS = { memory: ["env", "memory"], math: "math" } as const;

export interface CompiledKernels {
  readonly bytes: Uint8Array;
  readonly plan: MemoryPlan;
  /** Exported kernel function names, in declaration order. */
  readonly kernels: readonly string[];
  /** Host Math functions the module imports from "math" (each f64 → f64). */
  readonly hostFunctions: readonly UnaryOp[];
}

/**
 * `unbounded`: declare the memory import without a maximum, so that the program can run in a
 * larger memory it is given (a scratch memory reused across programs); the default fixes it.
 */
export function compileKernelSet(set: KernelSet, options: { shared?: boolean; unbounded?: boolean } = {}): CompiledKernels {
  const errors = verifyKernelSet(set);
  if (errors.length) throw new Error(`internal error: invalid kernel set:\n  ${errors.join("\n  ")}`);
  const plan = planMemory(set);
  const m = new ModuleBuilder();

  const hostFunctions = [...hostFunctionsOf(allNodes(set))].sort();
  const host = new Map<UnaryOp, number>();
  for (const fn of hostFunctions) host.set(fn, m.importFunction(IMPORTS.math, fn, [ValType.f64], [ValType.f64]));
  m.importMemory({ module: IMPORTS.memory[0], name: IMPORTS.memory[1], pages: plan.pages, shared: options.shared, unbounded: options.unbounded });
  const ctx: CodegenContext = { plan, host };

  for (const kernel of set.kernels) {
    const entry = new FunctionCode([], []);
    emitSteps(m, entry, kernel.steps, ctx, new ScratchLocals(entry));
    m.addFunction(entry, kernel.name);
  }
  return { bytes: m.encode(), plan, kernels: set.kernels.map((k) => k.name), hostFunctions };
}

/** A kernel's steps into its entry function: scalar steps inline, the others as calls. */
function emitSteps(m: ModuleBuilder, entry: FunctionCode, steps: readonly Step[], ctx: CodegenContext, scratch: ScratchLocals): void {
  for (const step of steps) {
    switch (step.kind) {
      case "scalar":
        emitScalarStep(entry, step, ctx, scratch);
        break;
      case "loop":
        entry.call(m.addFunction(emitLoopFunction(step, ctx)));
        break;
      case "matmul":
        entry.call(m.addFunction(emitMatmulFunction(step, ctx.plan)));
        break;
      case "matvec":
        entry.call(m.addFunction(emitMatvecFunction(step, ctx.plan)));
        break;
      case "restrict":
      case "prolong":
        entry.call(m.addFunction(emitTransferFunction(step, ctx.plan)));
        break;
      case "repeat": {
        // A counted Wasm loop around the steps (count ≥ 1, so a do-while).
        const trip = entry.local(ValType.i32);
        entry.i32(step.count).set(trip);
        entry.doWhile(
          () => emitSteps(m, entry, step.steps, ctx, scratch),
          () => entry.get(trip).i32(1).op(Op.i32Sub).tee(trip),
        );
        break;
      }
    }
  }
}

function* allNodes(set: KernelSet): Generator<Expr> {
  for (const k of set.kernels) yield* stepNodes(k.steps);
}

function* stepNodes(steps: readonly Step[]): Generator<Expr> {
  for (const step of steps) {
    if (step.kind === "loop") yield* loopNodes(step);
    if (step.kind === "scalar") for (const a of step.assigns) yield* walkExpr(a.expr);
    if (step.kind === "repeat") yield* stepNodes(step.steps);
  }
}
