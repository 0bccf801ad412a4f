// The verifier refuses kernel sets whose meaning would be ill-defined or whose fused code
// would read half-updated data; each message names the kernel, the step and the problem.
import { describe, expect, it } from "vitest";
import {
  add,
  at,
  fold,
  let_,
  lit,
  loop,
  read,
  reg,
  scalars,
  stagedLoop,
  store,
  temp,
} from "../../compiler/native/build.js";
import { compileKernelSet } from "../../compiler/native/compile.js";
import type { KernelSet, Step } from "../../compiler/native/kernel-ir.js";
import { verifyKernelSet } from "../../compiler/native/verify.js";

const base = (steps: Step[], extra: Partial<KernelSet> = {}): KernelSet => ({
  buffers: [
    { name: "u", dtype: "f64", shape: [4, 4] },
    { name: "v", dtype: "f64", shape: [4, 4] },
    { name: "w", dtype: "f32", shape: [4, 4] },
    { name: "line", dtype: "f64", shape: [16] },
  ],
  scalars: [{ name: "s" }],
  kernels: [{ name: "k", steps }],
  ...extra,
});

const errorsOf = (set: KernelSet) => verifyKernelSet(set).join("\n");

describe("the kernel-IR verifier", () => {
  it("accepts a well-formed set", () => {
    expect(
      verifyKernelSet(
        base([loop("f64", [4, 4], [store("v", add(at("u", -1, 0), read("u"))), fold("sum", "s", read("v"))])]),
      ),
    ).toEqual([]);
  });

  it("refuses undeclared names, wrong shapes and wrong dtypes", () => {
    const e = errorsOf(
      base([
        loop(
          "f64",
          [4, 4],
          [store("nope", read("u")), store("v", add(read("w"), read("line"))), fold("sum", "t", reg("r"))],
        ),
      ]),
    );
    expect(e).toMatch(/kernel `k`, step 0 \(loop\): a store of the undeclared buffer `nope`/);
    expect(e).toMatch(/a read of `w` \(f32\) in a f64 loop/);
    expect(e).toMatch(/a read of `line` \[16\] in a loop over \[4,4\]/);
    expect(e).toMatch(/a reduction into the undeclared scalar `t`/);
    expect(e).toMatch(/a read of the undeclared scalar `r`/);
  });

  it("refuses a stencil that reads the buffer its own stage stores (half-updated neighbours)", () => {
    expect(errorsOf(base([loop("f64", [4, 4], [store("u", add(at("u", 0, 1), read("u")))])]))).toMatch(
      /reads `u` at offset \[0, 1\] and stores it/,
    );
  });

  it("refuses reading a register in the loop that reduces into it", () => {
    expect(errorsOf(base([loop("f64", [4, 4], [store("v", reg("s")), fold("sum", "s", read("u"))])]))).toMatch(
      /`s` is read in the loop that reduces into it/,
    );
  });

  it("refuses temporaries used before their let, or across stages", () => {
    expect(errorsOf(base([loop("f64", [4, 4], [store("v", temp("t")), let_("t", read("u"))])]))).toMatch(
      /`t` is used before its let/,
    );
    const staged = stagedLoop(
      "f64",
      [4, 4],
      [
        { rowLag: 0, body: [let_("t", read("u")), store("v", temp("t"))] },
        { rowLag: 1, body: [store("u", temp("t"))] },
      ],
    );
    expect(errorsOf(base([staged]))).toMatch(/stage 1: `t` is used before its let \(or in another stage\)/);
  });

  it("refuses an earlier stage reading what a later stage stores, and decreasing lags", () => {
    const staged = stagedLoop(
      "f64",
      [4, 4],
      [
        { rowLag: 0, body: [store("v", read("u"))] },
        { rowLag: 2, body: [store("u", lit(1))] },
        { rowLag: 1, body: [fold("sum", "s", read("v"))] },
      ],
    );
    const e = errorsOf(base([staged]));
    expect(e).toMatch(/stage 0 reads `u`, which the later stage 1 stores/);
    expect(e).toMatch(/stage 2: lags must not decrease/);
  });

  it("refuses row offsets in a rank-1 loop, and scalar steps that read buffers", () => {
    expect(errorsOf(base([loop("f64", [16], [store("line", at("line", 1, 0))])]))).toMatch(
      /row offset 1 in a loop of rank 1/,
    );
    expect(errorsOf(base([scalars(["s", read("u")])]))).toMatch(/a scalar step cannot use a read/);
  });

  it("refuses duplicate declarations and bad kernel names", () => {
    const set = base([], { scalars: [{ name: "s" }, { name: "s" }] });
    const dup = {
      ...set,
      kernels: [
        { name: "k", steps: [] },
        { name: "k", steps: [] },
        { name: "not a name", steps: [] },
      ],
    };
    const e = errorsOf(dup);
    expect(e).toMatch(/scalar `s` declared twice/);
    expect(e).toMatch(/kernel `k` declared twice/);
    expect(e).toMatch(/the name must be an identifier/);
  });

  it("makes compilation fail loudly as an internal error", () => {
    expect(() => compileKernelSet(base([loop("f64", [4, 4], [store("nope", lit(0))])]))).toThrow(
      /internal error: invalid kernel set/,
    );
  });
});
