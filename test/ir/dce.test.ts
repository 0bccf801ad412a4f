import { describe, expect, test } from "vitest";
import { opName } from "../../compiler/ir/ir.js";
import { printModule } from "../../compiler/ir/print.js";
import { verifyModule } from "../../compiler/ir/verify.js";
import { dce, KEPT_KINDS } from "../../compiler/passes/dce.js";
import { f32, fixpointOp, loopOp, mainModule, mainOps, solveOp } from "./helpers.js";

const lines = (...ls: string[]) => ls.join("\n");

describe("dce", () => {
  test("removes unused ops transitively, inside regions too; keeps exports, inputs and every solve", () => {
    const m = mainModule((b) => {
      const f = b.input("f", f32(3));
      b.input("unused", f32(3));
      const dead = b.builtin("exp", [f], {});
      b.builtin("neg", [dead], {});
      const operator = b.region([f32(3)], ([u]) => {
        b.builtin("tanh", [u], {}); // dead inside the region
        return [b.builtin("mul", [u, b.const(2)], {})];
      });
      const scale = b.builtin("abs", [f], {}); // used only by the unused solve: kept with it
      solveOp(b, [b.builtin("mul", [f, scale], {})], f32(3), { operator });
      return { g: b.builtin("sqrt", [f], {}) };
    });
    const out = dce.run(m);
    expect(verifyModule(out)).toEqual([]);
    expect(printModule(out)).toBe(
      lines(
        "func main() {",
        '  %0.f: f32[3] = input {name: "f"}',
        '  %1.unused: f32[3] = input {name: "unused"}',
        "  %8: f32[3] = abs(%0.f)",
        "  %9: f32[3] = mul(%0.f, %8)",
        '  %10: f32[3] = solve(%9) {method: "cg", options: {}, precond: null, stop: {atol: 0, maxIter: 1000, rtol: 1e-5}} label "u" {',
        "    operator(%4: f32[3]) {",
        "      %6: f32[] = const 2",
        "      %7: f32[3] = mul(%4, %6)",
        "      yield %7",
        "    }",
        "  }",
        "  %11: f32[3] = sqrt(%0.f)",
        "  export g = %11",
        "}",
      ),
    );
  });

  test("keeps loops and fixpoints whose results nobody reads: their reports are output", () => {
    expect([...KEPT_KINDS].sort()).toEqual(["call", "fixpoint", "input", "loop", "minimize", "param", "solve", "train"]);
    const m = mainModule((b) => {
      const x = b.const([1, 2], f32(2));
      fixpointOp(b, x, b.region([f32(2)], ([z]) => [b.builtin("tanh", [z], {})]));
      loopOp(b, [x], b.region([f32(2)], ([y]) => [y]));
      return {};
    });
    expect(mainOps(dce.run(m)).map(opName)).toEqual(["const", "fixpoint", "loop"]);
  });

  test("keeps the results of every function", () => {
    const m = mainModule((b) => ({ y: b.builtin("neg", [b.const(1)], {}) }));
    const main = m.funcs.get("main")!;
    m.funcs.set("f", { name: "f", body: main.body, sizeParams: [] });
    const out = dce.run({ ...m, exports: [] });
    expect(out.funcs.get("f")!.body.ops.length).toBe(2);
  });
});
