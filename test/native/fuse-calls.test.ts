// The call contract of fused regions (runtime/native/fused.ts), on the CG step of
// examples/poisson.iter: without donation a call never writes its arguments and calls
// alternate between two buffers per state item; with donation the state is updated in place;
// results passed back are not copied; 10,000 calls grow no memory and allocate no new views;
// and the cache hands out one instance per region, precision and donation.
import { describe, expect, it } from "vitest";
import type { NativeArray } from "../../runtime/native/array.js";
import { fuseRegion } from "../../runtime/native/fuse.js";
import type { FusedProgram } from "../../runtime/native/fused-program.js";
import type { FusedRegion } from "../../runtime/native/fused.js";
import { exampleRegions, randomArgs, toNative } from "./fuse-harness.js";

const step = exampleRegions("examples/poisson.iter", { N: 15 }).find((r) => r.name.endsWith("u.step"))!;

function fused(donate?: number[]): FusedRegion {
  const f = fuseRegion(step.region, "f64", { constants: step.constants, ...(donate ? { donate } : {}) });
  if (!f.ok) throw new Error(f.refused);
  return f.region;
}

const state = (): NativeArray[] => randomArgs(step.region.params, 11).map((a, i) => toNative(a, "f64", step.region.params[i]));
const copyOf = (xs: readonly NativeArray[]) => xs.map((a) => Float64Array.from(a.data));

describe("fused region calls", () => {
  it("without donation, never writes its arguments and alternates buffers", () => {
    const f = fused();
    expect(f.description).toMatch(/2 variants/);
    let args = state();
    for (let call = 0; call < 4; call++) {
      const before = copyOf(args);
      const out = f.call(args);
      args.forEach((a, i) => expect(Array.from(a.data)).toEqual(Array.from(before[i])));
      for (let i = 0; i < 3; i++) expect(out[i].data).not.toBe(args[i].data);
      args = out.slice(0, 4);
    }
  });

  it("with donation, stores the next state over the previous results", () => {
    const f = fused([0, 1, 2, 3]);
    expect(f.description).toMatch(/3 updated in place/);
    const first = f.call(state()).slice(0, 4);
    const second = f.call(first);
    for (let i = 0; i < 3; i++) expect(second[i].data).toBe(first[i].data);
  });

  it("takes results passed back without copying, foreign arrays by copying, and agrees either way", () => {
    const [a, b] = [fused([0, 1, 2, 3]), fused()];
    let sa = a.call(state()).slice(0, 4);
    let sb = b.call(state()).slice(0, 4);
    for (let k = 0; k < 3; k++) {
      // b gets fresh copies (foreign arrays) every time, a its own views
      const copies = sb.map((x) => ({ ...x, data: Float64Array.from(x.data) }));
      sa = a.call(sa).slice(0, 4);
      sb = b.call(copies).slice(0, 4);
    }
    sa.forEach((x, i) => expect(Array.from(x.data)).toEqual(Array.from(sb[i].data)));
  });

  it("runs 10,000 calls without growing its memory or making new views", () => {
    const f = fused([0, 1, 2, 3]) as FusedProgram;
    const memory = f.program.memory;
    const bytes = memory.buffer.byteLength;
    const buffer = memory.buffer;
    let s = f.call(state()).slice(0, 4);
    const views = s.map((x) => x.data);
    for (let k = 0; k < 10_000; k++) {
      const out = f.call(s);
      for (let i = 0; i < 4; i++) s[i] = out[i];
    }
    expect(memory.buffer).toBe(buffer);
    expect(memory.buffer.byteLength).toBe(bytes);
    s.slice(0, 3).forEach((x, i) => expect(x.data).toBe(views[i]));
    expect(s.every((x) => x.data.every(Number.isFinite))).toBe(true);
  });

  it("compiles once per region, precision and donation", () => {
    const opts = { constants: step.constants };
    expect(fuseRegion(step.region, "f32", opts)).toBe(fuseRegion(step.region, "f32", opts));
    expect(fuseRegion(step.region, "f32", opts)).not.toBe(fuseRegion(step.region, "f64", opts));
    expect(fuseRegion(step.region, "f32", { ...opts, donate: [1, 0] })).toBe(fuseRegion(step.region, "f32", { ...opts, donate: [0, 1] }));
  });

  it("says when an argument has the wrong size or the count is off", () => {
    const f = fused();
    const args = state();
    expect(() => f.call(args.slice(0, 3))).toThrow(/takes 4 arguments/);
    const bad = [{ ...args[0], data: new Float64Array(3) }, ...args.slice(1)];
    expect(() => f.call(bad)).toThrow(/argument 0 has 3 entries/);
  });
});
