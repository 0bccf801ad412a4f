import { describe, expect, test } from "vitest";
import { Builder } from "../../compiler/ir/builder.js";
import { InternalError } from "../../base/diagnostics.js";
import { type Module, type Value, ValueFactory, opName } from "../../compiler/ir/ir.js";
import { printModule, printRegion } from "../../compiler/ir/print.js";
import { cloneRegion, freshValues, maxValueId, replaceAllUses } from "../../compiler/ir/substitute.js";
import { verifyModule } from "../../compiler/ir/verify.js";
import { f32, fixpointOp, mainModule } from "./helpers.js";

describe("Builder", () => {
  test("builtin takes its result type from the shape rule, with broadcasting", () => {
    const b = new Builder(new ValueFactory());
    const x = b.param(f32(2, 3));
    const y = b.builtin("add", [x, b.const([1, 2, 3], f32(3))], {});
    expect(y.type).toEqual(f32(2, 3));
    expect(b.builtin("sum", [y], { axis: 0, keepdims: false }).type).toEqual(f32(3));
  });

  test("a shape rule's rejection is a compiler bug, reported as an InternalError", () => {
    const b = new Builder(new ValueFactory());
    const x = b.param(f32(2));
    expect(() => b.builtin("add", [x, b.param(f32(3))], {})).toThrow(InternalError);
    expect(() => b.builtin("no_such_op", [x], {})).toThrow("there is no builtin `no_such_op`");
  });

  test("region collects its own ops; finish gives the outer ones", () => {
    const b = new Builder(new ValueFactory());
    const x = b.param(f32(2), "x");
    const map = b.region([{ type: f32(2), hint: "z" }], ([z]) => [b.builtin("tanh", [b.builtin("add", [z, x], {})], {})]);
    const out = fixpointOp(b, x, map, 3, "z");
    const body = b.finish([out]);
    expect(body.ops.map(opName)).toEqual(["fixpoint"]);
    expect(printRegion(body, "f")).toBe(
      [
        "f(%0.x: f32[2]) {",
        '  %4: f32[2] = fixpoint(%0.x) {grad: "implicit", method: "picard", options: {}, stop: {atol: 0, maxIter: 3, rtol: 1e-5}} label "z" {',
        "    map(%1.z: f32[2]) {",
        "      %2: f32[2] = add(%1.z, %0.x)",
        "      %3: f32[2] = tanh(%2)",
        "      yield %3",
        "    }",
        "  }",
        "  yield %4",
        "}",
      ].join("\n"),
    );
  });

  test("finish inside a region is a bug", () => {
    const b = new Builder(new ValueFactory());
    expect(() => b.region([f32()], () => [b.finish([]).results[0]])).toThrow(InternalError);
  });
});

describe("substitute", () => {
  function sample(): { m: Module; x: Value } {
    let x!: Value;
    const m = mainModule((b) => {
      x = b.input("x", f32(2));
      const map = b.region([f32(2)], ([z]) => [b.builtin("mul", [b.builtin("add", [z, x], {}), b.const(0.5)], {})]);
      return { y: fixpointOp(b, x, map, 2) };
    });
    return { m, x };
  }

  test("cloneRegion gives every definition a fresh id, maps the seeded uses, and records the mapping", () => {
    const { m, x } = sample();
    const main = m.funcs.get("main")!;
    const values = freshValues(m);
    const x2: Value = values.value(f32(2), "x2");
    const map = new Map<number, Value>([[x.id, x2]]);
    const clone = cloneRegion({ params: [], ops: main.body.ops.slice(1), results: main.body.results }, map, values);
    expect(printRegion(clone, "clone")).toBe(
      [
        "clone() {",
        '  %11: f32[2] = fixpoint(%6.x2) {grad: "implicit", method: "picard", options: {}, stop: {atol: 0, maxIter: 2, rtol: 1e-5}} label "z" {',
        "    map(%7: f32[2]) {",
        "      %8: f32[2] = add(%7, %6.x2)",
        "      %9: f32[] = const 0.5",
        "      %10: f32[2] = mul(%8, %9)",
        "      yield %10",
        "    }",
        "  }",
        "  yield %11",
        "}",
      ].join("\n"),
    );
    expect(map.get(main.body.results[0].id)?.id).toBe(11);
    expect(printModule(m)).toBe(printModule(sample().m)); // the original is untouched
  });

  test("a cloned region verifies in place of the original", () => {
    const { m } = sample();
    const main = m.funcs.get("main")!;
    const body = cloneRegion(main.body, new Map(), freshValues(m));
    const cloned: Module = { funcs: new Map([["main", { ...main, body }]]), exports: [{ name: "y", value: body.results[0] }] };
    expect(verifyModule(cloned)).toEqual([]);
    expect(maxValueId(cloned)).toBe(11);
  });

  test("replaceAllUses replaces uses in nested regions and results, not definitions", () => {
    const { m, x } = sample();
    const main = m.funcs.get("main")!;
    const w = freshValues(m).value(f32(2), "w");
    const replaced = replaceAllUses(main.body, x, w);
    const text = printRegion(replaced, "main");
    expect(text).toContain('%0.x: f32[2] = input {name: "x"}');
    expect(text).toContain("fixpoint(%6.w)");
    expect(text).toContain("add(%1, %6.w)");
    expect(printRegion(main.body, "main")).not.toContain("%6");
  });
});
