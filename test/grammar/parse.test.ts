// Unit tests of the parser: the AST shape of every construct, precedence and associativity,
// soft clause words, newline continuation, spans, and error recovery.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type * as A from "../../grammar/ast.js";
import { MAX_SYNTAX_ERRORS, parse } from "../../grammar/parse.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Parses `source`, fails with the messages if there are diagnostics, returns the decls. */
function decls(source: string): A.Decl[] {
  const { program, diagnostics } = parse(source, "t.iter");
  expect(diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.message}`)).toEqual([]);
  return program.decls;
}

function only<K extends A.Decl["kind"]>(source: string, kind: K): Extract<A.Decl, { kind: K }> {
  const ds = decls(source);
  expect(ds).toHaveLength(1);
  expect(ds[0].kind).toBe(kind);
  return ds[0] as Extract<A.Decl, { kind: K }>;
}

/** The AST of one expression, parsed as `let _ = <expr>`. */
function expr(text: string): A.Expr {
  return only(`let _ = ${text}`, "Let").value;
}

/** An expression as a compact string: binary/unary nodes parenthesised, to read structure. */
function show(e: A.Expr | A.Slice): string {
  switch (e.kind) {
    case "Number":
      return e.text;
    case "String":
      return JSON.stringify(e.value);
    case "Bool":
      return String(e.value);
    case "Name":
      return e.name;
    case "Unary":
      return `(${e.op} ${show(e.operand)})`;
    case "Binary":
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case "Paren":
      return `[${show(e.inner)}]`;
    case "Call":
      return `${show(e.callee)}(${e.args.map((a) => (a.name ? `${a.name.name}: ` : "") + show(a.value)).join(", ")})`;
    case "Diff":
      return `${e.mode}!(${e.args.map((a) => show(a.value)).join(", ")})`;
    case "Index":
      return `${show(e.target)}[${e.indices.map(show).join(", ")}]`;
    case "Slice":
      return `${e.start ? show(e.start) : ""}:${e.stop ? show(e.stop) : ""}:${e.step ? show(e.step) : ""}`;
    case "Member":
      return `${show(e.target)}.${e.field.name}`;
    case "TensorLit":
      return `T[${e.items.map(show).join(", ")}]`;
    case "Tuple":
      return `tuple(${e.items.map(show).join(", ")})`;
    case "Range":
      return `${show(e.start)}..${show(e.stop)}`;
    case "Lambda":
      return `\\${e.params.map((p) => p.name.name).join(",")} -> ${show(e.body)}`;
    case "If":
      return `(if ${show(e.cond)} then ${show(e.then)} else ${show(e.else)})`;
  }
}

const sx = (text: string) => show(expr(text));

describe("precedence and associativity", () => {
  it("^ binds tighter than unary minus: -x^2 is -(x^2)", () => {
    const e = expr("-x^2");
    expect(e).toMatchObject({ kind: "Unary", op: "-", operand: { kind: "Binary", op: "^" } });
  });
  it("^ is right-associative: 2^3^2 is 2^(3^2)", () => {
    const e = expr("2^3^2");
    expect(e).toMatchObject({ kind: "Binary", op: "^", left: { kind: "Number", value: 2 }, right: { kind: "Binary", op: "^" } });
  });
  it("the exponent may carry a sign: 2^-1", () => {
    expect(sx("2^-1")).toBe("(2 ^ (- 1))");
  });
  it("- is left-associative: a - b - c is (a - b) - c", () => {
    const e = expr("a - b - c");
    expect(e).toMatchObject({ kind: "Binary", op: "-", left: { kind: "Binary", op: "-" }, right: { kind: "Name", name: "c" } });
  });
  it("not applies to a whole comparison: not a < b", () => {
    expect(expr("not a < b")).toMatchObject({ kind: "Unary", op: "not", operand: { kind: "Binary", op: "<" } });
  });
  it("@ shares the level of *, left to right", () => {
    expect(sx("2 * A @ x")).toBe("((2 * A) @ x)");
    expect(sx("A @ x * 2")).toBe("((A @ x) * 2)");
    expect(sx("a + A @ x")).toBe("(a + (A @ x))");
  });
  it("* / % bind tighter than + -", () => {
    expect(sx("a + b * c - d / e % f")).toBe("((a + (b * c)) - ((d / e) % f))");
  });
  it("comparisons sit between + and not, and/or below them", () => {
    expect(sx("a + 1 < b and c or not d")).toBe("((((a + 1) < b) and c) or (not d))");
    expect(sx("a or b and c")).toBe("(a or (b and c))");
  });
  it("unary minus binds tighter than *", () => {
    expect(sx("-a * b")).toBe("((- a) * b)");
    expect(sx("- - a")).toBe("(- (- a))");
  });
  it("postfix binds tightest: -f(x)[0].y^2", () => {
    expect(sx("-f(x)[0].y^2")).toBe("(- (f(x)[0].y ^ 2))");
  });
  it("unicode comparison spellings are normalised", () => {
    expect(expr("a ≤ b")).toMatchObject({ op: "<=" });
    expect(expr("a ≥ b")).toMatchObject({ op: ">=" });
    expect(expr("a ≠ b")).toMatchObject({ op: "!=" });
  });
  it("comparisons do not chain", () => {
    expect(parse("let _ = a < b < c", "t.iter").diagnostics.length).toBeGreaterThan(0);
  });
  it("parentheses are kept as Paren nodes", () => {
    expect(sx("(a + b) * c")).toBe("([(a + b)] * c)");
  });
});

describe("literals and primary expressions", () => {
  it("numbers keep their text and know whether they are integers", () => {
    expect(expr("255")).toMatchObject({ kind: "Number", value: 255, isInt: true, text: "255" });
    expect(expr("1e-5")).toMatchObject({ kind: "Number", value: 1e-5, isInt: false, text: "1e-5" });
    expect(expr("3.0e+2")).toMatchObject({ kind: "Number", value: 300, isInt: false });
    expect(expr("0.8")).toMatchObject({ value: 0.8, isInt: false });
  });
  it("strings are unescaped", () => {
    expect(expr('"a\\"b\\\\c\\nd\\te"')).toMatchObject({ kind: "String", value: 'a"b\\c\nd\te' });
  });
  it("booleans", () => {
    expect(expr("true")).toMatchObject({ kind: "Bool", value: true });
    expect(expr("false")).toMatchObject({ kind: "Bool", value: false });
  });
  it("tensor literals nest", () => {
    const e = expr("[[1, 2], [3, 4]]");
    expect(e).toMatchObject({ kind: "TensorLit", items: [{ kind: "TensorLit" }, { kind: "TensorLit" }] });
    expect(sx("[[1, 2], [3, 4]]")).toBe("T[T[1, 2], T[3, 4]]");
    expect(expr("[]")).toMatchObject({ kind: "TensorLit", items: [] });
  });
  it("tuples have two or more items; one item in parentheses is a Paren", () => {
    expect(expr("(a, b, c)")).toMatchObject({ kind: "Tuple", items: [{ name: "a" }, { name: "b" }, { name: "c" }] });
    expect(expr("(a)")).toMatchObject({ kind: "Paren", inner: { kind: "Name", name: "a" } });
  });
  it("ranges", () => {
    expect(expr("0..8")).toMatchObject({ kind: "Range", start: { value: 0 }, stop: { value: 8 } });
    expect(sx("0..N + 1")).toBe("0..(N + 1)");
  });
  it("unicode names", () => {
    expect(expr("α * λ_1")).toMatchObject({ left: { name: "α" }, right: { name: "λ_1" } });
  });
});

describe("calls, indexing, members, lambdas, derivatives", () => {
  it("positional and named arguments", () => {
    const e = expr("cg(A, b, rtol: 1e-6, maxiter: 100)");
    expect(e).toMatchObject({ kind: "Call", callee: { kind: "Name", name: "cg" } });
    const args = (e as A.Call).args;
    expect(args.map((a) => a.name?.name ?? null)).toEqual([null, null, "rtol", "maxiter"]);
    expect(args[2].value).toMatchObject({ kind: "Number", value: 1e-6 });
  });
  it("a call with no arguments", () => {
    expect(expr("f()")).toMatchObject({ kind: "Call", args: [] });
  });
  it("slices with every part optional, and negative indices", () => {
    const e = expr("a[1:N, :, ::2, -1, 1:, :N:]") as A.Index;
    expect(e.kind).toBe("Index");
    expect(e.indices.map(show)).toEqual(["1:N:", "::", "::2", "(- 1)", "1::", ":N:"]);
    expect(e.indices[0]).toMatchObject({ kind: "Slice", start: { value: 1 }, stop: { name: "N" }, step: null });
    expect(e.indices[3]).toMatchObject({ kind: "Unary", op: "-" });
  });
  it("a full slice with a negative step", () => {
    expect(expr("a[::-1]")).toMatchObject({ indices: [{ kind: "Slice", start: null, stop: null, step: { kind: "Unary", op: "-" } }] });
  });
  it("member access", () => {
    expect(expr("report.iterations")).toMatchObject({ kind: "Member", target: { name: "report" }, field: { name: "iterations" } });
    expect(sx("krylov.cg(A).x")).toBe("krylov.cg(A).x");
  });
  it("lambdas with =>, with ↦ and with several parameters", () => {
    expect(expr("z => tanh(z @ W)")).toMatchObject({ kind: "Lambda", params: [{ name: { name: "z" }, type: null }], body: { kind: "Call" } });
    expect(expr("z ↦ 2 * z")).toMatchObject({ kind: "Lambda", params: [{ name: { name: "z" } }], body: { kind: "Binary", op: "*" } });
    expect(expr("(x, y) => x * y")).toMatchObject({ kind: "Lambda", params: [{ name: { name: "x" } }, { name: { name: "y" } }] });
  });
  it("a lambda body extends as far as it can; lambdas nest", () => {
    expect(sx("x => y => x + y")).toBe("\\x -> \\y -> (x + y)");
    expect(sx("f(z => z^2, 3)")).toBe("f(\\z -> (z ^ 2), 3)");
  });
  it("a parenthesised expression before => is not mistaken for a lambda", () => {
    expect(sx("(a + b) * c")).toBe("([(a + b)] * c)");
    expect(sx("(z => z)")).toBe("[\\z -> z]");
  });
  it("grad, jvp and vjp calls are Diff nodes", () => {
    expect(expr("grad(f, x)")).toMatchObject({ kind: "Diff", mode: "grad", args: [{ value: { name: "f" } }, { value: { name: "x" } }] });
    expect(expr("jvp(f, x, v)")).toMatchObject({ kind: "Diff", mode: "jvp" });
    expect(expr("vjp(z => z^2, x, c)")).toMatchObject({ kind: "Diff", mode: "vjp", args: [{ value: { kind: "Lambda" } }, {}, {}] });
  });
  it("grad is still a name when not called", () => {
    expect(expr("grad")).toMatchObject({ kind: "Name", name: "grad" });
    expect(expr("m.grad(x)")).toMatchObject({ kind: "Call", callee: { kind: "Member" } });
  });
});

describe("soft clause words are names outside clauses", () => {
  it("max(x) is a call", () => {
    expect(expr("max(x)")).toMatchObject({ kind: "Call", callee: { kind: "Name", name: "max" } });
  });
  it("let init = 1 defines a name", () => {
    expect(only("let init = 1", "Let")).toMatchObject({ names: [{ name: "init" }] });
  });
  it("every clause and train word may be a name", () => {
    for (const w of ["init", "method", "precond", "until", "max", "grad", "carry", "on", "every"]) {
      expect(only(`let ${w} = 1`, "Let").names[0].name).toBe(w);
      expect(sx(`${w} + 1`)).toBe(`(${w} + 1)`);
    }
  });
  it("a clause word may be a carried name assigned in a loop body", () => {
    const loop = only("loop k < 3 carry (x = 0, max = 0) {\n  x = x + k\n  max = x\n} -> x", "Loop");
    expect(loop.body.map((s) => (s as A.Assign).names[0].name)).toEqual(["x", "max"]);
  });
  it("reserved words are not names", () => {
    for (const w of ["let", "solve", "loop", "true", "and", "return"]) {
      expect(parse(`let ${w} = 1`, "t.iter").diagnostics.length, w).toBeGreaterThan(0);
    }
  });
});

describe("types", () => {
  const typeOf = (t: string) => only(`input x: ${t}`, "Input").type;
  it("scalar and tensor types with symbolic dims", () => {
    expect(typeOf("f32")).toMatchObject({ kind: "TensorType", dtype: "f32", shape: null });
    expect(typeOf("bool[N]")).toMatchObject({ kind: "TensorType", dtype: "bool", shape: [{ name: "N" }] });
    const t = typeOf("i32[N, n + 1, 2 * n]") as A.TensorType;
    expect(t.dtype).toBe("i32");
    expect(t.shape!.map(show)).toEqual(["N", "(n + 1)", "(2 * n)"]);
  });
  it("op types", () => {
    expect(typeOf("op")).toMatchObject({ kind: "OpType", params: null, result: null });
    expect(typeOf("op(f32[n]) -> f32[n]")).toMatchObject({
      kind: "OpType",
      params: [{ kind: "TensorType", dtype: "f32" }],
      result: { kind: "TensorType", dtype: "f32" },
    });
    expect(typeOf("op(f32, i32)")).toMatchObject({ kind: "OpType", params: [{ dtype: "f32" }, { dtype: "i32" }], result: null });
  });
  it("tuple types", () => {
    expect(typeOf("(f32[n], f32)")).toMatchObject({ kind: "TupleType", items: [{ kind: "TensorType" }, { kind: "TensorType", shape: null }] });
  });
  it("unknown dtypes are reported with a hint", () => {
    const { diagnostics } = parse("input x: double[N]", "t.iter");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].message).toContain("double");
    expect(diagnostics[0].hint).toContain("`f64`");
    expect(parse("input x: f33[N]", "t.iter").diagnostics[0].hint).toMatch(/did you mean `f32`/);
  });
  it("f64 is an element type", () => {
    expect(typeOf("f64[n]")).toMatchObject({ kind: "TensorType", dtype: "f64" });
  });
});

describe("declarations", () => {
  it("use, with a path and with a name list", () => {
    expect(only("use std.krylov", "Use")).toMatchObject({ path: [{ name: "std" }, { name: "krylov" }], names: null });
    expect(only("use std.krylov.{cg, gmres}", "Use")).toMatchObject({ path: [{ name: "std" }, { name: "krylov" }], names: [{ name: "cg" }, { name: "gmres" }] });
  });
  it("dim with and without values", () => {
    const d = only("dim B, D = 8, H = 64", "Dim");
    expect(d.items.map((i) => [i.name.name, i.value ? show(i.value) : null])).toEqual([
      ["B", null],
      ["D", "8"],
      ["H", "64"],
    ]);
  });
  it("input with and without a default", () => {
    expect(only("input f: f32[N, N]", "Input")).toMatchObject({ name: { name: "f" }, type: { dtype: "f32" }, default: null });
    expect(only("input w: f32 = 0.8", "Input")).toMatchObject({ default: { kind: "Number", value: 0.8 } });
  });
  it("param with an initialiser and a seed", () => {
    const p = only("param W: f32[H, H] init normal(std: 0.05, seed: 1)", "ParamDecl");
    expect(p).toMatchObject({ name: { name: "W" }, type: { kind: "TensorType" }, init: { kind: "Call", callee: { name: "normal" } } });
    expect((p.init as A.Call).args.map((a) => a.name?.name)).toEqual(["std", "seed"]);
    expect(only("param b: f32[H]", "ParamDecl").init).toBeNull();
  });
  it("let with a type and tuple destructuring", () => {
    expect(only("let x: f32[n] = zeros(n)", "Let")).toMatchObject({ names: [{ name: "x" }], type: { kind: "TensorType" } });
    expect(only("let (a, b) = f(x)", "Let")).toMatchObject({ names: [{ name: "a" }, { name: "b" }], type: null, value: { kind: "Call" } });
  });
  it("op with an expression body and size-polymorphic parameters", () => {
    const op = only("op A(u: f32[n, n]) = stencil5(u, center: 4, side: -1) * (n + 1)^2", "Op");
    expect(op.name.name).toBe("A");
    expect(op.params).toMatchObject([{ name: { name: "u" }, type: { kind: "TensorType", shape: [{ name: "n" }, { name: "n" }] } }]);
    expect(op.result).toBeNull();
    expect(op.body).toMatchObject({ kind: "ExprBody", expr: { kind: "Binary", op: "*" } });
  });
  it("op with a block body, a result type, op parameters and defaults", () => {
    const op = only("op smooth(M: op, u: f32[n], omega = 0.8) -> f32[n] {\n  let r = M(u)\n  return u - omega * r\n}", "Op");
    expect(op.params.map((p) => [p.name.name, p.type?.kind ?? null, p.default ? show(p.default) : null])).toEqual([
      ["M", "OpType", null],
      ["u", "TensorType", null],
      ["omega", null, "0.8"],
    ]);
    expect(op.result).toMatchObject({ kind: "TensorType" });
    expect(op.body.kind).toBe("Block");
    if (op.body.kind === "Block") expect(op.body.stmts.map((s) => s.kind)).toEqual(["Let", "Return"]);
  });
  it("model", () => {
    const m = only("model deq(x: f32[B, D]) -> f32[B, 1] {\n  return x @ V\n}", "Model");
    expect(m).toMatchObject({ name: { name: "deq" }, params: [{ name: { name: "x" } }], result: { kind: "TensorType" }, body: { kind: "Block" } });
  });
  it("data", () => {
    const d = only('data toy = csv("toy.csv", x: 0..8, y: 8)', "Data");
    expect(d).toMatchObject({ name: { name: "toy" }, source: { kind: "Call", args: [{ value: { kind: "String", value: "toy.csv" } }, { name: { name: "x" }, value: { kind: "Range" } }, { name: { name: "y" } }] } });
  });
  it("export with and without a value", () => {
    expect(only("export u", "Export")).toMatchObject({ name: { name: "u" }, value: null });
    expect(only("export sqrtA = Y * sqrt(s)", "Export")).toMatchObject({ name: { name: "sqrtA" }, value: { kind: "Binary", op: "*" } });
  });
  it("check", () => {
    expect(only("check contractive(z ↦ tanh(z @ W), below: 1)", "Check")).toMatchObject({
      contract: { kind: "Call", callee: { name: "contractive" }, args: [{ value: { kind: "Lambda" } }, { name: { name: "below" } }] },
    });
  });
});

describe("iterative constructs", () => {
  it("fixpoint with every clause", () => {
    const f = only("fixpoint z: f32[n] = tanh(z @ W + x @ U)\n  init zeros\n  method anderson(m: 5)\n  until residual < 1e-5 max 60\n  grad phantom(k: 5)", "Fixpoint");
    expect(f.target.name).toBe("z");
    expect(f.type).toMatchObject({ kind: "TensorType" });
    expect(f.body).toMatchObject({ kind: "Call", callee: { name: "tanh" } });
    expect(f.init).toMatchObject({ kind: "Name", name: "zeros" });
    expect(f.method).toMatchObject({ kind: "MethodSpec", name: { name: "anderson" }, args: [{ name: { name: "m" }, value: { value: 5 } }] });
    expect(f.until).toMatchObject({ kind: "Binary", op: "<", left: { name: "residual" } });
    expect(f.max).toMatchObject({ kind: "Number", value: 60 });
    expect(f.grad).toMatchObject({ kind: "GradSpec", mode: { name: "phantom" }, args: [{ name: { name: "k" } }] });
    expect(f.precond).toBeNull();
  });
  it("clauses in any order land in their fields; a spec without parentheses has null args", () => {
    const f = only("fixpoint z = T(z) max 10 grad implicit method picard init z0", "Fixpoint");
    expect(f.max).toMatchObject({ value: 10 });
    expect(f.grad).toMatchObject({ mode: { name: "implicit" }, args: null });
    expect(f.method).toMatchObject({ name: { name: "picard" }, args: null });
    expect(f.init).toMatchObject({ name: "z0" });
  });
  it("solve with method, precond and a typed unknown", () => {
    const s = only("solve A(u) = f\n  method cg(rtol: 1e-6, maxiter: 2000)\n  precond multigrid(smoother: jacobi(omega: 0.8, sweeps: 2), cycle: V)\n  -> u: f32[N, N]", "Solve");
    expect(s.lhs).toMatchObject({ kind: "Call", callee: { name: "A" } });
    expect(s.rhs).toMatchObject({ kind: "Name", name: "f" });
    expect(s.method).toMatchObject({ name: { name: "cg" } });
    expect(s.precond).toMatchObject({ name: { name: "multigrid" }, args: [{ name: { name: "smoother" }, value: { kind: "Call" } }, { name: { name: "cycle" } }] });
    expect(s.unknown.name).toBe("u");
    expect(s.unknownType).toMatchObject({ kind: "TensorType" });
  });
  it("solve without clauses", () => {
    expect(only("solve A(u) = f -> u", "Solve")).toMatchObject({ method: null, precond: null, unknown: { name: "u" }, unknownType: null });
  });
  it("minimize", () => {
    const m = only("minimize loss(x) init x0 method lbfgs() until gnorm < 1e-5 -> x", "Minimize");
    expect(m).toMatchObject({ objective: { kind: "Call" }, init: { name: "x0" }, method: { name: { name: "lbfgs" }, args: [] }, until: { op: "<" }, unknown: { name: "x" } });
  });
  it("loop: counter, bound, carry, body, clauses and outputs", () => {
    const src = "loop k < 25 carry (Y = A / s, Z: f32[n, n] = eye(n)) {\n  let T = 0.5 * (3 * eye(n) - Z @ Y)\n  Y = Y @ T\n  Z = T @ Z\n} until fro(Y) < 1 max 30 -> (Y, Z)";
    const l = only(src, "Loop");
    expect(l.counter?.name).toBe("k");
    expect(l.bound).toMatchObject({ kind: "Number", value: 25 });
    expect(l.carry.map((c) => [c.name.name, c.type?.kind ?? null, show(c.value)])).toEqual([
      ["Y", null, "(A / s)"],
      ["Z", "TensorType", "eye(n)"],
    ]);
    expect(l.body.map((s) => s.kind)).toEqual(["Let", "Assign", "Assign"]);
    expect(l.body[1]).toMatchObject({ kind: "Assign", names: [{ name: "Y" }], value: { op: "@" } });
    expect(l.until).toMatchObject({ op: "<" });
    expect(l.max).toMatchObject({ value: 30 });
    expect(l.outputs.map((o) => o.name)).toEqual(["Y", "Z"]);
  });
  it("loop bound is an additive expression: k < n + 1", () => {
    expect(only("loop k < n + 1 carry (x = 0) { x = x + 1 } -> x", "Loop").bound).toMatchObject({ kind: "Binary", op: "+" });
  });
  it("loop without counter, with until and max on later lines, single output", () => {
    const l = only("loop carry (x = 1.0) {\n  x = 0.5 * (x + 2 / x)\n}\n  until abs(x * x - 2) < 1e-6\n  max 50\n  -> x", "Loop");
    expect(l.counter).toBeNull();
    expect(l.bound).toBeNull();
    expect(l.until).not.toBeNull();
    expect(l.max).toMatchObject({ value: 50 });
    expect(l.outputs.map((o) => o.name)).toEqual(["x"]);
  });
  it("iterative constructs inside op and model blocks", () => {
    const m = only("model deq(x) {\n  fixpoint z = tanh(z @ W + x)\n    init zeros\n    max 60\n  solve A(u) = z -> u\n  loop k < 2 carry (y = u) { y = 2 * y } -> y\n  return y\n}", "Model");
    if (m.body.kind !== "Block") throw new Error("expected a block");
    expect(m.body.stmts.map((s) => s.kind)).toEqual(["Fixpoint", "Solve", "Loop", "Return"]);
  });
  it("a clause given twice is reported at the second one", () => {
    const { diagnostics } = parse("fixpoint z = z max 3 max 4", "t.iter");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].message).toBe("The clause `max` is given twice.");
    expect(diagnostics[0].span.start).toMatchObject({ line: 1, column: 22 });
  });
});

describe("train", () => {
  const src = [
    "train deq on toy {",
    "  loss mean((deq(x) - y)^2)",
    "  optimizer adam(lr: 3e-3)",
    "  epochs 30 batch 64 seed 0",
    '  checkpoint "runs/deq" every 100 steps',
    "}",
  ].join("\n");
  it("model, data and settings with their values", () => {
    const t = only(src, "Train");
    expect(t.model.name).toBe("deq");
    expect(t.data.name).toBe("toy");
    expect(t.settings.map((s) => s.key.name)).toEqual(["loss", "optimizer", "epochs", "batch", "seed", "checkpoint"]);
    expect(t.settings[0].value).toMatchObject({ kind: "Call", callee: { name: "mean" } });
    expect(t.settings[3].value).toMatchObject({ kind: "Number", value: 64 });
  });
  it("newline marks a setting that starts a line", () => {
    expect(only(src, "Train").settings.map((s) => s.newline)).toEqual([true, true, true, false, false, true]);
    expect(only("train m on d { loss f(x) epochs 3 }", "Train").settings.map((s) => s.newline)).toEqual([false, false]);
  });
  it("every holds the period and its unit", () => {
    const t = only(src, "Train");
    const cp = t.settings[5];
    expect(cp.value).toMatchObject({ kind: "String", value: "runs/deq" });
    expect(cp.every).toMatchObject({ count: { kind: "Number", value: 100 }, unit: { name: "steps" } });
    expect(cp.every!.span.start).toMatchObject({ line: 5, column: 25 });
    expect(t.settings.slice(0, 5).every((s) => s.every === null)).toBe(true);
  });
});

describe("newline rules", () => {
  it("a line ending with a binary operator continues", () => {
    expect(show(only("let a = 1 +\n  2", "Let").value)).toBe("(1 + 2)");
    expect(show(only("let a = x and\n  y", "Let").value)).toBe("(x and y)");
  });
  it("newlines inside parentheses and brackets are ignored", () => {
    expect(show(only("let a = f(1,\n  2\n)", "Let").value)).toBe("f(1, 2)");
    expect(show(only("let a = [[1, 2],\n  [3, 4]]", "Let").value)).toBe("T[T[1, 2], T[3, 4]]");
    expect(show(only("let a = (1\n + 2)", "Let").value)).toBe("[(1 + 2)]");
  });
  it("a line ending with = , : => -> ( [ continues", () => {
    expect(only("let a =\n  1", "Let").value).toMatchObject({ value: 1 });
    expect(only("let f = z =>\n  z", "Let").value).toMatchObject({ kind: "Lambda" });
    expect(only("op f(x) ->\n  f32 = x", "Op").result).toMatchObject({ dtype: "f32" });
  });
  it("a line starting with a clause word or -> continues", () => {
    const s = only("solve A(u) = f\n  method cg\n  precond jacobi\n  -> u", "Solve");
    expect(s.method).not.toBeNull();
    expect(s.precond).not.toBeNull();
    expect(only("loop k < 2\n  carry (x = 0) { x = 1 }\n  -> x", "Loop").carry).toHaveLength(1);
  });
  it("a line starting with a closing bracket continues", () => {
    expect(only("let a = f(\n  1\n)", "Let").value).toMatchObject({ kind: "Call" });
  });
  it("blank lines and comments between declarations are fine", () => {
    const { program, diagnostics } = parse("# head\n\nlet a = 1  # tail\n\n\n# mid\nlet b = 2\n", "t.iter");
    expect(diagnostics).toEqual([]);
    expect(program.decls).toHaveLength(2);
    expect(program.comments.map((c) => c.text)).toEqual(["# head", "# tail", "# mid"]);
    expect(program.comments[1].span.start).toMatchObject({ line: 3, column: 12 });
  });
  it("a line starting with an operator does not continue", () => {
    const { diagnostics } = parse("let a = 1\n  + 2", "t.iter");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].span.start).toMatchObject({ line: 2, column: 3 });
  });
  it("a newline ends a statement: two statements on one line are an error", () => {
    const { diagnostics } = parse("let a = 1 let b = 2", "t.iter");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].span.start).toMatchObject({ line: 1, column: 11 });
  });
  it("windows line endings", () => {
    expect(decls("dim N = 4\r\nlet a = N +\r\n  1\r\n")).toHaveLength(2);
  });
});

describe("spans", () => {
  const source = "dim N = 8\ninput f: f32[N, N]\n\nop A(u: f32[n, n]) =\n  stencil5(u) * (n + 1)^2\n";
  const { program } = parse(source, "t.iter");
  it("declarations start at their keyword", () => {
    expect(program.decls.map((d) => [d.kind, d.span.start.line, d.span.start.column])).toEqual([
      ["Dim", 1, 1],
      ["Input", 2, 1],
      ["Op", 4, 1],
    ]);
  });
  it("names, types and expressions carry their own line and column", () => {
    const input = program.decls[1] as A.InputDecl;
    expect(input.name.span.start).toMatchObject({ line: 2, column: 7, offset: 16 });
    expect(input.type.span.start).toMatchObject({ line: 2, column: 10 });
    expect(input.type.span.end).toMatchObject({ line: 2, column: 19 });
    const op = program.decls[2] as A.OpDecl;
    if (op.body.kind !== "ExprBody") throw new Error("expected an expression body");
    const body = op.body.expr as A.Binary;
    expect(body.span.start).toMatchObject({ line: 5, column: 3 });
    expect(body.right.span.start).toMatchObject({ line: 5, column: 17 });
    expect(body.span.end).toMatchObject({ line: 5, column: 26 });
  });
  it("offsets index the source", () => {
    const input = program.decls[1] as A.InputDecl;
    expect(source.slice(input.name.span.start.offset, input.name.span.end.offset)).toBe("f");
    expect(source.slice(input.type.span.start.offset, input.type.span.end.offset)).toBe("f32[N, N]");
  });
});

describe("the DESIGN.md sketches", () => {
  const design = readFileSync(join(root, "docs", "language.md"), "utf8");
  it("all three parse (as rewritten in the reference)", () => {
    const start = design.indexOf("## The design sketches");
    const blocks = [...design.slice(start).matchAll(/```iter\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const kinds = blocks.map((b) => decls(b).map((d) => d.kind));
    expect(kinds[0]).toEqual(["Dim", "Input", "Op", "Solve", "Export"]);
    expect(kinds[1]).toEqual(["Dim", "ParamDecl", "ParamDecl", "ParamDecl", "Model", "Data", "Train", "Let", "Check"]);
    expect(kinds[2]).toEqual(["Input", "Let", "Loop", "Export"]);
  });
});

