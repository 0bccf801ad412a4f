// Property tests: the parser never throws, always answers with diagnostics whose spans lie in
// the source, respects MAX_SYNTAX_ERRORS, stays fast, and reports invalid input. Inputs are
// random bytes, random sequences of the language's tokens, and the DESIGN.md sketches with
// tokens deleted, duplicated or swapped. Seeds are fixed and runs bounded (a few seconds).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ParseResult } from "../../grammar/parse.js";
import { positionAt } from "../../grammar/lines.js";
import { MAX_SYNTAX_ERRORS, parse } from "../../grammar/parse.js";

const SEED = 20240611;
const RUNS = 300;
const TIME_LIMIT_MS = 1000;

/** Every object below `node` that has a `span` (AST nodes, idents, bodies). */
function* spans(node: unknown): Generator<{ start: { offset: number; line: number; column: number }; end: { offset: number } }> {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const item of node) yield* spans(item);
    return;
  }
  const rec = node as Record<string, unknown>;
  if (rec.span && typeof rec.span === "object") yield rec.span as never;
  for (const [key, value] of Object.entries(rec)) if (key !== "span") yield* spans(value);
}

/** Parses and checks the invariants every input must satisfy; returns the result. */
function parseChecked(source: string): ParseResult {
  const t0 = performance.now();
  const result = parse(source, "fuzz.iter");
  const elapsed = performance.now() - t0;
  expect(elapsed, `parsing took ${elapsed.toFixed(0)} ms`).toBeLessThan(TIME_LIMIT_MS);

  expect(Array.isArray(result.diagnostics)).toBe(true);
  expect(result.diagnostics.length).toBeLessThanOrEqual(MAX_SYNTAX_ERRORS);
  expect(result.program.kind).toBe("Program");
  for (const d of result.diagnostics) {
    expect(d.severity).toBe("error");
    expect(typeof d.message).toBe("string");
    expect(d.message.length).toBeGreaterThan(0);
    expect(d.file).toBe("fuzz.iter");
    const { start, end } = d.span;
    expect(start.line).toBeGreaterThanOrEqual(1);
    expect(start.column).toBeGreaterThanOrEqual(1);
    expect(start.offset).toBeGreaterThanOrEqual(0);
    expect(start.offset).toBeLessThanOrEqual(source.length);
    expect(end.offset).toBeGreaterThanOrEqual(start.offset);
    // A span may cover the position just past the last character ("the line ends here").
    expect(end.offset).toBeLessThanOrEqual(source.length + 1);
    // Line and column agree with the offset, whatever the line endings (LF, CRLF, lone CR).
    const at = positionAt(source, start.offset);
    expect({ line: start.line, column: start.column }).toEqual({ line: at.line, column: at.column });
  }
  for (const span of spans(result.program)) {
    expect(span.start.offset).toBeGreaterThanOrEqual(0);
    expect(span.start.offset).toBeLessThanOrEqual(source.length);
    expect(span.end.offset).toBeLessThanOrEqual(source.length + 1);
    expect(span.start.line).toBeGreaterThanOrEqual(1);
    expect(span.start.column).toBeGreaterThanOrEqual(1);
  }
  return result;
}

// ---- inputs ----------------------------------------------------------------------------

/** The token images of the language, plus a few characters it does not know. */
const TOKENS = [
  ...["use", "dim", "input", "param", "op", "model", "data", "train", "export", "check", "let", "return"],
  ...["fixpoint", "solve", "minimize", "loop", "true", "false", "and", "or", "not"],
  ...["init", "method", "precond", "until", "max", "grad", "carry", "on", "every", "jvp", "vjp"],
  ...["x", "N", "n", "u", "A", "f32", "i32", "bool", "f64", "cg", "zeros", "α"],
  ...["0", "1", "255", "0.5", "1e-5", "3.0e+2", '"runs/deq"', '"a\\"b"', '"', '"\\q"'],
  ...["(", ")", "[", "]", "{", "}", ",", ":", ".", "..", "=", "->", "=>", "↦"],
  ...["==", "!=", "<", "<=", ">", ">=", "≤", "≥", "≠", "+", "-", "*", "/", "%", "@", "^"],
  ...["\n", "\n", "\n", "\r\n", "\r", "# comment\n", "\t"],
  ...["**", ";", "$", "'", "!", "?", "`", "\\", "😀"],
];

