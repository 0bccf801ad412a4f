// Random programs through the checker (and, where every size has a value, lowering): whatever
// the program, the answer is diagnostics, never an exception — a throw here is a compiler bug.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/compile.js";
import { format } from "../../grammar/format.js";
import { programArb } from "../grammar/arbitrary.js";

describe("the checker on random programs", () => {
  it("returns diagnostics and never throws", () => {
    fc.assert(
      fc.property(programArb, (program) => {
        const source = format(program);
        const result = checkSource(source, { file: "random.iter" });
        expect(Array.isArray(result.diagnostics)).toBe(true);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe("the examples with their numbers changed", () => {
  const dir = join(import.meta.dirname, "..", "..", "examples");
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith(".iter"))
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8"));
  const numbers = fc.constantFrom("0", "1", "2", "3", "-1", "0.5", "1e-9", "1e9", "7", "64", "1000");

  it("check (which lowers when every size has a value) answers with diagnostics, never a throw", () => {
    fc.assert(
      fc.property(fc.nat(sources.length - 1), fc.nat(), numbers, (which, pick, replacement) => {
        const source = sources[which];
        const spots = [...source.matchAll(/(?<![\w.])\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.])/g)];
        if (spots.length === 0) return;
        const spot = spots[pick % spots.length];
        const mutated = source.slice(0, spot.index) + replacement + source.slice(spot.index! + spot[0].length);
        const result = checkSource(mutated, { file: "mutated.iter" });
        expect(Array.isArray(result.diagnostics)).toBe(true);
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});
