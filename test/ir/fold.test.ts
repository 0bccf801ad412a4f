import { describe, expect, test } from "vitest";
import { opAttrs, opName } from "../../compiler/ir/ir.js";
import type { Module } from "../../compiler/ir/ir.js";
import { printModule } from "../../compiler/ir/print.js";
import { verifyModule } from "../../compiler/ir/verify.js";
import { evaluate, fold, MAX_FOLD_ELEMENTS } from "../../compiler/passes/fold.js";
import { scalar } from "../../compiler/types.js";
import { f32, fixpointOp, mainModule, mainOps, t } from "./helpers.js";

function folded(m: Module): string {
  const out = fold.run(m);
  expect(verifyModule(out)).toEqual([]);
  return printModule(out);
}

const lines = (...ls: string[]) => ls.join("\n");

describe("fold", () => {
  test("evaluates builtins of constants and keeps what depends on an input", () => {
    const m = mainModule((b) => {
      const x = b.input("x", f32(3));
      const six = b.builtin("mul", [b.const(2), b.const(3)], {});
      const v = b.builtin("sub", [b.const([1, 2, 3], f32(3)), six], {});
      return { y: b.builtin("add", [x, b.builtin("sqrt", [v], {})], {}) };
    });
    expect(printModule(m)).toBe(
      lines(
        "func main() {",
        '  %0.x: f32[3] = input {name: "x"}',
        "  %1: f32[] = const 2",
        "  %2: f32[] = const 3",
        "  %3: f32[] = mul(%1, %2)",
        "  %4: f32[3] = const [1, 2, 3]",
        "  %5: f32[3] = sub(%4, %3)",
        "  %6: f32[3] = sqrt(%5)",
        "  %7: f32[3] = add(%0.x, %6)",
        "  export y = %7",
        "}",
      ),
    );
    expect(folded(m)).toBe(
      lines(
        "func main() {",
        '  %0.x: f32[3] = input {name: "x"}',
        "  %1: f32[] = const 2",
        "  %2: f32[] = const 3",
        "  %3: f32[] = const 6",
        "  %4: f32[3] = const [1, 2, 3]",
        "  %5: f32[3] = const [-5, -4, -3]",
        "  %6: f32[3] = const [nan, nan, nan]",
        "  %7: f32[3] = add(%0.x, %6)",
        "  export y = %7",
        "}",
      ),
    );
  });

  test("folds inside regions, but never what depends on a region param; identities may forward it", () => {
    const m = mainModule((b) => {
      const x0 = b.const([0, 0], f32(2));
      const map = b.region([f32(2)], ([z]) => {
        const half = b.builtin("div", [b.const(1), b.const(2)], {});
        const zh = b.builtin("mul", [z, half], {});
        return [b.builtin("add", [b.builtin("mul", [z, b.const(1)], {}), zh], {})];
      });
      return { z: fixpointOp(b, x0, map, 5) };
    });
    expect(folded(m)).toBe(
      lines(
        "func main() {",
        "  %0: f32[2] = const [0, 0]",
        '  %9: f32[2] = fixpoint(%0) {grad: "implicit", method: "picard", options: {}, stop: {atol: 0, maxIter: 5, rtol: 1e-5}} label "z" {',
        "    map(%1: f32[2]) {",
        "      %2: f32[] = const 1",
        "      %3: f32[] = const 2",
        "      %4: f32[] = const 0.5",
        "      %5: f32[2] = mul(%1, %4)",
        "      %6: f32[] = const 1",
        "      %8: f32[2] = add(%1, %5)",
        "      yield %8",
        "    }",
        "  }",
        "  export z = %9",
        "}",
      ),
    );
  });

  test("x*1, 1*x, x+0, 0+x, x-0, x/1, x^1 become x, also when x is exported", () => {
    const m = mainModule((b) => {
      const x = b.input("x", f32(2, 2));
      const [one, zero] = [b.const(1), b.const(0)];
      let y = b.builtin("mul", [x, one], {});
      y = b.builtin("mul", [one, y], {});
      y = b.builtin("add", [y, zero], {});
      y = b.builtin("add", [zero, y], {});
      y = b.builtin("sub", [y, zero], {});
      y = b.builtin("div", [y, one], {});
      y = b.builtin("pow", [y, b.const([[1, 1], [1, 1]], f32(2, 2))], {});
      return { y };
    });
    expect(folded(m)).toBe(
      lines(
        "func main() {",
        '  %0.x: f32[2, 2] = input {name: "x"}',
        "  %1: f32[] = const 1",
        "  %2: f32[] = const 0",
        "  %9: f32[2, 2] = const [[1, 1], [1, 1]]",
        "  export y = %0.x",
        "}",
      ),
    );
  });

  test("identities that would change the type are kept: broadcasting and dtype promotion", () => {
    const m = mainModule((b) => {
      const x = b.input("x", scalar("f32"));
      const k = b.input("k", t("i32"));
      const widened = b.builtin("mul", [x, b.const([1, 1, 1], f32(3))], {}); // f32[] * f32[3] is f32[3]
      const promoted = b.builtin("add", [k, b.const(0)], {}); // i32 + f32 is f32
      const backwards = b.builtin("sub", [b.const(0), x], {}); // 0 - x is -x, not x
      return { widened, promoted, backwards };
    });
    const out = fold.run(m);
    expect(mainOps(out).map(opName)).toEqual(["input", "input", "const", "mul", "const", "add", "const", "sub"]);
  });

  test("x*0 is not folded: NaN*0 and inf*0 are NaN", () => {
    const m = mainModule((b) => ({ y: b.builtin("mul", [b.input("x", f32(2)), b.const(0)], {}) }));
    expect(mainOps(fold.run(m)).map(opName)).toEqual(["input", "const", "mul"]);
  });

  test("computes in float32, broadcasting like NumPy", () => {
    const m = mainModule((b) => ({
      s: b.builtin("add", [b.const(0.1), b.const(0.2)], {}),
      g: b.builtin("add", [b.const([1, 2, 3], f32(3)), b.const([[10], [20]], f32(2, 1))], {}),
      c: b.builtin("lt", [b.const([1, 5], f32(2)), b.const(3)], {}),
    }));
    const ops = mainOps(fold.run(m));
    expect(opAttrs(ops.find((o) => o.outputs[0].id === 2)!).value).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    expect(folded(m)).toContain("%5: f32[2, 3] = const [[11, 12, 13], [21, 22, 23]]");
    expect(folded(m)).toContain("%8: bool[2] = const [1, 0]");
  });

  test("leaves alone what tfjs would store differently, and constants above the size limit", () => {
    const int = (n: number) => ({ n, type: t("i32") });
    expect(evaluate("mul", [int(2 ** 20), int(2 ** 20)].map(({ n, type }) => ({ type, data: [n] })), t("i32"))).toBeUndefined();
    expect(evaluate("add", [int(7), int(-9)].map(({ n, type }) => ({ type, data: [n] })), t("i32"))).toEqual([-2]);
    expect(evaluate("cast", [{ type: f32(), data: [NaN] }], t("bool"))).toBeUndefined();
    const n = MAX_FOLD_ELEMENTS + 1;
    const m = mainModule((b) => ({ y: b.builtin("neg", [b.const(Array(n).fill(1), f32(n))], {}) }));
    expect(mainOps(fold.run(m)).map(opName)).toEqual(["const", "neg"]);
  });

  test("leaves ops it has no rule for, and random initialisers, as they are", () => {
    const m = mainModule((b) => ({
      s: b.builtin("sum", [b.const([1, 2], f32(2))], { axis: null, keepdims: false }),
      r: b.builtin("normal", [], { dims: [2], std: 1, mean: 0, seed: 1 }),
    }));
    expect(mainOps(fold.run(m)).map(opName)).toEqual(["const", "sum", "normal"]);
  });
});