const DESIGN_SKETCHES = [
  `# Poisson: -Δu = f on the unit square, zero boundary, N×N interior grid
dim N = 255
input f: f32[N, N]

op A(u: f32[n, n]) = stencil5(u, center: 4, side: -1) * (n + 1)^2

solve A(u) = f
  method cg(rtol: 1e-6, maxiter: 2000)
  precond multigrid(smoother: jacobi(omega: 0.8, sweeps: 2), cycle: V)
  -> u

export u
`,
  `dim B, D = 8, H = 64
param W: f32[H, H] init normal(std: 0.05, seed: 1)
param U: f32[D, H] init glorot(seed: 2)
param V: f32[H, 1] init glorot(seed: 3)

model deq(x: f32[B, D]) -> f32[B, 1] {
  fixpoint z = tanh(z @ W + x @ U)
    init zeros
    method anderson(m: 5)
    until residual < 1e-5 max 60
    grad implicit                 # or: unrolled, phantom(k: 5)
  return z @ V
}

data toy = csv("examples/data/toy.csv", x: 0..8, y: 8)

train deq on toy {
  loss mean((deq(x) - y)^2)
  optimizer adam(lr: 3e-3)
  epochs 30 batch 64 seed 0
  checkpoint "runs/deq" every 100 steps
}

check contractive(z ↦ tanh(z @ W + x @ U), below: 1)   # becomes a property test
`,
  `input A: f32[n, n]
let s = fro(A)
loop k < 25 carry (Y = A / s, Z = eye(n)) {
  let T = 0.5 * (3 * eye(n) - Z @ Y)
  Y = Y @ T
  Z = T @ Z
} -> (Y, Z)
export sqrtA = Y * sqrt(s)
`,
];

/** A rough tokenizer for the sketches (comments dropped): enough to mutate them. */
function tokenize(source: string): string[] {
  const withoutComments = source.replace(/#[^\n]*/g, "");
  const pattern = /"(?:[^"\\\n]|\\.)*"|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[\p{L}_][\p{L}\d_]*|->|=>|\.\.|==|!=|<=|>=|\n|\S/gu;
  return withoutComments.match(pattern) ?? [];
}

/** Tokens back to text: spaces between tokens, newlines kept as they were. */
const detokenize = (tokens: readonly string[]) => tokens.map((t) => (t === "\n" ? "\n" : `${t} `)).join("");

const SKETCH_TOKENS = DESIGN_SKETCHES.map(tokenize);

type Mutation = { kind: "delete"; at: number } | { kind: "duplicate"; at: number } | { kind: "swap"; at: number; with: number };

function mutate(tokens: readonly string[], mutations: readonly Mutation[]): string[] {
  const out = [...tokens];
  for (const m of mutations) {
    if (out.length === 0) break;
    const i = m.at % out.length;
    if (m.kind === "delete") out.splice(i, 1);
    else if (m.kind === "duplicate") out.splice(i, 0, out[i]);
    else {
      const j = m.with % out.length;
      [out[i], out[j]] = [out[j], out[i]];
    }
  }
  return out;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
);

const options = { seed: SEED, numRuns: RUNS };

// ---- properties ------------------------------------------------------------------------

describe("the inputs of the properties", () => {
  it("the sketches survive tokenize/detokenize (so mutations start from valid programs)", () => {
    for (const tokens of SKETCH_TOKENS) {
      expect(tokens.length).toBeGreaterThan(20);
      expect(parse(detokenize(tokens), "sketch.iter").diagnostics).toEqual([]);
    }
  });
});

describe("the parser never throws and answers in bounds", () => {
  it("on random bytes decoded as UTF-8", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        parseChecked(new TextDecoder().decode(bytes));
      }),
      options,
    );
  });

  it("on random bytes decoded as Latin-1", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        parseChecked(Buffer.from(bytes).toString("latin1"));
      }),
      options,
    );
  });

  it("on random strings of any Unicode characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (s) => {
        parseChecked(s);
      }),
      options,
    );
  });

  it("on random sequences of the language's tokens", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 120 }), fc.constantFrom(" ", ""), (tokens, sep) => {
        parseChecked(tokens.join(sep));
      }),
      options,
    );
  });

  it("on the DESIGN sketches with tokens deleted, duplicated or swapped", () => {
    fc.assert(
      fc.property(fc.nat({ max: SKETCH_TOKENS.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (which, mutations) => {
        parseChecked(detokenize(mutate(SKETCH_TOKENS[which], mutations)));
      }),
      options,
    );
  });

  it("on sketches cut off at a random token", () => {
    fc.assert(
      fc.property(fc.nat({ max: SKETCH_TOKENS.length - 1 }), fc.nat(), (which, cut) => {
        const tokens = SKETCH_TOKENS[which];
        parseChecked(detokenize(tokens.slice(0, cut % (tokens.length + 1))));
      }),
      options,
    );
  });
});

