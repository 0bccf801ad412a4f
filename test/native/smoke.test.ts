import { expect, it } from "vitest";
import { add, loop, mul, read, reg, stencil5, store, dot } from "../../compiler/native/build.js";
import { runBoth } from "./harness.js";
import { firstMismatch } from "./reference.js";

it("smoke", () => {
  for (const dtype of ["f32", "f64"] as const) for (const n of [1, 3, 4, 9, 33]) {
    const set = {
      buffers: [{ name: "x", dtype, shape: [n] }, { name: "y", dtype, shape: [n] }],
      scalars: [{ name: "a" }, { name: "d" }],
      kernels: [{ name: "axpy", steps: [loop(dtype, [n], [store("y", add(mul(reg("a"), read("x")), read("y"))), dot("d", read("x"), read("y"))])] }],
    };
    const { native, ref } = runBoth(set, ["axpy"], { scalars: { a: 0.5 } });
    expect(firstMismatch(native.view("y"), ref.buffers.get("y")!)).toBe(-1);
    expect(native.scalar("d")).toBeCloseTo(ref.scalars.get("d")!, 12);
  }
  for (const dtype of ["f32", "f64"] as const) for (const [n, m] of [[1, 1], [2, 2], [5, 7], [16, 16], [9, 33]]) {
    const set = {
      buffers: [{ name: "p", dtype, shape: [n, m] }, { name: "q", dtype, shape: [n, m] }],
      scalars: [{ name: "pq" }],
      kernels: [{ name: "A", steps: [loop(dtype, [n, m], [store("q", stencil5("p", 4, -1)), dot("pq", read("p"), read("q"))])] }],
    };
    const { native, ref } = runBoth(set, ["A"]);
    expect(firstMismatch(native.view("q"), ref.buffers.get("q")!)).toBe(-1);
    expect(native.scalar("pq")).toBeCloseTo(ref.scalars.get("pq")!, 10);
  }
});
