// A generated module's boundary: inputs are plain typed arrays, checked against the signature
// before anything runs (a wrong rank, shape or dtype names the input, the shape expected and
// the shape given); an input with a default may be left out; given inputs give what
// `iterc run` gives with the same data.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/codegen/index.js";
import { evaluate, type LoadedModule } from "../../runtime/load.js";
import { InputError } from "../../runtime/module/boundary.js";
import { runSource } from "../../runtime/run.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";

const source = readFileSync(new URL("./programs/anderson-small.iter", import.meta.url), "utf8");
const W = { shape: [4, 4] as const, data: Float32Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 0.3 : 0.05)) };
let module: LoadedModule;

beforeAll(async () => {
  await selectBackend("cpu");
  const out = await compile(source, { filename: "anderson-small.iter" });
  module = await evaluate(out.code!);
});

describe("the inputs of a generated module", () => {
  it("the signature lists each input and output with its dtype, shape, and whether it may be omitted", () => {
    expect(module.signature).toEqual({
      file: "anderson-small.iter",
      inputs: [
        { name: "W", dtype: "f32", shape: [4, 4], optional: false },
        { name: "b", dtype: "f32", shape: [4], optional: true },
      ],
      outputs: [
        { name: "x", dtype: "f32", shape: [4] },
        { name: "defect", dtype: "f32", shape: [] },
      ],
    });
  });

  it("an omitted input takes its default; a given one is used; both equal `iterc run` with the same data", async () => {
    const b = { shape: [4] as const, data: Float32Array.from([1, -1, 0.5, 0]) };
    const cases: Record<string, typeof W | typeof b>[] = [{ W }, { W, b }];
    for (const given of cases) {
      const inputs = new Map(Object.entries(given).map(([k, v]) => [k, { dtype: "float32" as const, shape: [...v.shape], data: v.data }]));
      const reference = await runSource(source, { file: "anderson-small.iter", inputs, backend: "cpu" });
      const out = await module.run(given, { backend: "cpu" });
      expect([...out.values.x.data]).toEqual([...reference.exports[0].data]);
      expect(out.reports.map((r) => [r.name, r.iterations, r.reason])).toEqual(reference.reports.map((r) => [r.name, r.iterations, r.reason]));
    }
  });

  it.each([
    ["a missing input", {}, /input `W` \(f32\[4, 4\]\) .* is missing/],
    ["the wrong rank", { W: { shape: [16], data: W.data } }, /`W` should be f32\[4, 4\], shape \[4, 4\], but it was given shape \[16\]/],
    ["the wrong shape", { W: { shape: [2, 8], data: W.data } }, /`W` should be f32\[4, 4\], shape \[4, 4\], but it was given shape \[2, 8\]/],
    ["the wrong dtype", { W: { shape: [4, 4], data: new Int32Array(16) } }, /`W` should be f32\[4, 4\]: its data should be a Float32Array, but it is a Int32Array/],
    ["too few values", { W: { shape: [4, 4], data: new Float32Array(15) } }, /shape \[4, 4\] holds 16 values, but its data has 15/],
    ["plain numbers", { W: { shape: [4, 4], data: [1, 2] } }, /its data should be a Float32Array, but it is an array of 2/],
    ["an unknown input, with a suggestion", { W, bb: W }, /has no input `bb`; did you mean `b`\?/],
    ["not an object", [W], /given as one object keyed by input name, not as an array/],
  ])("%s: an InputError that says which input and what was expected", async (_what, inputs, message) => {
    const error = await module.run(inputs as never, { backend: "cpu" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
  });
});