describe("invalid inputs produce at least one diagnostic", () => {
  const POISON = ["**", ";", "$", "?", "`", "'", "!", "~", "&", "|"];

  it("a token no rule accepts, inserted anywhere in a sketch", () => {
    fc.assert(
      fc.property(fc.nat({ max: SKETCH_TOKENS.length - 1 }), fc.nat(), fc.constantFrom(...POISON), (which, at, poison) => {
        const tokens = [...SKETCH_TOKENS[which]];
        tokens.splice(at % (tokens.length + 1), 0, poison);
        expect(parseChecked(detokenize(tokens)).diagnostics.length).toBeGreaterThan(0);
      }),
      options,
    );
  });

  it("an unclosed bracket appended to a sketch", () => {
    fc.assert(
      fc.property(fc.nat({ max: SKETCH_TOKENS.length - 1 }), fc.constantFrom("(", "[", "{", "let x = (", "let y = [1,", "op f(x) {"), (which, tail) => {
        expect(parseChecked(DESIGN_SKETCHES[which] + tail).diagnostics.length).toBeGreaterThan(0);
      }),
      options,
    );
  });

  it("random bytes with a character the lexer does not know, outside comments and strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary-ascii", maxLength: 100 }), fc.constantFrom("$", "?", "`", "~", "&", "|", "\u0001"), (s, bad) => {
        const clean = s.replace(/[#"\r]/g, " ");
        expect(parseChecked(`${bad}${clean}`).diagnostics.length).toBeGreaterThan(0);
      }),
      options,
    );
  });
});

describe("the cap on diagnostics", () => {
  it("a file with far more errors than the cap reports exactly MAX_SYNTAX_ERRORS", () => {
    const source = Array.from({ length: 4 * MAX_SYNTAX_ERRORS }, (_, i) => `let a${i} = ${i} ** 2`).join("\n");
    expect(parseChecked(source).diagnostics).toHaveLength(MAX_SYNTAX_ERRORS);
  });

  it("a long line of unknown characters stays under the cap and is fast", () => {
    parseChecked("let x = " + "$ ".repeat(2000));
    parseChecked(") ] } ,\n".repeat(500));
  });
});

describe("deep nesting is refused with a diagnostic, never a crash", () => {
  // Chevrotain recurses once per bracket level (about 12 rules each), so parse() refuses
  // nesting beyond MAX_NESTING before parsing (grammar/depth.ts; more in depth.test.ts).
  it("1000 unclosed parentheses give a diagnostic", () => {
    expect(parseChecked("let x = " + "(".repeat(1000)).diagnostics[0].message).toMatch(/nested more than 64/);
  });
  it("1000 nested parentheses give a diagnostic", () => {
    expect(parseChecked("let x = " + "(".repeat(1000) + "1" + ")".repeat(1000)).diagnostics[0].message).toMatch(/nested more than 64/);
  });
  it("5000 unary minuses give one diagnostic", () => {
    expect(parseChecked("let x = " + "- ".repeat(5000) + "1").diagnostics.map((d) => d.message)).toEqual([
      "This expression nests deeper than 256 levels, which is more than I read.",
    ]);
  });
});

describe("moderate nesting works", () => {
  it("30 nested parentheses and brackets, 200 unary minuses", () => {
    expect(parseChecked("let x = " + "(".repeat(30) + "1" + ")".repeat(30)).diagnostics).toEqual([]);
    expect(parseChecked("let x = " + "[".repeat(30) + "]".repeat(30)).diagnostics).toEqual([]);
    expect(parseChecked("let x = " + "-".repeat(200) + "1").diagnostics).toEqual([]);
  });
  it("a 256-term sum and a 300-line file parse in time; a 1000-term sum is one located error", () => {
    expect(parseChecked("let x = " + Array(256).fill("a").join(" + ")).diagnostics).toEqual([]);
    expect(parseChecked("let x = " + Array(1000).fill("a").join(" + ")).diagnostics.map((d) => d.message)).toEqual([
      "This expression nests deeper than 256 levels, which is more than I read.",
    ]);
    expect(parseChecked(Array(300).fill("let a = 1").join("\n")).diagnostics).toEqual([]);
  });
});
