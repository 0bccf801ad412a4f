// A compiled kernel set, instantiated: one fixed-size memory, typed-array views of every
// buffer (valid for the program's life, since the memory never grows), registers read and
// written straight from memory, and each kernel a plain zero-argument function.
//
// Instantiation is synchronous (`new WebAssembly.Module(bytes)`): the modules are small
// (kilobytes), and engines allow synchronous compilation of small modules on any thread.
import { type CompiledKernels, compileKernelSet, IMPORTS } from "../../compiler/native/compile.js";
import type { KernelSet } from "../../compiler/native/kernel-ir.js";
import type { MemoryPlan } from "../../compiler/native/plan.js";
import { wasmApi, type WasmImports, type WasmMemory } from "./wasm-api.js";

export type NativeView = Float32Array | Float64Array;

/** Milliseconds spent getting a program ready, by phase. */
export interface CompileTimes {
  /** Kernel IR → Wasm bytes (verify, plan, generate, encode). */
  codegenMs: number;
  /** `new WebAssembly.Module` (the engine's baseline compile; optimisation happens later, on hot code). */
  wasmCompileMs: number;
  instantiateMs: number;
}

const HOST_MATH: Record<string, (x: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  sin: Math.sin,
  cos: Math.cos,
};

export class NativeProgram {
  private readonly views = new Map<string, NativeView>();
  private readonly registers: Float64Array;
  private readonly kernels = new Map<string, () => void>();

  private constructor(
    readonly memory: WasmMemory,
    readonly plan: MemoryPlan,
    exports: Record<string, unknown>,
    kernelNames: readonly string[],
    readonly times: CompileTimes,
    /** Size of the module's binary. */
    readonly moduleBytes: number,
  ) {
    for (const [name, b] of plan.buffers) {
      const view =
        b.dtype === "f32"
          ? new Float32Array(memory.buffer, b.offset, b.length)
          : new Float64Array(memory.buffer, b.offset, b.length);
      this.views.set(name, view);
    }
    this.registers = new Float64Array(memory.buffer, 0, plan.scalars.size);
    for (const [name, address] of plan.scalars) this.registers[address / 8] = plan.scalarInit.get(name) ?? 0;
    for (const name of kernelNames) {
      const fn = exports[name];
      if (typeof fn !== "function") throw new Error(`internal error: the module does not export kernel \`${name}\``);
      this.kernels.set(name, fn as () => void);
    }
  }

  /** Compiles and instantiates a kernel set. */
  static compile(set: KernelSet): NativeProgram {
    const t0 = performance.now();
    const compiled = compileKernelSet(set);
    return NativeProgram.instantiate(compiled, performance.now() - t0);
  }

  /**
   * `memory`: run in this memory instead of a fresh one (it must have at least the plan's pages,
   * and the module must have been compiled `unbounded`); its contents are not cleared.
   */
  static instantiate(compiled: CompiledKernels, codegenMs = 0, memory?: WasmMemory): NativeProgram {
    const wasm = wasmApi();
    const t0 = performance.now();
    const module = new wasm.Module(compiled.bytes);
    const t1 = performance.now();
    const pages = compiled.plan.pages;
    memory ??= new wasm.Memory({ initial: pages, maximum: pages });
    const math: Record<string, (x: number) => number> = {};
    for (const fn of compiled.hostFunctions) math[fn] = HOST_MATH[fn];
    const imports: WasmImports = { [IMPORTS.memory[0]]: { [IMPORTS.memory[1]]: memory }, [IMPORTS.math]: math };
    const instance = new wasm.Instance(module, imports);
    const t2 = performance.now();
    return new NativeProgram(memory, compiled.plan, instance.exports, compiled.kernels, {
      codegenMs,
      wasmCompileMs: t1 - t0,
      instantiateMs: t2 - t1,
    }, compiled.bytes.length);
  }

  /** The buffer's elements, a view into the program's memory (write inputs, read outputs). */
  view(name: string): NativeView {
    const v = this.views.get(name);
    if (!v) throw new Error(`the native program has no buffer \`${name}\``);
    return v;
  }

  scalar(name: string): number {
    return this.registers[this.registerIndex(name)];
  }

  setScalar(name: string, value: number): void {
    this.registers[this.registerIndex(name)] = value;
  }

  /** The kernel as a function (call it directly in a hot loop). */
  kernel(name: string): () => void {
    const k = this.kernels.get(name);
    if (!k)
      throw new Error(`the native program has no kernel \`${name}\` (it has ${[...this.kernels.keys()].join(", ")})`);
    return k;
  }

  run(name: string): void {
    this.kernel(name)();
  }

  private registerIndex(name: string): number {
    const address = this.plan.scalars.get(name);
    if (address === undefined) throw new Error(`the native program has no scalar \`${name}\``);
    return address / 8;
  }
}
