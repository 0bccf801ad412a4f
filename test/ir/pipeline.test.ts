import { describe, expect, test } from "vitest";
import { InternalError } from "../../base/diagnostics.js";
import type { Module } from "../../compiler/ir/ir.js";
import { printModule } from "../../compiler/ir/print.js";
import { DEFAULT_PASSES, defaultPasses, type Pass, runPipeline, UnknownPassError } from "../../compiler/passes/pipeline.js";
import { f32, mainModule } from "./helpers.js";

function sample(): Module {
  return mainModule((b) => {
    const x = b.input("x", f32(2));
    const two = b.builtin("add", [b.const(1), b.const(1)], {});
    const a = b.builtin("mul", [x, two], {});
    b.builtin("exp", [a], {});
    return { y: b.builtin("add", [b.builtin("mul", [x, b.const(2)], {}), a], {}) };
  });
}

const lines = (...ls: string[]) => ls.join("\n");

describe("runPipeline", () => {
  test("runs fold, licm, cse and dce in order; the input module is left as it was", () => {
    expect(DEFAULT_PASSES.map((p) => p.name)).toEqual(["fold", "licm", "cse", "dce"]);
    const m = sample();
    const before = printModule(m);
    const out = runPipeline(m, DEFAULT_PASSES, { verify: true });
    expect(printModule(m)).toBe(before);
    expect(printModule(out)).toBe(
      lines(
        "func main() {",
        '  %0.x: f32[2] = input {name: "x"}',
        "  %3: f32[] = const 2",
        "  %4: f32[2] = mul(%0.x, %3)",
        "  %8: f32[2] = add(%4, %4)",
        "  export y = %8",
        "}",
      ),
    );
  });

  test("dumps the IR after the named pass, or before any pass for `lower`", () => {
    const dumps: [string, string][] = [];
    const dump = (pass: string, text: string) => void dumps.push([pass, text]);
    runPipeline(sample(), DEFAULT_PASSES, { dumpAfter: "cse", dump });
    runPipeline(sample(), DEFAULT_PASSES, { dumpAfter: "lower", dump });
    expect(dumps.map(([p]) => p)).toEqual(["cse", "lower"]);
    expect(dumps[0][1]).toContain("%5: f32[2] = exp(%4)"); // dead, but dce has not run yet
    expect(dumps[1][1]).toBe(printModule(sample()));
  });

  test("a pass that breaks the IR is named in an InternalError with the verifier's messages", () => {
    const broken: Pass = { name: "break-things", run: (m) => ({ ...m, exports: [...m.exports, { name: "ghost", value: { id: 99, type: f32() } }] }) };
    const run = () => runPipeline(sample(), [...DEFAULT_PASSES, broken], { verify: true });
    expect(run).toThrow(InternalError);
    expect(run).toThrow("the pass `break-things` produced invalid IR:\n  in func main: export ghost: %99 is not defined at the top level of main");
    expect(() => runPipeline(sample(), [broken])).not.toThrow();
  });

  test("an unknown --dump-after stage is reported with the stages there are", () => {
    expect(() => runPipeline(sample(), DEFAULT_PASSES, { dumpAfter: "fuse" })).toThrow(UnknownPassError);
    expect(() => runPipeline(sample(), DEFAULT_PASSES, { dumpAfter: "fuse" })).toThrow("there is no pass `fuse`; the stages are: lower, fold, licm, cse, dce");
  });

  test("defaultPasses puts specialise first when it is given", () => {
    const specialise: Pass = { name: "specialise", run: (m) => m };
    expect(defaultPasses({ specialise }).map((p) => p.name)).toEqual(["specialise", "fold", "licm", "cse", "dce"]);
    expect(defaultPasses().map((p) => p.name)).toEqual(["fold", "licm", "cse", "dce"]);
  });
});
