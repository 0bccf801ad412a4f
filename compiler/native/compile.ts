// The native backend's entry point: a KernelSet in, a WebAssembly module's bytes and its
// memory plan out. Verification, planning and code generation in one straight line:
//   verify → plan memory → import host maths → one function per loop/product step →
//   one exported function per kernel (calling its steps, scalar steps inline) → encode.
import { hostFunctionsOf, loopNodes, walkExpr } from "./analysis.js";
import type { CodegenContext } from "./codegen/context.js";
import { ScratchLocals } from "./codegen/lane-env.js";
import { emitLoopFunction } from "./codegen/loop.js";
import { emitMatmulFunction, emitMatvecFunction } from "./codegen/products.js";
import { emitScalarStep } from "./codegen/scalar-step.js";
import type { Expr, KernelSet, UnaryOp } from "./kernel-ir.js";
import { type MemoryPlan, planMemory } from "./plan.js";
import { verifyKernelSet } from "./verify.js";
import { FunctionCode } from "./wasm/code.js";
import { ModuleBuilder } from "./wasm/module.js";
import { ValType } from "./wasm/opcodes.js";

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

export function compileKernelSet(set: KernelSet, options: { shared?: boolean } = {}): CompiledKernels {
  const errors = verifyKernelSet(set);
  if (errors.length) throw new Error(`internal error: invalid kernel set:\n  ${errors.join("\n  ")}`);
  const plan = planMemory(set);
  const m = new ModuleBuilder();

  const hostFunctions = [...hostFunctionsOf(allNodes(set))].sort();
  const host = new Map<UnaryOp, number>();
  for (const fn of hostFunctions) host.set(fn, m.importFunction(IMPORTS.math, fn, [ValType.f64], [ValType.f64]));
  m.importMemory({ module: IMPORTS.memory[0], name: IMPORTS.memory[1], pages: plan.pages, shared: options.shared });
  const ctx: CodegenContext = { plan, host };

  for (const kernel of set.kernels) {
    const entry = new FunctionCode([], []);
    const scratch = new ScratchLocals(entry);
    for (const step of kernel.steps) {
      switch (step.kind) {
        case "scalar":
          emitScalarStep(entry, step, ctx, scratch);
          break;
        case "loop":
          entry.call(m.addFunction(emitLoopFunction(step, ctx)));
          break;
        case "matmul":
          entry.call(m.addFunction(emitMatmulFunction(step, plan)));
          break;
        case "matvec":
          entry.call(m.addFunction(emitMatvecFunction(step, plan)));
          break;
      }
    }
    m.addFunction(entry, kernel.name);
  }
  return { bytes: m.encode(), plan, kernels: set.kernels.map((k) => k.name), hostFunctions };
}

function* allNodes(set: KernelSet): Generator<Expr> {
  for (const k of set.kernels) {
    for (const step of k.steps) {
      if (step.kind === "loop") yield* loopNodes(step);
      if (step.kind === "scalar") for (const a of step.assigns) yield* walkExpr(a.expr);
    }
  }
}
