// The canonical form, case by case, with the expected text written out (no snapshots); and
// idempotence on the repository's own .iter files.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as A from "../../grammar/ast.js";
import { format } from "../../grammar/format.js";
import { parse } from "../../grammar/parse.js";
import { DUMMY_SPAN, stripSpans } from "./arbitrary.js";

function parsed(source: string): A.Program {
  const { program, diagnostics } = parse(source, "test.iter");
  expect(diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.message}`)).toEqual([]);
  return program;
}

/** Formats `source`, and checks that the result formats to itself and keeps the tree. */
function fmt(source: string, width?: number): string {
  const program = parsed(source);
  const out = format(program, width === undefined ? undefined : { width });
  const again = parsed(out);
  expect(stripSpans(again)).toEqual(stripSpans(program));
  expect(format(again, width === undefined ? undefined : { width })).toBe(out);
  return out;
}

const lines = (...ls: string[]): string => ls.join("\n") + "\n";

describe("format: spacing", () => {
  it("puts spaces around operators except ^ and .., none inside brackets", () => {
    expect(
      fmt(
        lines(
          "let x=a+b*-c^2",
          "let y = ( n+1 )^2 - -x",
          "let z = f( a,b:1 , c : [ 1,2 ,3 ] )[ i , 1:n+1, :, ::2 ].field",
          "let w = not a<b and c>=d or e≠f",
          "let r = x ↦ x@W",
          "let t = ( a , b )",
          "let q = 0 .. 8",
          'let s = "a\\"b\\\\c\\nd\\te"',
          "let n = 1e-5 + 3.0e+2 * 0.80 % 255",
          "let g = grad( f, x ) + jvp(f,x,v) @ vjp(f , x, c)",
          "let l = (x, y) => x*y",
          "let m = max(x) + init.iterations",
        ),
      ),
    ).toBe(
      lines(
        "let x = a + b * -c^2",
        "let y = (n + 1)^2 - -x",
        "let z = f(a, b: 1, c: [1, 2, 3])[i, 1:n + 1, :, ::2].field",
        "let w = not a < b and c >= d or e != f",
        "let r = x => x @ W",
        "let t = (a, b)",
        "let q = 0..8",
        'let s = "a\\"b\\\\c\\nd\\te"',
        "let n = 1e-5 + 3.0e+2 * 0.80 % 255",
        "let g = grad(f, x) + jvp(f, x, v) @ vjp(f, x, c)",
        "let l = (x, y) => x * y",
        "let m = max(x) + init.iterations",
      ),
    );
  });

  it("prints declarations and types in their one canonical form", () => {
    expect(
      fmt(
        lines(
          "use std.krylov.{cg,gmres}",
          "use std.optim",
          "dim B,D=8 , H = 64",
          "input f :f32[ N,N ] = zeros(N, N)",
          "param W: f32[H,H] init normal(std:0.05, seed:1)",
          "op A(u: f32[n,n]) -> f32[n,n] = stencil5(u, center: 4, side: -1) * (n+1)^2",
          "op apply(M: op(f32[n]) -> f32[n], x: f32[n], k = 2) -> (f32[n], i32) = (M(x), k)",
          "model m(x) = x",
          'data toy = csv("toy.csv", x: 0..8, y: 8)',
          "export u",
          "export v = u * 2",
          "check contractive(z => T(z), below: 1)",
        ),
      ),
    ).toBe(
      lines(
        "use std.krylov.{cg, gmres}",
        "use std.optim",
        "dim B, D = 8, H = 64",
        "input f: f32[N, N] = zeros(N, N)",
        "param W: f32[H, H] init normal(std: 0.05, seed: 1)",
        "",
        "op A(u: f32[n, n]) -> f32[n, n] = stencil5(u, center: 4, side: -1) * (n + 1)^2",
        "op apply(M: op(f32[n]) -> f32[n], x: f32[n], k = 2) -> (f32[n], i32) = (M(x), k)",
        "",
        "model m(x) = x",
        "",
        'data toy = csv("toy.csv", x: 0..8, y: 8)',
        "",
        "export u",
        "export v = u * 2",
        "",
        "check contractive(z => T(z), below: 1)",
      ),
    );
  });
});

describe("format: parentheses", () => {
  const span = DUMMY_SPAN;
  const name = (n: string): A.Expr => ({ kind: "Name", name: n, span });
  const num = (text: string): A.Expr => ({ kind: "Number", text, value: Number(text), isInt: /^\d+$/.test(text), span });
  const bin = (op: A.BinaryOp, left: A.Expr, right: A.Expr): A.Expr => ({ kind: "Binary", op, left, right, span });
  const un = (op: A.UnaryOp, operand: A.Expr): A.Expr => ({ kind: "Unary", op, operand, span });
  const lambda = (p: string, body: A.Expr): A.Expr => ({
    kind: "Lambda",
    params: [{ kind: "Param", name: { kind: "Ident", name: p, span }, type: null, default: null, span }],
    body,
    span,
  });
  const range = (start: A.Expr, stop: A.Expr): A.Expr => ({ kind: "Range", start, stop, span });
  const call = (callee: A.Expr, ...args: A.Expr[]): A.Expr => ({
    kind: "Call",
    callee,
    args: args.map((value) => ({ kind: "Arg", name: null, value, span })),
    span,
  });
  const [a, b, c, x, y] = ["a", "b", "c", "x", "y"].map(name);
  const printed = (e: A.Expr): string => {
    const program: A.Program = {
      kind: "Program",
      file: "t.iter",
      decls: [{ kind: "Let", names: [{ kind: "Ident", name: "e", span }], type: null, value: e, span }],
      comments: [],
      span,
    };
    const text = format(program);
    expect(text.startsWith("let e = ")).toBe(true);
    return text.slice("let e = ".length, -1);
  };

  it("adds them only where precedence needs them", () => {
    expect(printed(bin("^", un("-", x), num("2")))).toBe("(-x)^2");
    expect(printed(un("-", bin("^", x, num("2"))))).toBe("-x^2");
    expect(printed(bin("^", x, un("-", y)))).toBe("x^-y");
    expect(printed(bin("^", bin("^", a, b), c))).toBe("(a^b)^c");
    expect(printed(bin("^", a, bin("^", b, c)))).toBe("a^b^c");
    expect(printed(bin("-", a, bin("-", b, c)))).toBe("a - (b - c)");
    expect(printed(bin("-", bin("-", a, b), c))).toBe("a - b - c");
    expect(printed(bin("/", a, bin("*", b, c)))).toBe("a / (b * c)");
    expect(printed(bin("*", bin("+", a, b), c))).toBe("(a + b) * c");
    expect(printed(bin("<", bin("<", a, b), c))).toBe("(a < b) < c");
    expect(printed(bin("==", a, bin("!=", b, c)))).toBe("a == (b != c)");
    expect(printed(un("not", bin("and", a, b)))).toBe("not (a and b)");
    expect(printed(un("not", bin("<", a, b)))).toBe("not a < b");
    expect(printed(bin("*", a, un("not", b)))).toBe("a * (not b)");
    expect(printed(bin("and", a, bin("or", b, c)))).toBe("a and (b or c)");
    expect(printed(un("-", un("-", x)))).toBe("--x");
    expect(printed(bin("-", a, un("-", b)))).toBe("a - -b");
    expect(printed(call(lambda("z", name("z")), num("1")))).toBe("(z => z)(1)");
    expect(printed(call(bin("+", a, b), x))).toBe("(a + b)(x)");
    expect(printed(bin("+", range(num("0"), num("1")), num("1")))).toBe("(0..1) + 1");
    expect(printed(range(num("0"), lambda("z", name("z"))))).toBe("0..(z => z)");
    expect(printed(range(range(a, b), c))).toBe("(a..b)..c");
    expect(printed(lambda("z", lambda("w", bin("+", name("z"), name("w")))))).toBe("z => w => z + w");
    expect(printed(call(name("f"), lambda("z", bin("+", name("z"), num("1"))), range(num("0"), num("8"))))).toBe("f(z => z + 1, 0..8)");
    expect(printed(bin("+", lambda("z", name("z")), a))).toBe("(z => z) + a");
  });

  it("keeps the parentheses the source wrote", () => {
    expect(fmt(lines("let a = ((x)) + (y * z) - (f)(1)", "let b = (-x)^2 + -(x^2) + (a - b) - c"))).toBe(
      lines("let a = ((x)) + (y * z) - (f)(1)", "let b = (-x)^2 + -(x^2) + (a - b) - c"),
    );
  });
});

describe("format: iterative constructs", () => {
  it("prints clauses in the order init method precond until max grad", () => {
    expect(
      fmt(
        lines(
          "fixpoint z = T(z) max 60 until residual < 1e-5 grad implicit init zeros method anderson(m: 5)",
          "solve A(u) = f precond jacobi method cg() -> u",
          "minimize loss(x) until gnorm < 1e-5 method lbfgs() init x0 -> x: f32[n]",
        ),
      ),
    ).toBe(
      lines(
        "fixpoint z = T(z)",
        "  init zeros",
        "  method anderson(m: 5)",
        "  until residual < 1e-5",
        "  max 60",
        "  grad implicit",
        "",
        "solve A(u) = f",
        "  method cg()",
        "  precond jacobi -> u",
        "",
        "minimize loss(x)",
        "  init x0",
        "  method lbfgs()",
        "  until gnorm < 1e-5 -> x: f32[n]",
      ),
    );
  });

  it("puts each clause on its own line when there are two or more or the line is too wide, -> u on the last", () => {
    expect(
      fmt(
        lines(
          "solve A(u) = f method cg(rtol: 1e-6, maxiter: 2000) precond multigrid(smoother: jacobi(omega: 0.8, sweeps: 2), cycle: V) -> u",
        ),
      ),
    ).toBe(
      lines(
        "solve A(u) = f",
        "  method cg(rtol: 1e-6, maxiter: 2000)",
        "  precond multigrid(smoother: jacobi(omega: 0.8, sweeps: 2), cycle: V) -> u",
      ),
    );
    // One clause stays on the line when it fits; two or more go one per line.
    expect(fmt(lines("solve A(u) = f", "  method cg()", "  -> u"))).toBe(lines("solve A(u) = f method cg() -> u"));
    expect(fmt(lines("solve A(u) = f method cg() precond jacobi -> u"))).toBe(lines("solve A(u) = f", "  method cg()", "  precond jacobi -> u"));
  });

  it("prints loops with their carry list, block and clauses", () => {
    expect(
      fmt(
        lines(
          "input A: f32[n, n]",
          "let s = fro(A)",
          "loop k<25 carry (Y = A/s, Z = eye(n)) {",
          "    let T = 0.5*(3*eye(n) - Z@Y)",
          "    Y = Y@T",
          "  Z = T@Z",
          "} -> (Y, Z)",
          "export sqrtA = Y*sqrt(s)",
          "loop carry (x: f32[n] = x0) {",
          "  x = T(x)",
          "} max 100 until norm(x) < 1e-6 -> x",
        ),
      ),
    ).toBe(
      lines(
        "input A: f32[n, n]",
        "let s = fro(A)",
        "",
        "loop k < 25 carry (Y = A / s, Z = eye(n)) {",
        "  let T = 0.5 * (3 * eye(n) - Z @ Y)",
        "  Y = Y @ T",
        "  Z = T @ Z",
        "} -> (Y, Z)",
        "",
        "export sqrtA = Y * sqrt(s)",
        "",
        "loop carry (x: f32[n] = x0) {",
        "  x = T(x)",
        "} until norm(x) < 1e-6 max 100 -> x",
      ),
    );
  });

  it("keeps a method spec's parentheses as written", () => {
    expect(fmt(lines("fixpoint z = T(z) method picard", "fixpoint w = T(w) method picard()", "fixpoint v = T(v) grad phantom(k: 5)"))).toBe(
      lines("fixpoint z = T(z) method picard", "fixpoint w = T(w) method picard()", "fixpoint v = T(v) grad phantom(k: 5)"),
    );
  });

  it("prints op and model blocks indented by two", () => {
    expect(
      fmt(
        lines(
          "model deq(x: f32[B, D]) -> f32[B, 1] {",
          "fixpoint z = tanh(z @ W + x @ U)",
          "        init zeros",
          "  method anderson(m: 5)",
          "  until residual < 1e-5 max 60",
          "  grad implicit",
          "",
          "",
          "return z @ V",
          "}",
          "op id(x) {",
          "  return x",
          "}",
        ),
      ),
    ).toBe(
      lines(
        "model deq(x: f32[B, D]) -> f32[B, 1] {",
        "  fixpoint z = tanh(z @ W + x @ U)",
        "    init zeros",
        "    method anderson(m: 5)",
        "    until residual < 1e-5",
        "    max 60",
        "    grad implicit",
        "",
        "  return z @ V",
        "}",
        "",
        "op id(x) {",
        "  return x",
        "}",
      ),
    );
  });
});

describe("format: long lines", () => {
  it("breaks call arguments one per line, without a trailing comma", () => {
    expect(
      fmt(lines("param W: f32[H, H] init normal(standard_deviation: 0.05, seed: 1, distribution: truncated, clip: 2.0)"), 60),
    ).toBe(
      lines(
        "param W: f32[H, H] init normal(",
        "  standard_deviation: 0.05,",
        "  seed: 1,",
        "  distribution: truncated,",
        "  clip: 2.0",
        ")",
      ),
    );
  });

  it("breaks the outermost list first and keeps inner ones flat when they fit", () => {
    expect(fmt(lines("let y = outer(inner(alpha, beta), inner(gamma, delta), inner(epsilon, zeta))"), 40)).toBe(
      lines("let y = outer(", "  inner(alpha, beta),", "  inner(gamma, delta),", "  inner(epsilon, zeta)", ")"),
    );
  });

  it("puts a tensor literal one row per line", () => {
    expect(
      fmt(
        lines(
          "let M = [[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0], [17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0]]",
        ),
      ),
    ).toBe(
      lines(
        "let M = [",
        "  [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],",
        "  [9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0],",
        "  [17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0]",
        "]",
      ),
    );
  });

  it("joins lines the source broke when the result fits", () => {
    expect(fmt(lines("let y = f(", "  a,", "  b", ")"))).toBe(lines("let y = f(a, b)"));
  });
});

describe("format: train blocks", () => {
  it("keeps settings on the lines they started", () => {
    expect(
      fmt(
        lines(
          "train deq on toy {",
          " loss mean((deq(x)-y)^2)",
          "     optimizer adam(lr:3e-3)   epochs 30",
          "  batch 64 seed 0",
          'checkpoint "runs/deq" every 100 steps }',
        ),
      ),
    ).toBe(
      lines(
        "train deq on toy {",
        "  loss mean((deq(x) - y)^2)",
        "  optimizer adam(lr: 3e-3) epochs 30",
        "  batch 64 seed 0",
        '  checkpoint "runs/deq" every 100 steps',
        "}",
      ),
    );
  });

  it("starts the first setting on its own line", () => {
    expect(fmt(lines("train m on d { epochs 3 batch 8", "}"))).toBe(lines("train m on d {", "  epochs 3 batch 8", "}"));
    expect(fmt(lines("train m on d {", "}"))).toBe(lines("train m on d {", "}"));
  });
});

describe("format: blank lines", () => {
  it("separates kinds and blocks, keeps one blank line where the source had some", () => {
    expect(
      fmt(
        lines(
          "",
          "use std.krylov",
          "dim N = 8",
          "input f: f32[N]",
          "",
          "",
          "",
          "let a = 1",
          "op A(u) = u",
          "op B(u) = u",
          "",
          "op C(u) = u",
          "check a > 0",
          "",
        ),
      ),
    ).toBe(
      lines(
        "use std.krylov",
        "dim N = 8",
        "input f: f32[N]",
        "",
        "let a = 1",
        "",
        "op A(u) = u",
        "op B(u) = u",
        "",
        "op C(u) = u",
        "",
        "check a > 0",
      ),
    );
  });

  it("prints an empty program as nothing and ends other output with one newline", () => {
    expect(format(parsed(""))).toBe("");
    expect(format(parsed("\n\n"))).toBe("");
    expect(fmt("let a = 1")).toBe("let a = 1\n");
    expect(fmt("let a = 1\n\n\n")).toBe("let a = 1\n");
    expect(fmt("# only a comment")).toBe("# only a comment\n");
  });
});

describe("format: comments", () => {
  const source = lines(
    "# file header   ",
    "",
    "# about N",
    "dim N = 8  # size",
    "input f: f32[N, N]",
    "# before op",
    "op A(u: f32[n, n],  # inside params",
    "     v: f32) -> f32[n, n] {  # on the brace",
    "  # first statement",
    "  let w = stencil5(u,",
    "    center: 4,  # inside a call",
    "    side: -1)",
    "  return w  # the result",
    "",
    "  # end of block",
    "}  # after the block",
    "",
    "solve A(u) = f  # head",
    "  method cg(rtol: 1e-6)  # the method",
    "  # own line in clauses",
    "  precond jacobi",
    "  -> u  # unknown",
    "",
    "loop k < 3 carry (x = x0) {  # loop brace",
    "  x = T(x)  # step",
    "  # last in loop",
    "} until r < 1  # until",
    "  max 5 -> x  # outputs",
    "train m on d {  # settings",
    "  # loss first",
    "  loss l",
    "  epochs 3 batch 4  # same line",
    "  optimizer adam(",
    "    lr: 1e-3  # inside a setting",
    "  ) seed 1",
    "  # end of train",
    "}",
    "let inner = [1,  # in a literal",
    "  2]  # after it",
    "",
    "# end of file",
  );

  it("keeps every comment exactly once, where it belongs", () => {
    expect(fmt(source)).toBe(
      lines(
        "# file header",
        "",
        "# about N",
        "dim N = 8  # size",
        "input f: f32[N, N]",
        "",
        "# before op",
        "# inside params",
        "op A(u: f32[n, n], v: f32) -> f32[n, n] {  # on the brace",
        "  # first statement",
        "  # inside a call",
        "  let w = stencil5(u, center: 4, side: -1)",
        "  return w  # the result",
        "",
        "  # end of block",
        "}  # after the block",
        "",
        "# own line in clauses",
        "solve A(u) = f  # head",
        "  method cg(rtol: 1e-6)  # the method",
        "  precond jacobi -> u  # unknown",
        "",
        "loop k < 3 carry (x = x0) {  # loop brace",
        "  x = T(x)  # step",
        "  # last in loop",
        "}",
        "  until r < 1  # until",
        "  max 5 -> x  # outputs",
        "",
        "train m on d {  # settings",
        "  # loss first",
        "  loss l",
        "  epochs 3 batch 4  # same line",
        "  # inside a setting",
        "  optimizer adam(lr: 1e-3) seed 1",
        "  # end of train",
        "}",
        "",
        "# in a literal",
        "let inner = [1, 2]  # after it",
        "",
        "# end of file",
      ),
    );
  });

  it("never loses or duplicates one, whatever the width", () => {
    const texts = parsed(source).comments.map((c) => c.text.trimEnd());
    expect(texts.length).toBe(28);
    for (const width of [20, 40, 60, 96, 200]) {
      const out = fmt(source, width);
      for (const t of texts) expect(out.split(t).length - 1, `${t} at width ${width}`).toBe(1);
    }
  });

  it("keeps a comment on a block's brace only while the header stays on one line", () => {
    const src = lines("loop carry (first_value = initial_guess, second_value = other_guess) {  # brace", "  x = 1", "} -> x");
    expect(fmt(src, 40)).toBe(
      lines("loop carry (", "  first_value = initial_guess,", "  second_value = other_guess", ") {", "  # brace", "  x = 1", "} -> x"),
    );
    expect(fmt(src)).toBe(lines("loop carry (first_value = initial_guess, second_value = other_guess) {  # brace", "  x = 1", "} -> x"));
  });
});

/** Every `.iter` file below `dir` (recursively), read at run time. */
function iterFiles(dir: string, recursive: boolean): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive }) as string[]).filter((f) => f.endsWith(".iter")).map((f) => join(dir, f)).sort();
}

describe("format on the repository's .iter files", () => {
  const root = join(import.meta.dirname, "../..");
  it("looks in the repository's root", () => expect(existsSync(join(root, "package.json"))).toBe(true));
  const files = [...iterFiles(join(root, "examples"), false), ...iterFiles(join(root, "stdlib"), false), ...iterFiles(join(root, "test/fixtures"), true)];
  it("the examples and the standard library are written in canonical form", () => {
    const shipped = [...iterFiles(join(root, "examples"), false), ...iterFiles(join(root, "stdlib"), false)];
    expect(shipped.length).toBeGreaterThan(10);
    for (const f of shipped) {
      const source = readFileSync(f, "utf8");
      expect(format(parse(source, f).program), f).toBe(source);
    }
  });
  const parseable = files.filter((f) => !parse(readFileSync(f, "utf8"), f).diagnostics.some((d) => d.severity === "error"));
  if (parseable.length === 0) it.skip("no example or fixture .iter file parses yet", () => {});
  for (const file of parseable) {
    it(`is idempotent on ${file.slice(root.length + 1)} and keeps its tree and comments`, () => {
      const source = readFileSync(file, "utf8");
      const program = parse(source, file).program;
      const once = format(program);
      const again = parse(once, file);
      expect(again.diagnostics).toEqual([]);
      expect(stripSpans(again.program)).toEqual(stripSpans(program));
      // Comments may move (above their statement): compare them as multisets.
      const texts = (p: A.Program) => p.comments.map((c) => c.text.trimEnd()).sort();
      expect(texts(again.program)).toEqual(texts(program));
      expect(format(again.program)).toBe(once);
    });
  }
});

