// The benchmark's iterlang programs and the regions the fused peers run: each program is
// compiled by the real compiler (parse, check, lower, specialise, the passes), and its
// construct's regions are handed to the region fuser exactly as the native interpreter will
// (the module's constants, the construct's captured values as extra arguments).
import { compileSource } from "../../compiler/compile.js";
import { type Attr, type ConstructOp, isConstruct, type Region, walkOps } from "../../compiler/ir/ir.js";
import type { NativeArray } from "../../runtime/native/array.js";
import { fuseRegion } from "../../runtime/native/fuse.js";
import type { FusedRegion, Precision } from "../../runtime/native/fused.js";

/** CG on −Δu = f with the unscaled 5-point operator (as bench/native/cg.c and cg_numpy.py). */
export const CG_SOURCE = (n: number, maxiter = 100000) => `dim N = ${n}
input f: f32[N, N]
op A(u: f32[n, n]) = stencil5(u, center: 4, side: -1)
solve A(u) = f method cg(rtol: 1e-7, maxiter: ${maxiter}) -> u
export u
`;

/** CG preconditioned by one multigrid V-cycle (the stdlib's, red–black Gauss–Seidel), A scaled by its h. */
export const MGPCG_SOURCE = (n: number, maxiter = 200) => `dim N = ${n}
input f: f32[N, N]
op A(u: f32[n, n]) = stencil5(u, center: 4, side: -1) * (n + 1)^2
solve A(u) = f method cg(rtol: 1e-6, maxiter: ${maxiter}) precond multigrid -> u
export u
`;

/** x = tanh(W x + b) with W and b given (a contraction: W = 0.99 × a reflection). */
export const FIXPOINT_SOURCE = (n: number, method: "picard" | "anderson", maxiter = 5000) => `dim n = ${n}
input W: f32[n, n]
input b: f32[n]
fixpoint x: f32[n] = tanh(W @ x + b)
  init zeros
  method ${method === "anderson" ? "anderson(m: 5)" : "picard"}
  until residual < 1e-5
  max ${maxiter}
export x
`;

export interface CompiledConstruct {
  construct: ConstructOp;
  constants: Map<number, Attr>;
  /** The value id of each program input, by name. */
  inputs: Map<string, number>;
}

export function compileConstruct(source: string, inputShapes: Record<string, number[]>): CompiledConstruct {
  const c = compileSource(source, { inputShapes: new Map(Object.entries(inputShapes)) });
  const main = c.module?.funcs.get("main");
  if (!main) throw new Error(c.diagnostics.map((d) => d.message).join("\n"));
  const constants = new Map<number, Attr>();
  const inputs = new Map<string, number>();
  let construct: ConstructOp | undefined;
  for (const op of walkOps(main.body)) {
    if (op.kind === "const") constants.set(op.outputs[0].id, op.value);
    if (op.kind === "input") inputs.set(op.name, op.outputs[0].id);
    if (isConstruct(op)) construct ??= op;
  }
  if (!construct) throw new Error("the program has no construct");
  return { construct, constants, inputs };
}

/** A fused region with its captured values bound: `run(args)` passes them after the arguments. */
export interface Bound {
  readonly region: FusedRegion;
  run(args: readonly NativeArray[]): NativeArray[];
}

export function bind(c: CompiledConstruct, region: Region, precision: Precision, env: Map<number, NativeArray>, donate?: number[]): Bound {
  const fused = fuseRegion(region, precision, { constants: c.constants, ...(donate ? { donate } : {}) });
  if (!fused.ok) throw new Error(`the fuser refused the region: ${fused.refused}`);
  const captured = fused.region.captures.map((id) => {
    const v = env.get(id);
    if (!v) throw new Error(`no value for the captured %${id}`);
    return v;
  });
  const args: NativeArray[] = [];
  return {
    region: fused.region,
    run(xs) {
      args.length = 0;
      for (const x of xs) args.push(x);
      for (const x of captured) args.push(x);
      return fused.region.call(args);
    },
  };
}

export function array(precision: Precision, shape: number[], values?: ArrayLike<number>): NativeArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = precision === "f32" ? new Float32Array(n) : new Float64Array(n);
  if (values) data.set(values);
  return { dtype: precision, shape, data };
}
