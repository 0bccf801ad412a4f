import { describe, expect, test } from "vitest";
import { Builder } from "../../compiler/ir/builder.js";
import { type Module, type Region, type Value, ValueFactory } from "../../compiler/ir/ir.js";
import { verifyModule } from "../../compiler/ir/verify.js";
import { scalar } from "../../compiler/types.js";
import { f32, fixpointOp, loopOp, mainModule, rawOp, solveOp, t } from "./helpers.js";

/** A module whose main is exactly these ops, exporting `exports`. */
function module(ops: ReturnType<typeof rawOp>[], exports: Record<string, Value> = {}, params: Value[] = []): Module {
  const ex = Object.entries(exports).map(([name, value]) => ({ name, value }));
  return { funcs: new Map([["main", { name: "main", body: { params, ops, results: ex.map((e) => e.value) }, sizeParams: [] }]]), exports: ex };
}

const region = (params: Value[], ops: ReturnType<typeof rawOp>[], results: Value[]): Region => ({ params, ops, results });

describe("verifyModule", () => {
  test("accepts a well-formed module with nested regions and implicit capture", () => {
    const m = mainModule((b) => {
      const f = b.input("f", f32(4, 4));
      const h = b.const(25);
      const op = b.region([f32(4, 4)], ([u]) => [b.builtin("mul", [b.builtin("stencil5", [u], { center: 4, side: -1, boundary: "zero" }), h], {})]);
      const pre = b.region([f32(4, 4)], ([r]) => [b.builtin("div", [r, b.const(100)], {})]);
      const u = solveOp(b, [f, f], f32(4, 4), { operator: op, precond: pre });
      const map = b.region([f32(4, 4)], ([z]) => [b.builtin("tanh", [b.builtin("add", [z, u], {})], {})]);
      const z = fixpointOp(b, u, map, 5);
      const body = b.region([scalar("f32"), f32(4, 4)], ([, y]) => [b.builtin("mul", [y, h], {})]);
      const until = b.region([scalar("f32"), f32(4, 4)], ([k]) => [b.builtin("gt", [k, h], {})]);
      const [y] = loopOp(b, [z], body, { until, counter: "k", maxIter: 3 });
      return { u, z, y };
    });
    expect(verifyModule(m)).toEqual([]);
  });

  test("every value is defined once", () => {
    const v = new ValueFactory();
    const x = v.value(f32());
    expect(verifyModule(module([rawOp("const", [], [x], { value: 1 }), rawOp("const", [], [x], { value: 2 })], { x }))).toEqual([
      "in func main: op #1 (const): %0 is defined twice (first by op #0 (const) in func main)",
    ]);
  });

  test("a use must come after its definition", () => {
    const v = new ValueFactory();
    const [x, y] = [v.value(f32()), v.value(f32())];
    expect(verifyModule(module([rawOp("neg", [y], [x]), rawOp("const", [], [y], { value: 1 })], { x }))).toEqual([
      "in func main: op #0 (neg): %1 is used before its definition",
    ]);
  });

  test("a value of a nested region is not visible outside it", () => {
    const v = new ValueFactory();
    const [x0, p, inner, out, leak] = [v.value(f32()), v.value(f32()), v.value(f32()), v.value(f32()), v.value(f32())];
    const map = region([p], [rawOp("neg", [p], [inner])], [inner]);
    const ops = [rawOp("const", [], [x0], { value: 0 }), rawOp("fixpoint", [x0], [out], {}, [map]), rawOp("exp", [inner], [leak])];
    expect(verifyModule(module(ops, { leak }))).toEqual(["in func main: op #2 (exp): %2 is not defined in this region or an enclosing one"]);
  });

  test("a region's results and the exports must be in scope", () => {
    const v = new ValueFactory();
    const [x0, p, later, out] = [v.value(f32()), v.value(f32()), v.value(f32()), v.value(f32())];
    const map = region([p], [], [later]);
    const ops = [rawOp("const", [], [x0], { value: 0 }), rawOp("fixpoint", [x0], [out], {}, [map]), rawOp("const", [], [later], { value: 1 })];
    const stray = v.value(f32());
    expect(verifyModule({ ...module(ops, { out }), exports: [{ name: "out", value: out }, { name: "stray", value: stray }] })).toEqual([
      "in func main: op #1 (fixpoint) / map / result: %2 is used before its definition",
      "in func main: export stray: %4 is not defined at the top level of main",
    ]);
  });

  test("functions do not capture: a value of main is not visible in another function", () => {
    const v = new ValueFactory();
    const [x, y] = [v.value(f32()), v.value(f32())];
    const m = module([rawOp("const", [], [x], { value: 1 })], { x });
    m.funcs.set("f", { name: "f", body: region([], [rawOp("neg", [x], [y])], [y]), sizeParams: [] });
    expect(verifyModule(m)).toEqual(["in func f: op #0 (neg): %0 is not defined in this region or an enclosing one"]);
  });

  test("input and const take no inputs; param takes its initial value", () => {
    const v = new ValueFactory();
    const [a, b, c, d] = [v.value(f32()), v.value(f32()), v.value(f32()), v.value(f32())];
    const ops = [rawOp("input", [], [a], { name: "a" }), rawOp("param", [a], [b], { name: "b" }), rawOp("const", [a], [c], { value: 1 }), rawOp("param", [], [d], { name: "d" })];
    expect(verifyModule(module(ops, { c, d }))).toEqual(["in func main: op #2 (const): has 1 inputs, expected 0", "in func main: op #3 (param): has 0 inputs, expected 1", "in func main: op #3 (param): has 1 outputs, expected 0"]);
  });

  test("a const's value fits its type", () => {
    const v = new ValueFactory();
    const [a, b] = [v.value(f32(2, 2)), v.value(f32(3))];
    const ops = [rawOp("const", [], [a], { value: [1, 2, 3, 4] }), rawOp("const", [], [b], { value: [1, 2, 3] })];
    expect(verifyModule(module(ops, { a, b }))).toEqual(["in func main: op #0 (const): has the value [1, 2, 3, 4], which does not fit its type f32[2, 2]"]);
  });

  test("a builtin's output type is what its shape rule gives", () => {
    const v = new ValueFactory();
    const [a, b, s] = [v.value(f32(2, 3)), v.value(f32(3)), v.value(f32(3))];
    const ops = [rawOp("const", [], [a], { value: [[1, 2, 3], [4, 5, 6]] }), rawOp("const", [], [b], { value: [1, 2, 3] }), rawOp("add", [a, b], [s], { statics: {} })];
    expect(verifyModule(module(ops, { s }))).toEqual(["in func main: op #2 (add): gives f32[3], but its shape rule gives f32[2, 3] for (f32[2, 3], f32[3])"]);
  });

  test("a builtin's shape rule must accept its inputs", () => {
    const v = new ValueFactory();
    const [a, b, s] = [v.value(f32(2)), v.value(f32(3)), v.value(f32(3))];
    const ops = [rawOp("const", [], [a], { value: [1, 2] }), rawOp("const", [], [b], { value: [1, 2, 3] }), rawOp("add", [a, b], [s])];
    expect(verifyModule(module(ops, { s }))).toEqual([
      "in func main: op #2 (add): rejects (f32[2], f32[3]): `add` needs shapes that broadcast: the shapes [2] and [3] do not broadcast (2 vs 3)",
    ]);
  });

  test("an opcode is structural or a builtin", () => {
    const v = new ValueFactory();
    const a = v.value(f32());
    expect(verifyModule(module([rawOp("frobnicate", [], [a])], { a }))).toEqual(["in func main: op #0 (frobnicate): rejects (): there is no builtin `frobnicate`"]);
  });

  describe("loop", () => {
    function loop(bodyParams: Value[], bodyResults: Value[], extra: { counter?: string; until?: Region; outputs?: Value[] } = {}) {
      const v = new ValueFactory();
      v.reserve(100);
      const x0 = v.value(f32(2));
      const out = extra.outputs ?? [v.value(f32(2))];
      const attrs = { counter: extra.counter ?? null, maxIter: 3 };
      const regions = [region(bodyParams, [], bodyResults), ...(extra.until ? [extra.until] : [])];
      return verifyModule(module([rawOp("const", [], [x0], { value: [0, 0] }), rawOp("loop", [x0], out, attrs, regions)]));
    }
    const v = new ValueFactory();
    const [k, x, y, cond, big, x2] = [v.value(scalar("f32")), v.value(f32(2)), v.value(f32(3)), v.value(t("bool")), v.value(f32(2)), v.value(f32(2))];

    test("accepts body params = carried values, with the counter first when there is one", () => {
      expect(loop([x], [x])).toEqual([]);
      expect(loop([k, x], [x], { counter: "k" })).toEqual([]);
    });

    test("body params must be the carried values (after the counter)", () => {
      expect(loop([x], [x], { counter: "k" })).toEqual([
        "in func main: op #1 (loop): body region's counter %1 is f32[2], expected a scalar",
        "in func main: op #1 (loop): has 0 body region params after the counter, expected 1",
      ]);
      expect(loop([y], [y])).toEqual([
        "in func main: op #1 (loop): body region params 0 (%2) is f32[3], expected f32[2]",
        "in func main: op #1 (loop): body region results 0 (%2) is f32[3], expected f32[2]",
      ]);
    });

    test("body results are the carried values, and the outputs have their types", () => {
      expect(loop([x], [x, x])).toEqual(["in func main: op #1 (loop): has 2 body region results, expected 1"]);
      expect(loop([x], [x], { outputs: [big, big] })).toContain("in func main: op #1 (loop): has 2 outputs, expected 1");
    });

    test("the until region yields one bool scalar", () => {
      const isTrue = rawOp("const", [], [cond], { value: 1 });
      expect(loop([x], [x], { until: region([x2], [isTrue], [cond]) })).toEqual([]);
      expect(loop([x], [x], { until: region([x2], [], [x2]) })).toEqual(["in func main: op #1 (loop): until region yields f32[2], expected bool[]"]);
    });
  });

  test("fixpoint: the map region maps the init's type to itself", () => {
    const v = new ValueFactory();
    const [x0, p, q, out] = [v.value(f32(2)), v.value(f32(3)), v.value(f32(3)), v.value(f32(2))];
    const ops = [rawOp("const", [], [x0], { value: [0, 0] }), rawOp("fixpoint", [x0], [out], {}, [region([p], [], [q])])];
    expect(verifyModule(module(ops))).toEqual([
      "in func main: op #1 (fixpoint) / map / result: %2 is not defined in this region or an enclosing one",
      "in func main: op #1 (fixpoint): map region params 0 (%1) is f32[3], expected f32[2]",
      "in func main: op #1 (fixpoint): map region results 0 (%2) is f32[3], expected f32[2]",
    ]);
  });

  test("solve: the operator maps unknown to rhs, the precond rhs to unknown", () => {
    const v = new ValueFactory();
    const [rhs, u, w, r, out] = [v.value(f32(3)), v.value(f32(3)), v.value(f32(2)), v.value(f32(2)), v.value(f32(3))];
    const operator = region([u], [rawOp("sum", [u], [w], { statics: { axis: null, keepdims: false } })], [w]);
    const precond = region([r], [], [r]);
    const ops = [rawOp("const", [], [rhs], { value: [1, 2, 3] }), rawOp("solve", [rhs], [out], { method: "cg" }, [operator, precond])];
    const errors = verifyModule(module(ops, { out }));
    expect(errors).toContain("in func main: op #1 (solve): operator region results 0 (%2) is f32[2], expected f32[3]");
    expect(errors).toContain("in func main: op #1 (solve): precond region params 0 (%3) is f32[2], expected f32[3]");
    expect(errors).toContain("in func main: op #1 (solve): precond region results 0 (%3) is f32[2], expected f32[3]");
  });

  test("call: the callee exists and agrees with the call", () => {
    const v = new ValueFactory();
    const [a, out, p] = [v.value(f32(2)), v.value(f32(2)), v.value(f32(3))];
    const m = module([rawOp("const", [], [a], { value: [1, 2] }), rawOp("call", [a], [out], { callee: "g" })], { out });
    expect(verifyModule(m)).toEqual(["in func main: op #1 (call): calls `g`, which is not a function of the module"]);
    m.funcs.set("g", { name: "g", body: region([p], [], [p]), sizeParams: [] });
    expect(verifyModule(m)).toEqual([
      "in func main: op #1 (call): inputs 0 (%0) is f32[2], expected f32[3]",
      "in func main: op #1 (call): outputs 0 (%1) is f32[2], expected f32[3]",
    ]);
  });

  test("a function built by a Builder passes", () => {
    const b = new Builder(new ValueFactory());
    const x = b.param(f32(3), "x");
    const body = b.finish([b.builtin("exp", [x], {})]);
    expect(verifyModule({ funcs: new Map([["f", { name: "f", body, sizeParams: [] }]]), exports: [] })).toEqual([]);
  });
});
