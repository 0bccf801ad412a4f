import { describe, expect, test } from "vitest";
import { Builder } from "../../compiler/ir/builder.js";
import { type Module, ValueFactory } from "../../compiler/ir/ir.js";
import { printAttr, printFloat32, printModule, printNumber, printRegion } from "../../compiler/ir/print.js";
import { scalar } from "../../compiler/types.js";
import { RAISE } from "../../compiler/constructs.js";
import { f32, loopOp, mainModule, rawOp, t } from "./helpers.js";

/** The Poisson solve of DESIGN.md, specialised to 63×63, as lowering + specialise make it. */
function poisson(): Module {
  return mainModule((b) => {
    const f = b.input("f", f32(63, 63));
    const operator = b.region([{ type: f32(63, 63), hint: "u" }], ([u]) => {
      const s = b.builtin("stencil5", [u], { center: 4, side: -1, boundary: "zero" });
      return [b.builtin("mul", [s, b.const(4096)], {})];
    });
    const u = b.add([f32(63, 63)], (outputs) => ({ kind: "solve", inputs: [f], outputs, regions: { operator }, method: { name: "cg", construct: "solve", options: { rtol: 1e-6, maxiter: 2000 } }, stop: { rtol: 1e-6, atol: 0, maxIter: 2000 }, precond: null, onBackwardFail: RAISE, label: "u" }), ["u"])[0];
    return { u };
  });
}

describe("printModule", () => {
  test("prints one op per line, regions nested under their op, exports last", () => {
    expect(printModule(poisson())).toBe(
      [
        "func main() {",
        '  %0.f: f32[63, 63] = input {name: "f"}',
        '  %5.u: f32[63, 63] = solve(%0.f) {method: "cg", options: {maxiter: 2000, rtol: 1e-6}, precond: null, stop: {atol: 0, maxIter: 2000, rtol: 1e-6}} label "u" {',
        "    operator(%1.u: f32[63, 63]) {",
        '      %2: f32[63, 63] = stencil5(%1.u) {center: 4, side: -1, boundary: "zero"}',
        "      %3: f32[] = const 4096",
        "      %4: f32[63, 63] = mul(%2, %3)",
        "      yield %4",
        "    }",
        "  }",
        "  export u = %5.u",
        "}",
      ].join("\n"),
    );
  });

  test("prints loops with several outputs, counter and until regions, and called functions first", () => {
    const values = new ValueFactory();
    const fb = new Builder(values);
    const y = fb.param(f32(2), "y");
    const twice = { name: "twice<f32[2]>", body: fb.finish([fb.builtin("add", [y, y], {})]), sizeParams: [] };
    const m = mainModule((b) => {
      const x0 = b.const([1, 2], f32(2));
      const body = b.region([scalar("f32"), { type: f32(2), hint: "x" }], ([, x]) => [b.add([f32(2)], (outputs) => rawOp("call", [x], outputs, { callee: twice.name }))[0]]);
      const until = b.region([scalar("f32"), { type: f32(2), hint: "x" }], ([k]) => [b.builtin("gt", [k, b.const(3)], {})]);
      const [x] = loopOp(b, [x0], body, { until, counter: "k", maxIter: 10 });
      return { x };
    }, values);
    m.funcs.set(twice.name, twice);
    expect(printModule(m)).toBe(
      [
        "func twice<f32[2]>(%0.y: f32[2]) {",
        "  %1: f32[2] = add(%0.y, %0.y)",
        "  return %1",
        "}",
        "",
        "func main() {",
        "  %2: f32[2] = const [1, 2]",
        '  %10.x: f32[2] = loop(%2) {counted: true, counter: "k", maxIter: 10} label "x" {',
        "    body(%3: f32[], %4.x: f32[2]) {",
        '      %5: f32[2] = call(%4.x) {callee: "twice<f32[2]>"}',
        "      yield %5",
        "    }",
        "    until(%6: f32[], %7.x: f32[2]) {",
        "      %8: f32[] = const 3",
        "      %9: bool[] = gt(%6, %8)",
        "      yield %9",
        "    }",
        "  }",
        "  export x = %10.x",
        "}",
      ].join("\n"),
    );
  });

  test("prints a return line in main only when its results are not the exports", () => {
    const m = mainModule((b) => ({ a: b.const(1) }));
    const main = m.funcs.get("main")!;
    m.funcs.set("main", { ...main, body: { ...main.body, results: [] } });
    expect(printModule(m)).toBe(["func main() {", "  %0: f32[] = const 1", "  export a = %0", "}"].join("\n"));
  });

  test("is deterministic: the same module, built twice, prints the same", () => {
    expect(printModule(poisson())).toBe(printModule(poisson()));
  });

  test("printRegion prints a region on its own, indented", () => {
    const b = new Builder(new ValueFactory());
    const r = b.region([f32(3)], ([x]) => [b.builtin("neg", [x], {})]);
    expect(printRegion(r, "map", 1)).toBe(["  map(%0: f32[3]) {", "    %1: f32[3] = neg(%0)", "    yield %1", "  }"].join("\n"));
  });
});

describe("numbers and attributes", () => {
  test("numbers print in the shortest form that reads back", () => {
    expect([1e-6, 4096, 0.5, -0.25, 1e21, 123456789, 2.5e-5].map(printNumber)).toEqual(["1e-6", "4096", "0.5", "-0.25", "1e21", "123456789", "2.5e-5"]);
    expect([NaN, Infinity, -Infinity, -0, 0].map(printNumber)).toEqual(["nan", "inf", "-inf", "-0", "0"]);
  });

  test("float32 constants print with just enough digits to round-trip float32", () => {
    expect(printFloat32(Math.fround(0.1))).toBe("0.1");
    expect(printFloat32(Math.fround(1 / 3))).toBe("0.33333334");
    expect(Math.fround(Number(printFloat32(Math.fround(Math.PI))))).toBe(Math.fround(Math.PI));
    const m = mainModule((b) => ({ a: b.const(Math.fround(0.1)), i: b.const(16777217, t("i32")), m: b.const([[1, 2], [3, 4]], f32(2, 2)) }));
    expect(printModule(m)).toContain("%0: f32[] = const 0.1\n  %1: i32[] = const 16777217\n  %2: f32[2, 2] = const [[1, 2], [3, 4]]");
  });

  test("records sort their keys, quote keys that are not identifiers, and escape strings", () => {
    expect(printAttr({ z: 1, a: [true, null], "two words": 'say "hi"', m: { y: 2, x: 1 } })).toBe('{a: [true, null], m: {x: 1, y: 2}, "two words": "say \\"hi\\"", z: 1}');
  });

  test("statics print in their own order; empty ones print nothing", () => {
    const m = mainModule((b) => {
      const x = b.input("x", f32(4, 4));
      const s = b.add([f32(4, 4)], (outputs) => rawOp("stencil5", [x], outputs, { statics: { side: -1, center: 4, boundary: "zero" } }))[0];
      return { s, n: b.builtin("neg", [s], {}) };
    });
    const text = printModule(m);
    expect(text).toContain('%1: f32[4, 4] = stencil5(%0.x) {side: -1, center: 4, boundary: "zero"}');
    expect(text).toContain("%2: f32[4, 4] = neg(%1)\n");
  });
});
