// How the checker reports: one mistake gives one diagnostic (names whose definition failed are
// poisoned), planned constructs are warned about rather than refused, and the wording points
// at what to change ("did you mean", "defined later").
import { describe, expect, it } from "vitest";
import { diagnose, errors, lines, report } from "./helpers.js";

describe("poisoning: one mistake, one error", () => {
  it("a failed let is silent at its three uses", () => {
    const src = lines("dim N = 8", "input x: f32[N]", "let a = x @ ones(N + 1)", "let b = a + 1", "let c = 2 * a + b", "export c");
    expect(errors(src)).toHaveLength(1);
  });

  it("a fixpoint without a shape is reported once, and its uses are silent", () => {
    const src = lines("dim N = 8", "input x: f32[N]", "fixpoint z = 0.5 * z + x", "let y = z + 1", "export z");
    expect(errors(src)).toEqual(["3:10 error I can't tell the shape of `z`: it is defined only by its own equation."]);
  });

  it("a failed carry poisons the name inside and after the loop", () => {
    const src = lines("loop k < 3 carry (x = nope) {", "  x = x + 1", "} -> x", "export x");
    expect(errors(src)).toEqual(["1:23 error I don't know the name `nope`."]);
  });

  it("an input whose type fails is silent where it is used", () => {
    const src = lines("input x: f32[K + K * K]", "let y = 2 * x", "export y");
    expect(errors(src)).toHaveLength(1);
  });

  it("a tuple that does not unpack poisons every name", () => {
    const src = lines("input x: f32[4]", "let (a, b, c) = (x, x)", "export a", "export c");
    expect(errors(src)).toEqual(["2:17 error This gives a tuple (f32[4], f32[4]), which does not unpack into 3 names."]);
  });

  it("a misspelt named argument is not also a missing argument", () => {
    const src = lines("input u: f32[8, 8]", "let Lu = stencil5(u, centre: 4, side: -1)");
    expect(errors(src)).toEqual(["2:22 error `stencil5` has no argument `centre`."]);
  });

  it("an op body failing at two calls is reported once", () => {
    const src = lines("input a: f32[4]", "input b: f32[6]", "op f(v: f32[n]) = v @ ones(n + 1)", "export p = f(a)", "export q = f(b)");
    expect(errors(src)).toHaveLength(1);
  });

  it("code after `return` is reported, not also a missing `return`", () => {
    expect(errors(lines("op f(x: f32[n]) {", "  return 2 * x", "  let y = x", "}"))).toEqual(["3:3 error Nothing after `return` is ever computed."]);
  });

  it("independent mistakes are each reported, in source order", () => {
    const src = lines("input x: f32[4]", "let a = x + ones(5)", "let b = normm(x)", "let c = a * b", "export d = not x");
    expect(errors(src).map((e) => e.split(" ")[0])).toEqual(["2:9", "3:9", "5:16"]);
  });
});

describe("planned constructs are warnings, not errors", () => {
  const model = [
    "dim B, D = 8, H = 16",
    "param W: f32[D, H] init glorot(seed: 1)",
    "param V: f32[H, 1] init glorot(seed: 2)",
    "model mlp(x: f32[B, D]) -> f32[B, 1] = tanh(x @ W) @ V",
  ];

  it("data, train and check run: nothing of them is planned any more", () => {
    const src = lines(...model, 'data toy = csv("toy.csv", x: 0..D, y: D)', "train mlp on toy {", "  loss mean((mlp(x) - y)^2)", "  epochs 3", "}", "check fro(W) < 1");
    expect(diagnose(src)).toEqual([]);
  });

  it("a contract's lambda is checked for its names, also before its points have a type", () => {
    const src = lines("dim N = 8", "input W: f32[N, N]", "check contractive(z => tanh(Wx @ z), below: 1)");
    expect(report(src)).toEqual([
      "3:19 error I need the type of `z` to draw points for this lambda.",
      "3:29 error I don't know the name `Wx`.",
    ]);
  });

  it("a contract that is not a condition", () => {
    expect(errors(lines("input W: f32[4, 4]", "check fro(W)"))[0]).toMatch(/^2:7 error A contract is a true\/false condition/);
  });
});

describe("names", () => {
  it("a use before the definition says where the definition is", () => {
    const [d] = diagnose(lines("let b = a + 1", "let a = 2.0"));
    expect(d.message).toBe("`a` is used before it is defined.");
    expect(d.notes).toEqual(["`a` is defined on line 2."]);
  });

  it("a size used before its `dim` is not taken for a new size of the input", () => {
    expect(errors(lines("input x: f32[N]", "dim N = 8"))).toEqual(["1:14 error The size `N` is used before it is declared."]);
  });

  it("suggests a name with two letters swapped", () => {
    expect(diagnose(lines("input rhs: f32[4]", "let r = rsh + 1"))[0].hint).toBe("did you mean `rhs`?");
  });

  it("does not suggest an unrelated one-letter name, only a change of case", () => {
    expect(diagnose(lines("dim N = 4", "let b = a + 1"))[0].hint).not.toMatch(/did you mean/);
    expect(diagnose(lines("dim N = 4", "let b = n + 1"))[0].hint).toBe("did you mean `N`?");
  });

  it("suggests only sizes for an unknown size", () => {
    expect(diagnose(lines("dim Hid = 8", "let hidd = 1.0", "param W: f32[Hidd]"))[0].hint).toBe("did you mean `Hid`?");
  });

  it("a block may hide an outer name, but not define one twice", () => {
    expect(errors(lines("let x = 1.0", "op f(v: f32[n]) {", "  let x = 2 * v", "  return x", "}"))).toEqual([]);
    expect(errors(lines("let x = 1.0", "let x = 2.0"))).toEqual(["2:5 error `x` is already defined on line 1."]);
  });
});

describe("methods and stopping rules", () => {
  const head = ["input f: f32[8]", "op A(u: f32[n]) is spd = 2 * u"];

  it("a nested call where a method option takes a name says how to write it", () => {
    const ds = diagnose(lines(...head, "solve A(u) = f precond multigrid(smoother: jacobi(omega: 0.8)) -> u"));
    expect(ds.map((d) => d.message)).toEqual(["`smoother` of `multigrid` takes a name, not a call."]);
    expect(ds[0].hint).toBe("write `smoother: jacobi`; its settings are options of `multigrid` itself: `multigrid(smoother: jacobi, omega: 0.8)`.");
  });

  it("a stopping rule on residual and rel_residual, joined by or, is accepted", () => {
    expect(errors(lines(...head, "solve A(u) = f until residual < 1e-5 or rel_residual <= 1e-6 max 100 -> u"))).toEqual([]);
  });

  it("a relative tolerance finer than float32 in `until` is refused", () => {
    expect(errors(lines(...head, "solve A(u) = f until rel_residual < 1e-9 -> u"))).toEqual([
      "3:22 error `rel_residual < 1e-9` is finer than float32 arithmetic can reach.",
    ]);
  });
});
