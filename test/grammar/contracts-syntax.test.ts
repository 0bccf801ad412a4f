// The syntax of contracts: `check ... for x ~ d, n = 8` and structure tags `op A(...) is spd`.
// Parsed into their AST nodes, printed in canonical form, and the mistakes said in words.
import { describe, expect, it } from "vitest";
import type * as A from "../../grammar/ast.js";
import { format } from "../../grammar/format.js";
import { parse } from "../../grammar/parse.js";

const lines = (...ls: string[]): string => ls.join("\n") + "\n";

function program(source: string): A.Program {
  const { program, diagnostics } = parse(source, "t.iter");
  expect(diagnostics.map((d) => d.message)).toEqual([]);
  return program;
}

const messages = (source: string) => parse(source, "t.iter").diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.message}`);

describe("check ... for", () => {
  it("reads distributions, types and sizes, on one line or on several", () => {
    const p = program(lines("check contractive(z => tanh(W @ z), below: 1) for z: f32[N] ~ normal(std: 2), n = 8", "  for W ~ uniform()"));
    const c = p.decls[0] as A.CheckDecl;
    expect(c.kind).toBe("Check");
    expect(c.given.map((g) => [g.name.name, g.type?.kind ?? null, g.draw?.kind ?? null, g.value?.kind ?? null])).toEqual([
      ["z", "TensorType", "Call", null],
      ["n", null, null, "Number"],
      ["W", null, "Call", null],
    ]);
  });

  it("prints one `for` per line when there are two or more", () => {
    const src = lines("check fro(W) < 1 for W ~ normal(std: 0.1), n = 8");
    expect(format(program(src))).toBe(lines("check fro(W) < 1", "  for W ~ normal(std: 0.1)", "  for n = 8"));
    expect(format(program(lines("check fro(W)<1 for W~normal()")))).toBe(lines("check fro(W) < 1 for W ~ normal()"));
  });

  it("`for` continues only a check: elsewhere it starts a line, with the habit's hint", () => {
    const { diagnostics } = parse(lines("let a = 1", "for i in x"), "t.iter");
    expect(diagnostics[0].hint).toMatch(/loop k < n/);
  });

  it("`for` stays a name", () => {
    expect(program(lines("let for = 1", "let is = for + 1")).decls).toHaveLength(2);
  });

  it("a binding that says nothing, and a size with a type, are errors", () => {
    expect(messages(lines("check fro(W) < 1 for W"))).toEqual(["1:22 `for W` says nothing about `W`."]);
    expect(messages(lines("check fro(W) < 1 for n: f32 = 8"))[0]).toMatch(/a size has no type/);
  });
});

describe("structure tags", () => {
  it("an op declares what it is after its signature", () => {
    const p = program(lines("op A(u: f32[n, n]) -> f32[n, n] is spd, contractive(0.9) = stencil5(u, center: 4, side: -1)"));
    const op = p.decls[0] as A.OpDecl;
    expect(op.tags.map((t) => [t.name.name, t.args?.length ?? null])).toEqual([
      ["spd", null],
      ["contractive", 1],
    ]);
  });

  it("prints tags after the result type, before the body", () => {
    const src = lines("op T(x: f32[n])  is   nonexpansive {", "  return x", "}", "op A(u)is spd=u");
    expect(format(program(src))).toBe(lines("op T(x: f32[n]) is nonexpansive {", "  return x", "}", "", "op A(u) is spd = u"));
  });

  it("`is` with no tag is an error", () => {
    expect(messages(lines("op A(u) is = u")).length).toBeGreaterThan(0);
  });
});
