// The memory plan and its promise: one memory, sized once, never grown, every buffer and
// register at a fixed aligned address, views that stay valid for the program's life.
import { describe, expect, it } from "vitest";
import { fold, loop, read, store } from "../../compiler/native/build.js";
import { ALIGN, PAGE_BYTES, planMemory } from "../../compiler/native/plan.js";
import { cgPoissonKernels } from "../../compiler/native/samples/cg-poisson.js";
import { NativeCgPoisson } from "../../runtime/native/cg-poisson-driver.js";
import { NativeProgram } from "../../runtime/native/program.js";

describe("the memory planner", () => {
  it("places registers first, then aligned, disjoint buffers, and sizes the memory once", () => {
    const set = {
      buffers: [
        { name: "a", dtype: "f32" as const, shape: [3] },
        { name: "b", dtype: "f64" as const, shape: [5, 7] },
        { name: "c", dtype: "f32" as const, shape: [1] },
      ],
      scalars: [{ name: "r" }, { name: "s", init: 2 }],
      kernels: [],
    };
    const plan = planMemory(set);
    expect([...plan.scalars.values()]).toEqual([0, 8]);
    const placed = [...plan.buffers.values()];
    for (const b of placed) expect(b.offset % ALIGN).toBe(0);
    expect(placed.map((b) => b.bytes)).toEqual([12, 280, 4]);
    for (let i = 1; i < placed.length; i++)
      expect(placed[i].offset).toBeGreaterThanOrEqual(placed[i - 1].offset + placed[i - 1].bytes);
    expect(placed[0].offset).toBeGreaterThanOrEqual(16);
    expect(plan.pages * PAGE_BYTES).toBeGreaterThanOrEqual(plan.usedBytes);
  });
});

describe("running kernels", () => {
  it("10,000 CG iterations grow nothing: same memory size, same views, no detached buffer", () => {
    const n = 15;
    const cg = new NativeCgPoisson("f64", n);
    const program = cg.program;
    const bytes = program.memory.buffer.byteLength;
    const views = ["x", "r", "p", "q"].map((name) => program.view(name));
    const b = new Float64Array(n * n).fill(1);
    for (let round = 0; round < 50; round++) {
      cg.reset(b); // a fresh start every 100 iterations keeps the numbers normal
      cg.iterate(100); // 2 kernel calls per iteration: 10,000 calls over the 50 rounds
    }
    expect(program.memory.buffer.byteLength).toBe(bytes);
    for (const v of views) expect(v.length).toBe(n * n); // a detached view reads as length 0
    expect(["x", "r", "p", "q"].map((name) => program.view(name))).toEqual(views);
    // and the solve still converges on the same memory afterwards
    expect(cg.solve(b, 1e-10, 500)).toBeLessThan(500);
  });

  it("10,000 calls of a reduction kernel leave the memory and its views as they were", () => {
    const p = NativeProgram.compile({
      buffers: [{ name: "x", dtype: "f32", shape: [1000] }],
      scalars: [{ name: "s" }],
      kernels: [{ name: "k", steps: [loop("f32", [1000], [store("x", read("x")), fold("sum", "s", read("x"))])] }],
    });
    const before = p.memory.buffer;
    const x = p.view("x");
    x.fill(0.25);
    for (let i = 0; i < 10_000; i++) p.run("k");
    expect(p.memory.buffer).toBe(before);
    expect(before.byteLength).toBe(p.plan.pages * PAGE_BYTES);
    expect(p.scalar("s")).toBe(250);
    expect(x.length).toBe(1000);
  });

  it("cannot be grown from outside either: the memory's maximum is its size", () => {
    const p = NativeProgram.compile(cgPoissonKernels("f32", 8));
    expect(() => p.memory.grow(1)).toThrow();
    expect(p.view("x").length).toBe(64);
  });
});
