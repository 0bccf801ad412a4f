// Size-polymorphic ops: each call binds the sizes of the parameter types from its arguments and
// checks the body once for that instance; ops take ops, lambdas and builtins as arguments.
import { describe, expect, it } from "vitest";
import { diagnose, errors, lines } from "./helpers.js";

const A = "op A(u: f32[n, n]) = stencil5(u, center: 4, side: -1) * (n + 1)^2";

describe("size-polymorphic instances", () => {
  it("the same op at two sizes gives each call its own result type", () => {
    const src = lines("dim N = 8, M = 4", "input a: f32[N, N]", "input b: f32[M, M]", A, "let x: f32[N, N] = A(a)", "let y: f32[M, M] = A(b)");
    expect(errors(src)).toEqual([]);
  });

  it("a result used at the wrong size names both types", () => {
    const src = lines("dim N = 8, M = 4", "input a: f32[N, N]", "input b: f32[M, M]", A, "let x: f32[N, N] = A(b)");
    expect(errors(src)).toEqual(["5:20 error `x` is declared as f32[N, N], but the value is f32[M, M]."]);
  });

  it("binds affine patterns: restriction from 2m + 1 to m", () => {
    const restrict = "op restrict(v: f32[2 * m + 1, 2 * m + 1]) -> f32[m, m] = v[1::2, 1::2]";
    // (A second level, from f32[M, M], needs M's parity: the index rule's strided length of a
    // symbolic size assumes it divides, so that level is checked with concrete sizes below.)
    const src = lines("dim M = 15", "input u: f32[2 * M + 1, 2 * M + 1]", restrict, "let c: f32[M, M] = restrict(u)");
    expect(errors(src)).toEqual([]);
  });

  it("with concrete sizes, the same restriction from a plain N", () => {
    const restrict = "op restrict(v: f32[2 * m + 1, 2 * m + 1]) -> f32[m, m] = v[1::2, 1::2]";
    const src = lines("dim N", "input u: f32[N, N]", restrict, "let c: f32[31, 31] = restrict(u)", "let cc: f32[15, 15] = restrict(c)");
    expect(errors(src, { N: 63 })).toEqual([]);
  });

  it("a body that fails at only one size says which call, once", () => {
    const src = lines("dim N = 8", "input a: f32[N]", "input b: f32[1]", "op f(v: f32[n]) = v[1:n] + v", "export x = f(a)", "export y = f(b)");
    const ds = diagnose(src);
    expect(ds.map((d) => `${d.span.start.line}:${d.span.start.column}`)).toEqual(["4:19"]);
    expect(ds[0].notes).toContain("in the call of `f` on line 5, where `n` is N.");
  });

  it("an op nobody calls is still checked, with its sizes symbolic and no call named", () => {
    const ds = diagnose(lines("op f(v: f32[n]) = v @ ones(n + 1)"));
    expect(ds.map((d) => d.message)).toEqual(["`@` needs the inner sizes to agree: `f32[n]` @ `f32[n + 1]` has n vs n + 1."]);
    expect(ds[0].notes ?? []).not.toContainEqual(expect.stringContaining("in the call"));
  });

  it("a declared dim in a parameter type is fixed, not bound per call", () => {
    const src = lines("dim n = 32", "input a: f32[16]", "op double(v: f32[n]) = 2 * v", "export y = double(a)");
    expect(errors(src)).toEqual(["4:19 error `double` expects `v` to be f32[n], but this argument is f32[16]."]);
  });

  it("an argument that breaks a size bound by an earlier dimension says which", () => {
    const ds = diagnose(lines("dim N = 8", "input f: f32[N, N + 1]", A, "export r = A(f)"));
    expect(ds[0].notes).toContain("`n` is N from the earlier dimensions, so dimension 2 should be N, but it is N + 1.");
  });
});

