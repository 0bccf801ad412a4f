// The region fuser: what the native interpreter asks for each region a construct's driver
// calls. It lowers the region (compiler/native/lower), compiles and instantiates the kernel
// set, and caches the result per region, precision and donation, refusals included, so a
// region is compiled once however often its construct runs.
import type { Region } from "../../compiler/ir/ir.js";
import { type LoweredRegion, lowerRegion, Refusal } from "../../compiler/native/lower/index.js";
import { FusedProgram } from "./fused-program.js";
import type { FuseOptions, FuseResult, Precision, RegionFuser } from "./fused.js";
import { compileKernelSet } from "../../compiler/native/compile.js";
import { PAGE_BYTES } from "../../compiler/native/plan.js";
import { NativeProgram } from "./program.js";
import { wasmApi, type WasmMemory } from "./wasm-api.js";

const cache = new WeakMap<Region, Map<string, FuseResult>>();

export const fuseRegion: RegionFuser = (region: Region, precision: Precision, options: FuseOptions = {}): FuseResult => {
  const key = `${precision}:${[...(options.donate ?? [])].sort((a, b) => a - b).join(",")}`;
  let byKey = cache.get(region);
  if (!byKey) cache.set(region, (byKey = new Map()));
  const cached = byKey.get(key);
  if (cached) return cached;
  const result = fuse(region, precision, options);
  byKey.set(key, result);
  return result;
};

/**
 * Lowers and instantiates; when the init kernel computed invariant tensors with every entry
 * equal (the diagonal of a constant-coefficient operator, probed by a smoother), lowers again
 * with them as literals: the step kernels then multiply by a constant instead of reading a
 * grid from memory.
 */
function fuse(region: Region, precision: Precision, options: FuseOptions): FuseResult {
  try {
    const t0 = performance.now();
    let lowered = lowerRegion(region, { precision, ...options });
    const t1 = performance.now();
    const uniform = uniformInvariants(lowered);
    const t2 = performance.now();
    if (uniform.size > 0) lowered = lowerRegion(region, { precision, ...options, uniform });
    const t3 = performance.now();
    const fused = new FusedProgram(lowered, precision);
    const t4 = performance.now();
    const { codegenMs, wasmCompileMs } = fused.program.times;
    fused.phases = {
      lowerMs: t1 - t0 + (t3 - t2),
      invariantsMs: t2 - t1,
      codegenMs,
      wasmCompileMs,
      instantiateMs: t4 - t3 - codegenMs - wasmCompileMs,
      totalMs: t4 - t0,
    };
    return { ok: true, region: fused };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, refused: e.reason };
    throw e;
  }
}

/**
 * One scratch memory for the init kernels run alone, grown as needed and kept: a fresh memory
 * of 30 MB (a 1023² f64 multigrid's invariants) costs more to touch the first time (page
 * faults) than the init kernel costs to run.
 */
let scratch: WasmMemory | undefined;

function scratchMemory(pages: number): WasmMemory {
  const have = scratch ? scratch.buffer.byteLength / PAGE_BYTES : 0;
  if (!scratch) scratch = new (wasmApi().Memory)({ initial: pages });
  else if (have < pages) scratch.grow(pages - have);
  return scratch;
}

/** Runs the init kernel alone and returns the invariant tensors whose entries are all equal. */
function uniformInvariants(lowered: LoweredRegion): Map<number, number> {
  const uniform = new Map<number, number>();
  if (!lowered.initSet || lowered.invariants.length === 0) return uniform;
  const compiled = compileKernelSet(lowered.initSet, { unbounded: true });
  const p = NativeProgram.instantiate(compiled, 0, scratchMemory(compiled.plan.pages));
  for (const d of lowered.data) if (lowered.initSet.buffers.some((b) => b.name === d.buffer)) p.view(d.buffer).set(d.values);
  p.run("init");
  for (const { id, buffer } of lowered.invariants) {
    const v = p.view(buffer);
    const first = v[0];
    let same = true;
    for (let i = 1; i < v.length && same; i++) same = v[i] === first;
    if (same) uniform.set(id, first);
  }
  return uniform;
}