describe("recovery", () => {
  it("three independent errors are all reported", () => {
    const src = "dim N = 4\nlet a = 1 ** 2\ninput f f32[N]\nlet b = (3\nexport a\n";
    const { diagnostics } = parse(src, "t.iter");
    expect(diagnostics.map((d) => d.span.start.line)).toEqual([2, 3, 4]);
  });
  it("declarations after an error are still in the AST", () => {
    const { program } = parse("let a = 1 ** 2\nlet b = 2\nexport b\n", "t.iter");
    expect(program.decls.map((d) => d.kind)).toContain("Export");
  });
  it("errors in an op block and after it are reported", () => {
    const { diagnostics } = parse("op f(x) {\n  let y = x +\n  let z =\n  return z\n}\nlet w 3\n", "t.iter");
    expect(diagnostics.map((d) => d.span.start.line)).toEqual([2, 3, 6]);
  });
  it("diagnostics come in source order, each with a message, a file and an error severity", () => {
    const { diagnostics } = parse("let x 1\nlet y = 2;\ndef f(x) = x\ninput z: float\n", "bad.iter");
    expect(diagnostics).toHaveLength(4);
    const offsets = diagnostics.map((d) => d.span.start.offset);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
    for (const d of diagnostics) expect(d).toMatchObject({ severity: "error", code: "syntax", file: "bad.iter" });
  });
  it("the number of diagnostics is capped", () => {
    const src = Array.from({ length: 60 }, (_, i) => `let a${i} = 1 ** 2`).join("\n");
    const { diagnostics } = parse(src, "t.iter");
    expect(diagnostics).toHaveLength(MAX_SYNTAX_ERRORS);
  });
  it("an empty file and a comment-only file are valid", () => {
    expect(decls("")).toEqual([]);
    expect(decls("# nothing here\n")).toEqual([]);
    expect(decls("\n\n\n")).toEqual([]);
  });
});

