// Nesting limits (grammar/depth.ts): every way a program can nest deeply — long chains of
// binary operators, of calls or indexing, runs of prefix operators, towers of `^`, `else if`
// ladders, lambdas returning lambdas, brackets — is either read, or refused with ONE located
// message; nothing overflows the stack in the parser, the CST→AST visitor, the formatter or
// JSON output, and what is read is shallow enough for the checker.
import { describe, expect, it } from "vitest";
import { check } from "../../index.js";
import { MAX_EXPR_DEPTH, MAX_NESTING } from "../../grammar/depth.js";
import { format } from "../../grammar/format.js";
import { parse } from "../../grammar/parse.js";

const program = (body: string) => `let x = 0.5\nlet v = ones(2)\n${body}\nexport y\n`;

/** Builders of an expression with n operators, calls or keywords nested: n + 1 or n + 2 levels. */
const SHAPES: Record<string, (n: number) => string> = {
  "a sum": (n) => "x" + " + x".repeat(n),
  "a product": (n) => "x" + " * x".repeat(n),
  "prefix minuses": (n) => "-".repeat(n) + "x",
  "nots": (n) => "not ".repeat(n) + "true",
  "a tower of ^": (n) => "x" + "^1".repeat(n),
  "an else-if ladder": (n) => "if x > 1 then x else ".repeat(n) + "x",
  "lambdas returning lambdas": (n) => "a => ".repeat(n) + "x",
  "a chain of indexing": (n) => "v" + "[0]".repeat(n),
  "a chain of calls": (n) => "f" + "(x)".repeat(n),
};

function messages(source: string): string[] {
  return parse(source, "deep.iter").diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.message}`);
}

describe("expression depth", () => {
  for (const [shape, build] of Object.entries(SHAPES)) {
    it(`${shape}: ${MAX_EXPR_DEPTH} levels parse; 20,000 give one located error, quickly`, () => {
      expect(messages(program(`let y = ${build(MAX_EXPR_DEPTH - 2)}`))).toEqual([]);
      const t0 = performance.now();
      const deep = program(`let y = ${build(20_000)}`);
      const result = parse(deep, "deep.iter");
      expect(performance.now() - t0).toBeLessThan(5000);
      expect(result.diagnostics).toHaveLength(1);
      const [d] = result.diagnostics;
      expect(d.message).toBe(`This expression nests deeper than ${MAX_EXPR_DEPTH} levels, which is more than I read.`);
      expect(d.span.start.line).toBe(3);
      expect(d.hint).toBeTruthy();
      // What comes back is safe to walk: JSON and the formatter do not overflow.
      expect(() => JSON.stringify(result.program)).not.toThrow();
      expect(() => format(result.program)).not.toThrow();
    });
  }

  it("the error points into the expression where the limit is passed", () => {
    const [d] = parse(program(`let y = ${"-".repeat(300)}x`), "deep.iter").diagnostics;
    expect(d.span.start.column).toBe(9 + MAX_EXPR_DEPTH - 1);
    expect(d.hint).toMatch(/prefix/);
    const [sum] = parse(program(`let y = ${SHAPES["a sum"](400)}`), "deep.iter").diagnostics;
    expect(sum.span.start.column).toBe(9);
    expect(sum.hint).toMatch(/add the terms in parts/);
  });

  it("a program at the limit formats to itself and checks without overflowing", () => {
    for (const build of Object.values(SHAPES).slice(0, 6)) {
      const source = program(`let y = ${build(MAX_EXPR_DEPTH - 2)}`);
      const { program: p } = parse(source, "deep.iter");
      const out = format(p);
      expect(parse(out, "deep.iter").diagnostics).toEqual([]);
      expect(format(parse(out, "deep.iter").program)).toBe(out);
      // The checker (and lowering, when sizes are known) must cope with what the parser reads.
      expect(() => check(source)).not.toThrow();
    }
  });

  it("several too-deep expressions are each reported once", () => {
    const source = program(`let a = ${SHAPES["a sum"](300)}\nlet b = ${SHAPES["a chain of indexing"](300)}\nlet y = a`);
    expect(messages(source)).toEqual([
      `3:9 This expression nests deeper than ${MAX_EXPR_DEPTH} levels, which is more than I read.`,
      `4:9 This expression nests deeper than ${MAX_EXPR_DEPTH} levels, which is more than I read.`,
    ]);
  });
});

describe("bracket depth", () => {
  it(`${MAX_NESTING} nested calls parse; 600 give one located error`, () => {
    const calls = (n: number) => "tanh(".repeat(n) + "x" + ")".repeat(n);
    expect(messages(program(`let y = ${calls(MAX_NESTING - 1)}`))).toEqual([]);
    expect(messages(program(`let y = ${calls(600)}`))).toEqual([`3:${9 + 5 * MAX_NESTING + 4} This is nested more than ${MAX_NESTING} brackets deep, which is more than I read.`]);
  });

  it("the worst the parser may see (brackets at their limit around a tower of powers) is read without a stack overflow", () => {
    // 63 calls around a tower of 190 `^`: 254 levels, under both limits.
    const ok = program(`let y = ${"tanh(".repeat(63)}x${"^1".repeat(190)}${")".repeat(63)}`);
    expect(messages(ok)).toEqual([]);
    // 63 calls around a tower of 250 `^`: refused by the tree's depth, after parsing, once.
    const deep = program(`let y = ${"tanh(".repeat(63)}x${"^1".repeat(250)}${")".repeat(63)}`);
    const ms = messages(deep);
    expect(ms).toHaveLength(1);
    expect(ms[0]).toMatch(/nests deeper than/);
  });
});