describe("operators as arguments", () => {
  const head = ["dim N = 4", "input W: f32[N, N]", "input x: f32[N]"];

  it("takes an op by name, a lambda, a builtin, and passes them on", () => {
    const src = lines(
      ...head,
      "op twice(M: op, v: f32[n]) = M(M(v))",
      "op apply(M: op(f32[n]) -> f32[n], v: f32[n]) = M(v)",
      "op layer(v: f32[n]) = tanh(W @ v)",
      "let a: f32[N] = twice(layer, x)",
      "let b: f32[N] = twice(z => 0.5 * z, x)",
      "let c: f32[N] = apply(sin, x)",
      "let d: f32[N] = apply(z => twice(layer, z), x)",
    );
    expect(errors(src)).toEqual([]);
  });

  it("a lambda sees the names around it and is checked at each use", () => {
    const src = lines(...head, "op apply(M: op, v: f32[n]) = M(v)", "let y = apply(z => W @ z + x, x)", "let bad = apply(z => W @ z, ones(N + 1))");
    expect(errors(src)).toEqual(["6:22 error `@` needs the inner sizes to agree: `f32[N, N]` @ `f32[N + 1]` has N vs N + 1."]);
  });

  it("two lambdas with the same text are two instances, each checked", () => {
    const src = lines(...head, "op apply(M: op, v: f32[n]) = M(v)", "let p = apply(z => z * x, x)", "let q = apply(z => z * x, ones(2))");
    expect(errors(src)).toEqual(["6:20 error The two sides of `*` have shapes that do not fit together."]);
  });

  it("a lambda called with the wrong number of arguments is reported at the lambda", () => {
    const src = lines(...head, "op apply(M: op, v: f32[n]) = M(v)", "let y = apply((a, b) => a * b, x)");
    expect(errors(src)).toEqual(["5:15 error This lambda takes 2 parameters, but it is called with 1 argument."]);
  });

  it("an op used only through a parameter counts as used (not re-checked generically)", () => {
    const src = lines("dim N = 4", "input W: f32[N, N]", "input x: f32[N]", "op apply(M: op, v: f32[n]) = M(v)", "op layer(v: f32[n]) = tanh(W @ v)", "let y = apply(layer, x)");
    expect(errors(src)).toEqual([]);
  });

  it("a tensor where an operator is expected", () => {
    const src = lines(...head, "op apply(M: op, v: f32[n]) = M(v)", "let y = apply(x, x)");
    expect(errors(src)).toEqual(["5:15 error `M` of `apply` is an operator; pass an op's name or a lambda such as `x => 2 * x`."]);
  });

  it("grad, jvp and vjp take ops and lambdas", () => {
    const src = lines(
      ...head,
      "op energy(u: f32[n]) = 0.5 * sum(u^2)",
      "let g: f32[N] = grad(energy, x)",
      "let t: f32[N] = jvp(z => W @ z, x, x)",
      "let c: f32[N] = vjp(z => W @ z, x, ones(N))",
    );
    expect(errors(src)).toEqual([]);
  });
});

describe("recursion", () => {
  it("over shrinking sizes, with a declared result type, checks", () => {
    const src = lines(
      "dim N = 64",
      "input x: f32[N]",
      "op total(v: f32[n]) -> f32 = if n <= 1 then sum(v) else total(v[0:n / 2]) + total(v[n / 2:n])",
      "export y = total(x)",
    );
    expect(errors(src)).toEqual([]);
  });

  it("without a declared result type is refused", () => {
    const src = lines("dim N = 8", "input x: f32[N]", "op f(v: f32[n]) = if n <= 1 then v else f(v[1:n])", "export y = f(x)");
    expect(errors(src)).toEqual(["3:41 error `f` calls itself, so it must declare its result type."]);
  });

  it("at the same sizes never ends, and says so", () => {
    const src = lines("dim N = 8", "input x: f32[N]", "op f(v: f32[n]) -> f32[n] = 0.5 * f(v)", "export y = f(x)");
    expect(errors(src)).toEqual(["3:35 error `f` calls itself with the same sizes, so the recursion would never end."]);
  });
});
