// Shape rules on symbolic sizes, as the checker calls them.
import { describe, expect, it } from "vitest";
import { opNames, getOp, type StaticValue } from "../../compiler/ops/index.js";
import { type Dim, dimAdd, dimConst, dimMul, dimSym } from "../../compiler/shapes.js";
import { type TensorT, tensor, typeToString } from "../../compiler/types.js";

const N = dimSym("N");
const M = dimSym("M");
const K = dimSym("K");
const n = dimSym("n");
const c = dimConst;
const f32 = (...shape: Dim[]): TensorT => tensor("f32", shape);

/** The result type as text, or the message. */
function shape(name: string, tensors: (TensorT | undefined)[], statics: Record<string, StaticValue> = {}, expected?: TensorT): string {
  const spec = getOp(name);
  if (!spec) throw new Error(`no builtin ${name}`);
  const full: Record<string, StaticValue> = {};
  for (const p of spec.params) if (p.kind !== "tensor") full[p.name] = p.name in statics ? statics[p.name] : (p.default ?? null);
  const t = spec.shape({ tensors, statics: full, expected });
  return typeof t === "string" ? `error: ${t}` : typeToString(t);
}

describe("every builtin", () => {
  it("has a one-line doc and named params", () => {
    expect(opNames().length).toBeGreaterThan(60);
    for (const name of opNames()) {
      const spec = getOp(name)!;
      expect(spec.doc.length, name).toBeGreaterThan(5);
      expect(spec.doc.includes("\n"), name).toBe(false);
    }
  });
});

describe("broadcasting", () => {
  it("[N, 1] with [1, M] gives [N, M]", () => {
    expect(shape("add", [f32(N, c(1)), f32(c(1), M)])).toBe("f32[N, M]");
    expect(shape("lt", [f32(N, c(1)), f32(M)])).toBe("bool[N, M]");
    expect(shape("where", [tensor("bool", [N, c(1)]), f32(c(1), M), tensor("i32", [])])).toBe("f32[N, M]");
  });

  it("N against M is a message naming both shapes", () => {
    expect(shape("mul", [f32(N), f32(M)])).toBe("error: `mul` needs shapes that broadcast: the shapes [N] and [M] do not broadcast (N vs M)");
  });

  it("N + 1 equals 1 + N", () => {
    expect(shape("sub", [f32(dimAdd(N, c(1))), f32(dimAdd(c(1), N))])).toBe("f32[N + 1]");
  });
});

describe("matmul", () => {
  it("symbolic products and batches", () => {
    expect(shape("matmul", [f32(N, K), f32(K, M)])).toBe("f32[N, M]");
    expect(shape("matmul", [f32(K), f32(K, M)])).toBe("f32[M]");
    expect(shape("matmul", [f32(N, K), f32(K)])).toBe("f32[N]");
    expect(shape("matmul", [f32(K), f32(K)])).toBe("f32");
    expect(shape("matmul", [f32(c(1), N, K), f32(M, K, N)])).toBe("f32[M, N, N]");
  });

  it("mismatches name both shapes and both sizes", () => {
    expect(shape("matmul", [f32(N, M), f32(K, N)])).toBe(
      "error: `@` needs the inner sizes to agree: `f32[N, M]` @ `f32[K, N]` has M vs K",
    );
    expect(shape("matmul", [f32(c(2), N, N), f32(c(3), N, N)])).toMatch(/batch dims that broadcast/);
  });
});

describe("reshape", () => {
  it("compares element counts as polynomials", () => {
    expect(shape("reshape", [f32(N, M)], { dims: [dimMul(N, M)] })).toBe("f32[M*N]");
    expect(shape("reshape", [f32(N, N)], { dims: [N, c(-1)] })).toMatch(/only when the other sizes are positive constants/);
    expect(shape("reshape", [f32(c(2), N)], { dims: [c(-1), c(2)] })).toBe("f32[N, 2]");
    expect(shape("reshape", [f32(N, M)], { dims: [N, N] })).toBe(
      "error: `reshape` needs the same number of entries: `f32[N, M]` has M*N, [N, N] has N*N",
    );
    expect(shape("flatten", [f32(N, dimAdd(N, c(1)))])).toBe("f32[N*N + N]");
  });
});