// Forms docs/grammar.md excludes, which the parser once accepted silently.
describe("forms outside the grammar are errors", () => {
  const errors = (src: string) => parse(src, "t.iter").diagnostics.length;
  it("an empty index `a[]` is an error (index := expr | expr? \":\" ...)", () => {
    expect(errors("let x = a[]")).toBeGreaterThan(0);
  });
  it("an empty index item `a[1:2, ]` is an error", () => {
    expect(errors("let x = a[1:2, ]")).toBeGreaterThan(0);
  });
  it("a tuple type has two or more items: `(f32)` is an error", () => {
    expect(errors("let x: (f32) = 1")).toBeGreaterThan(0);
  });
  it("a lambda has at least one parameter: `() => 1` is an error", () => {
    expect(errors("let f = () => 1")).toBeGreaterThan(0);
  });
  it("a `use` name list comes last: `use std.{a}.b` is an error", () => {
    expect(errors("use std.{a}.b")).toBeGreaterThan(0);
  });
  it("CRLF line endings count one line each", () => {
    const { diagnostics } = parse("let s = 1\r\nlet t = 1 ** 2\r\n", "t.iter");
    expect(diagnostics[0].span.start).toMatchObject({ line: 2, column: 11 });
  });
});

describe("line endings", () => {
  it("LF line endings give exact positions", () => {
    const { diagnostics } = parse("let s = 1\nlet t = 1 ** 2\n", "t.iter");
    expect(diagnostics[0].span.start).toMatchObject({ line: 2, column: 11, offset: 20 });
  });
});

describe("compile-time if", () => {
  it("parses as the loosest expression, its branches full expressions", () => {
    expect(show(expr("if n <= 3 then a + 1 else b * 2"))).toBe("(if (n <= 3) then (a + 1) else (b * 2))");
    expect(show(expr("1 + (if c then 2 else 3)"))).toBe("(1 + [(if c then 2 else 3)])"); // [...] is a Paren
  });
  it("continues across lines at `then` and `else`", () => {
    expect(show(expr("if c\n  then x\n  else y"))).toBe("(if c then x else y)");
  });
});

describe("the grammar itself", () => {
  it("passes chevrotain's validations (no ambiguity, no left recursion)", async () => {
    const { IterParser } = await import("../../grammar/parser.js");
    expect(() => new IterParser(true)).not.toThrow();
  });
});
