import { describe, expect, test } from "vitest";
import { opName } from "../../compiler/ir/ir.js";
import type { Module } from "../../compiler/ir/ir.js";
import { printModule } from "../../compiler/ir/print.js";
import { verifyModule } from "../../compiler/ir/verify.js";
import { allOps, isPure } from "../../compiler/ops/index.js";
import { cse } from "../../compiler/passes/cse.js";
import { compileSource } from "../../compiler/compile.js";
import { walkOps } from "../../compiler/ir/ir.js";
import { scalar } from "../../compiler/types.js";
import { f32, fixpointOp, mainModule, mainOps, rawOp, t } from "./helpers.js";

function merged(m: Module): Module {
  const out = cse.run(m);
  expect(verifyModule(out)).toEqual([]);
  return out;
}

const lines = (...ls: string[]) => ls.join("\n");

describe("cse", () => {
  test("merges identical pure ops; commutative ones in either order", () => {
    const m = mainModule((b) => {
      const x = b.input("x", f32(3));
      const a = b.builtin("mul", [x, b.const(2)], {});
      const c = b.builtin("mul", [b.const(2), x], {});
      const d = b.builtin("sub", [a, c], {});
      return { d, e: b.builtin("sub", [c, a], {}) };
    });
    expect(printModule(merged(m))).toBe(
      lines(
        "func main() {",
        '  %0.x: f32[3] = input {name: "x"}',
        "  %1: f32[] = const 2",
        "  %2: f32[3] = mul(%0.x, %1)",
        "  %5: f32[3] = sub(%2, %2)",
        "  export d = %5",
        "  export e = %5",
        "}",
      ),
    );
  });

  test("a region reuses an equivalent value of an enclosing region, never the reverse or a sibling's", () => {
    const m = mainModule((b) => {
      const x = b.input("x", f32(2));
      const ex = b.builtin("exp", [x], {});
      const map = () =>
        b.region([f32(2)], ([z]) => {
          const inner = b.builtin("exp", [x], {}); // the same as the outer %2: reused
          const own = b.builtin("tanh", [x], {}); // only here: stays
          return [b.builtin("add", [b.builtin("add", [z, inner], {}), own], {})];
        });
      const z1 = fixpointOp(b, ex, map(), 3);
      const z2 = fixpointOp(b, ex, map(), 3);
      return { z1, z2, after: b.builtin("tanh", [x], {}) };
    });
    expect(printModule(merged(m))).toBe(
      lines(
        "func main() {",
        '  %0.x: f32[2] = input {name: "x"}',
        "  %1: f32[2] = exp(%0.x)",
        '  %7: f32[2] = fixpoint(%1) {grad: "implicit", method: "picard", options: {}, stop: {atol: 0, maxIter: 3, rtol: 1e-5}} label "z" {',
        "    map(%2: f32[2]) {",
        "      %4: f32[2] = tanh(%0.x)",
        "      %5: f32[2] = add(%2, %1)",
        "      %6: f32[2] = add(%5, %4)",
        "      yield %6",
        "    }",
        "  }",
        '  %13: f32[2] = fixpoint(%1) {grad: "implicit", method: "picard", options: {}, stop: {atol: 0, maxIter: 3, rtol: 1e-5}} label "z" {',
        "    map(%8: f32[2]) {",
        "      %10: f32[2] = tanh(%0.x)",
        "      %11: f32[2] = add(%8, %1)",
        "      %12: f32[2] = add(%11, %10)",
        "      yield %12",
        "    }",
        "  }",
        "  %14: f32[2] = tanh(%0.x)",
        "  export z1 = %7",
        "  export z2 = %13",
        "  export after = %14",
        "}",
      ),
    );
  });

  test("never merges inputs, params, random initialisers, or constructs with no source construct", () => {
    expect(allOps().filter((r) => !isPure(r)).map((r) => r.name).sort()).toEqual(["glorot", "he", "normal", "orthogonal", "uniform"]);
    const m = mainModule((b) => {
      const statics = { dims: [2], std: 1, mean: 0, seed: 0 };
      const [w1, w2] = [b.builtin("normal", [], statics), b.builtin("normal", [], statics)];
      const [i1, i2] = [b.input("x", f32(2)), b.input("x", f32(2))];
      const param = () => b.add([f32(2)], (outputs) => rawOp("param", [w1], outputs, { name: "w" }))[0];
      const [p1, p2] = [param(), param()];
      const map = () => b.region([f32(2)], ([z]) => [z]);
      const [z1, z2] = [fixpointOp(b, w1, map()), fixpointOp(b, w1, map())];
      return { w1, w2, i1, i2, p1, p2, z1, z2 };
    });
    expect(mainOps(merged(m)).length).toBe(8);
  });

  test("keeps apart constants that differ in dtype, shape, or only in the sign of zero", () => {
    const m = mainModule((b) => ({
      a: b.const(0),
      b: b.const(-0),
      c: b.const(0, t("i32")),
      d: b.const([0], f32(1)),
      e: b.const(0, scalar("f32")),
    }));
    expect(mainOps(merged(m)).map((o) => o.outputs[0].id)).toEqual([0, 1, 2, 3]);
    expect(merged(m).exports.map((e) => e.value.id)).toEqual([0, 1, 2, 3, 0]);
  });

  test("ops with different statics are different", () => {
    const m = mainModule((b) => {
      const x = b.input("x", f32(2, 2));
      return { s0: b.builtin("sum", [x], { axis: 0, keepdims: false }), s1: b.builtin("sum", [x], { axis: 1, keepdims: false }), s2: b.builtin("sum", [x], { keepdims: false, axis: 1 }) };
    });
    expect(mainOps(merged(m)).map(opName)).toEqual(["input", "sum", "sum"]);
  });

  describe("iterative constructs", () => {
    /** The labels of the fixpoints (and their adjoints) left in the compiled program. */
    function constructs(body: string): string[] {
      const source = `dim n = 4\nlet W = 0.5 * orthogonal(n, n, seed: 1)\nlet a = normal(n, seed: 2)\nlet b = normal(n, seed: 3)\n${body}`;
      const { module, diagnostics } = compileSource(source, { file: "t.iter" });
      expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      return [...walkOps(module!.funcs.get("main")!.body)].filter((o) => o.kind === "fixpoint").map((o) => (o.kind === "fixpoint" ? o.label : ""));
    }
    const zOf = "op z_of(c: f32[n]) {\n  fixpoint z: f32[n] = tanh(W @ z + c)\n  return z\n}\n";

    test("two instances of one source construct with the same inputs run once", () => {
      expect(constructs(`${zOf}export p = z_of(a)\nexport q = 2 * z_of(a)`)).toEqual(["z"]);
    });

    test("a value and its gradient share the forward construct; two gradients at one point share the adjoint", () => {
      const loss = "op loss(W1: f32[n, n], c: f32[n]) {\n  fixpoint z: f32[n] = tanh(W1 @ z + c)\n  return sum(z^2)\n}\n";
      expect(constructs(`${loss}export L = loss(W, a)\nexport gW = grad(V => loss(V, a), W)\nexport gc = grad(c => loss(W, c), a)`)).toEqual(["z", "zᵀ"]);
    });

    test("different inputs, or different source constructs, stay apart", () => {
      expect(constructs(`${zOf}export p = z_of(a)\nexport q = z_of(b)`)).toEqual(["z", "z"]);
      expect(constructs("fixpoint z: f32[n] = tanh(W @ z + a)\nfixpoint y: f32[n] = tanh(W @ y + a)\nexport z\nexport y")).toEqual(["z", "y"]);
    });

    test("a construct whose region draws random numbers is never merged", () => {
      const noisy = "op z_of(c: f32[n]) {\n  fixpoint z: f32[n] = 0.5 * z + c + 0.0 * normal(n, seed: 9)\n  return z\n}\n";
      expect(constructs(`${noisy}export p = z_of(a)\nexport q = z_of(a)`)).toEqual(["z", "z"]);
    });
  });
});
