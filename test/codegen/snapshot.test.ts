// The generated code of two small programs, kept as files next to this test: a fixpoint with an
// input and an input with a default (anderson-small), and a counted loop carrying two values
// (newton-schulz-small). A change to the code generator shows here as a readable diff.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/codegen/index.js";

const program = (name: string) => readFileSync(new URL(`./programs/${name}.iter`, import.meta.url), "utf8");

describe("generated code", () => {
  it.each(["anderson-small", "newton-schulz-small"])("%s", async (name) => {
    const out = await compile(program(name), { filename: `${name}.iter` });
    expect(out.diagnostics).toEqual([]);
    await expect(out.code).toMatchFileSnapshot(`./__snapshots__/${name}.ts.txt`);
  });
});
