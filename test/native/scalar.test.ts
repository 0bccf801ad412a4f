// Scalar steps (f64 arithmetic on registers, in order) and how registers flow between steps
// and kernels: a reduction writes one, a scalar step computes with it, a later loop
// broadcasts it, the driver reads it from memory.
import { describe, expect, it } from "vitest";
import {
  add,
  compare,
  div,
  fold,
  lit,
  loop,
  mul,
  read,
  reg,
  scalars,
  select,
  sqrt,
  store,
  unary,
} from "../../compiler/native/build.js";
import type { KernelSet } from "../../compiler/native/kernel-ir.js";
import { NativeProgram } from "../../runtime/native/program.js";

describe("scalar steps", () => {
  it("assign in order, each seeing the previous ones", () => {
    const set: KernelSet = {
      buffers: [],
      scalars: [{ name: "a", init: 3 }, { name: "b", init: 4 }, { name: "c" }],
      kernels: [
        {
          name: "k",
          steps: [
            scalars(
              ["c", sqrt(add(mul(reg("a"), reg("a")), mul(reg("b"), reg("b"))))],
              ["a", reg("c")],
              ["b", div(reg("a"), lit(2))],
            ),
          ],
        },
      ],
    };
    const p = NativeProgram.compile(set);
    expect([p.scalar("a"), p.scalar("b"), p.scalar("c")]).toEqual([3, 4, 0]); // initial values
    p.run("k");
    expect([p.scalar("a"), p.scalar("b"), p.scalar("c")]).toEqual([5, 2.5, 5]);
  });

  it("compute in f64 (not rounded to f32), with guards and host maths", () => {
    const set: KernelSet = {
      buffers: [],
      scalars: ["x", "y", "q", "e", "t"].map((name) => ({ name })),
      kernels: [
        {
          name: "k",
          steps: [
            scalars(
              ["q", select(compare("gt", reg("y"), 0), div(reg("x"), reg("y")), 0)],
              ["e", unary("exp", reg("x"))],
              ["t", unary("tanh", unary("neg", reg("x")))],
            ),
          ],
        },
      ],
    };
    const p = NativeProgram.compile(set);
    p.setScalar("x", 1);
    p.setScalar("y", 3);
    p.run("k");
    expect(p.scalar("q")).toBe(1 / 3);
    // exp and tanh are computed in the module (Cephes): within a few ulp of Math's
    expect(Math.abs(p.scalar("e") - Math.exp(1))).toBeLessThanOrEqual(4 * 2 ** -52 * Math.exp(1));
    expect(Math.abs(p.scalar("t") - Math.tanh(-1))).toBeLessThanOrEqual(4 * 2 ** -52);
    p.setScalar("y", 0);
    p.run("k");
    expect(p.scalar("q")).toBe(0);
  });

  it("pass values between reductions, scalar steps and loops in one kernel", () => {
    // normalise: s = ‖x‖², s = 1/sqrt(s), x = s·x, then check ‖x‖² = 1 in a second kernel.
    const n = 37;
    const set: KernelSet = {
      buffers: [{ name: "x", dtype: "f64", shape: [n] }],
      scalars: [{ name: "s" }, { name: "check" }],
      kernels: [
        {
          name: "normalise",
          steps: [
            loop("f64", [n], [fold("sumsq", "s", read("x"))]),
            scalars(["s", div(lit(1), sqrt(reg("s")))]),
            loop("f64", [n], [store("x", mul(reg("s"), read("x")))]),
          ],
        },
        { name: "norm", steps: [loop("f64", [n], [fold("sumsq", "check", read("x"))])] },
      ],
    };
    const p = NativeProgram.compile(set);
    const x = p.view("x");
    for (let i = 0; i < n; i++) x[i] = i - 10;
    p.run("normalise");
    p.run("norm");
    expect(Math.abs(p.scalar("check") - 1)).toBeLessThan(1e-14);
    expect(x[0]).toBeCloseTo(-10 / Math.sqrt([...Array(n).keys()].reduce((a, i) => a + (i - 10) ** 2, 0)), 15);
  });
});