describe("index on symbolic shapes", () => {
  it("slices, negative bounds, single indices", () => {
    expect(shape("index", [f32(N, M)], { spec: "1:-1, #", bounds: [c(0)] })).toBe("f32[N - 2]");
    expect(shape("index", [f32(N, M)], { spec: "-1" })).toBe("f32[M]");
    expect(shape("index", [f32(N)], { spec: "#:#", bounds: [c(1), N] })).toBe("f32[N - 1]");
    expect(shape("index", [f32(N)], { spec: "::-1" })).toBe("f32[N]");
  });

  it("strided lengths: exact when the size says its parity", () => {
    const twoN = dimMul(c(2), n);
    const twoN1 = dimAdd(twoN, c(1));
    expect(shape("index", [f32(twoN)], { spec: "::2" })).toBe("f32[n]");
    expect(shape("index", [f32(twoN1)], { spec: "::2" })).toBe("f32[n + 1]");
    expect(shape("index", [f32(twoN1)], { spec: "1::2" })).toBe("f32[n]");
  });
});

describe("other families on symbolic sizes", () => {
  it("reductions", () => {
    expect(shape("sum", [f32(N, M)], { axis: 0 })).toBe("f32[M]");
    expect(shape("mean", [f32(N, M)], { axis: -1, keepdims: true })).toBe("f32[N, 1]");
    expect(shape("norm", [f32(N)])).toBe("f32");
    expect(shape("dot", [f32(N), f32(M)])).toBe("error: `dot` needs two tensors of the same shape: `f32[N]` and `f32[M]`");
  });

  it("linalg", () => {
    expect(shape("transpose", [f32(N, M, K)])).toBe("f32[K, M, N]");
    expect(shape("eye", [], { n: N })).toBe("f32[N, N]");
    expect(shape("diagonal", [f32(N, N)])).toBe("f32[N]");
    expect(shape("diagonal", [f32(N, M)])).toMatch(/square matrix or concrete sizes/);
    expect(shape("outer", [f32(N), f32(M)])).toBe("f32[N, M]");
  });

  it("creation and random take dims or the expected type", () => {
    expect(shape("zeros", [], { dims: [N, dimAdd(N, c(1))] })).toBe("f32[N, N + 1]");
    expect(shape("normal", [], {}, f32(N, M))).toBe("f32[N, M]");
    expect(shape("glorot", [], {})).toMatch(/needs sizes here/);
    expect(shape("grid", [], { n, axis: 1 })).toBe("f32[n, n]");
    expect(shape("grid", [], { n, axis: 2 })).toMatch(/axis: 0/);
  });

  it("stencils, conv, concat, pad, spectral", () => {
    expect(shape("stencil5", [f32(n, n)], { center: 4, side: -1 })).toBe("f32[n, n]");
    expect(shape("stencil5", [f32(n)], { center: 4, side: -1 })).toMatch(/needs a 2D grid/);
    expect(shape("conv", [f32(c(8), N, c(3)), f32(c(3), c(3), c(4))], { padding: "valid" })).toBe("f32[8, N - 2, 4]");
    expect(shape("concat", [f32(N, M), f32(K, M)])).toBe("f32[K + N, M]");
    expect(shape("pad", [f32(N, M)], { width: [c(2)] })).toBe("f32[N, M + 4]");
    expect(shape("slice", [f32(N, M)], { start: c(1), size: dimAdd(N, c(-2)) })).toBe("f32[N - 2, M]");
    expect(shape("slice", [f32(N, M)], { start: c(-3), axis: c(1) })).toBe("f32[N, 3]");
    expect(shape("rfft", [f32(K, dimMul(c(2), n))])).toBe("f32[K, n + 1, 2]");
    expect(shape("irfft", [f32(dimAdd(n, c(1)), c(2))])).toBe("f32[2*n]");
    expect(shape("fft", [f32(N, c(3))])).toMatch(/complex data/);
  });
});
