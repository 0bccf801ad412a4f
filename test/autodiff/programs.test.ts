// Random differentiable programs: forward mode, reverse mode and grad agree with each other
// and with float64 central differences.
//
// fast-check (fixed seed) draws an expression tree over a vector x of length 3–6 from the
// differentiable ops — tanh, sin, cos, sigmoid, square, exp of a halved value, + − *, division
// by a positive expression (1.25 + b²), a fixed random matrix M @ a, sum/mean/dot reductions
// broadcast back onto a vector, maximum, where with a fixed mask — renders it as an iterlang
// `op f(v: f32[n])` and evaluates it with a float64 evaluator of the same tree. The program
// exports jvp(f, x, t), vjp(f, x, c), grad of the scalar s(v) = sum(f(v) * c) and vjp of s at
// the cotangent 1. Checked:
//   - jvp ≈ J·t and vjp ≈ Jᵀ·c entrywise, J by float64 central differences;
//   - ⟨c, J·t⟩ (differences) ≈ ⟨vjp(c), t⟩: reverse against forward, one number;
//   - ⟨c, jvp(t)⟩ ≈ ⟨vjp(c), t⟩: the two modes of the compiler against each other;
//   - grad(s) equals vjp(s, 1) (the same reverse sweep seeded with 1), and equals vjp(f, c).
//
// Tolerances. The trees compose up to ~12 ops, so the float32 error of an entry is not tied to
// the entry's own size (a derivative factor such as 1 − tanh² loses its digits when small):
// each entry is compared within RTOL_PROGRAM = 1e-4 of the largest absolute-value sum of the
// result, ‖ |J|·|t| ‖∞ (or ‖ |J|ᵀ·|c| ‖∞) — the norm-wise form of the rule tests' bound. On
// the 1000 trees measured while writing this test, the worst error was 1.4e-6 of that
// scale. Draws stay where float32 and the differences are meaningful: every intermediate
// |value| ≤ 30, and each maximum's operands at least 0.02 apart at x and on the same side at
// every point the differences evaluate (so no step crosses a kink).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkDerivatives, exportsOf, get, inputs, run } from "./harness.js";
import { inner, innerAbs, STEPS, type T, tensor, uniform } from "./reference.js";

const RTOL_PROGRAM = 1e-4;
const RUNS = 36;

type Unary = "tanh" | "sin" | "cos" | "sigmoid" | "square" | "exp";
type Node =
  | { k: "x" }
  | { k: "unary"; f: Unary; a: Node }
  | { k: "arith"; f: "+" | "-" | "*"; a: Node; b: Node }
  | { k: "div"; a: Node; b: Node }
  | { k: "matmul"; a: Node }
  | { k: "reduce"; f: "sum" | "mean" | "dot"; a: Node; b: Node }
  | { k: "maximum"; a: Node; b: Node }
  | { k: "where"; a: Node; b: Node };

const UNARIES: readonly Unary[] = ["tanh", "sin", "cos", "sigmoid", "square", "exp"];

const { node: nodeArb } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 5, depthSize: "medium", withCrossShrink: true },
    fc.constant<Node>({ k: "x" }),
    fc.record({ k: fc.constant("unary" as const), f: fc.constantFrom(...UNARIES), a: tie("node") }),
    fc.record({ k: fc.constant("arith" as const), f: fc.constantFrom("+" as const, "-" as const, "*" as const), a: tie("node"), b: tie("node") }),
    fc.record({ k: fc.constant("div" as const), a: tie("node"), b: tie("node") }),
    fc.record({ k: fc.constant("matmul" as const), a: tie("node") }),
    fc.record({ k: fc.constant("reduce" as const), f: fc.constantFrom("sum" as const, "mean" as const, "dot" as const), a: tie("node"), b: tie("node") }),
    fc.record({ k: fc.constant("maximum" as const), a: tie("node"), b: tie("node") }),
    fc.record({ k: fc.constant("where" as const), a: tie("node"), b: tie("node") }),
  ),
}));

/** How many ops the tree has (leaves are not ops). */
function opCount(e: Node): number {
  if (e.k === "x") return 0;
  return 1 + opCount(e.a) + ("b" in e ? opCount(e.b) : 0);
}

/** The tree as an iterlang expression of `v`, the matrix `M` and the mask `m`. */
function render(e: Node): string {
  switch (e.k) {
    case "x":
      return "v";
    case "unary":
      return e.f === "exp" ? `exp(0.5 * ${render(e.a)})` : `${e.f}(${render(e.a)})`;
    case "arith":
      return `(${render(e.a)} ${e.f} ${render(e.b)})`;
    case "div":
      return `(${render(e.a)} / (1.25 + square(${render(e.b)})))`;
    case "matmul":
      return `(M @ ${render(e.a)})`;
    case "reduce":
      // Each reduction's scalar broadcast back onto a vector.
      return e.f === "sum" ? `(sum(${render(e.a)}) * ${render(e.b)})` : e.f === "mean" ? `(mean(${render(e.a)}) + ${render(e.b)})` : `(0.25 * dot(${render(e.a)}, ${render(e.b)}) + ${render(e.b)})`;
    case "maximum":
      return `maximum(${render(e.a)}, ${render(e.b)})`;
    case "where":
      return `where(m > 0, ${render(e.a)}, ${render(e.b)})`;
  }
}

/** What the float64 evaluation saw besides the value: the sizes and the branches taken. */
interface Trace {
  maxAbs: number;
  /** The smallest |a − b| over every maximum's entries. */
  gap: number;
  /** Which operand each maximum took, entry by entry, in evaluation order. */
  branches: boolean[];
}

interface Fixed {
  M: number[][];
  mask: number[];
}

const SIG: Record<Unary, (x: number) => number> = {
  tanh: Math.tanh,
  sin: Math.sin,
  cos: Math.cos,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  square: (x) => x * x,
  exp: (x) => Math.exp(0.5 * x),
};

/** The tree in float64, on a vector. */
function evaluate(e: Node, x: readonly number[], k: Fixed, tr: Trace): number[] {
  const seen = (v: number[]): number[] => {
    for (const y of v) tr.maxAbs = Math.max(tr.maxAbs, Number.isFinite(y) ? Math.abs(y) : Infinity);
    return v;
  };
  const ev = (n: Node): number[] => evaluate(n, x, k, tr);
  switch (e.k) {
    case "x":
      return [...x];
    case "unary":
      return seen(ev(e.a).map(SIG[e.f]));
    case "arith": {
      const [a, b] = [ev(e.a), ev(e.b)];
      return seen(a.map((p, i) => (e.f === "+" ? p + b[i] : e.f === "-" ? p - b[i] : p * b[i])));
    }
    case "div": {
      const [a, b] = [ev(e.a), ev(e.b)];
      return seen(a.map((p, i) => p / (1.25 + b[i] * b[i])));
    }
    case "matmul": {
      const a = ev(e.a);
      return seen(k.M.map((row) => row.reduce((s, mij, j) => s + mij * a[j], 0)));
    }
    case "reduce": {
      const [a, b] = [ev(e.a), ev(e.b)];
      const sum = a.reduce((s, p) => s + p, 0);
      if (e.f === "sum") return seen(b.map((q) => sum * q));
      if (e.f === "mean") return seen(b.map((q) => sum / a.length + q));
      const d = a.reduce((s, p, i) => s + p * b[i], 0);
      return seen(b.map((q) => 0.25 * d + q));
    }
    case "maximum": {
      const [a, b] = [ev(e.a), ev(e.b)];
      a.forEach((p, i) => {
        tr.gap = Math.min(tr.gap, Math.abs(p - b[i]));
        tr.branches.push(p >= b[i]);
      });
      return seen(a.map((p, i) => Math.max(p, b[i])));
    }
    case "where": {
      const [a, b] = [ev(e.a), ev(e.b)];
      return seen(a.map((p, i) => (k.mask[i] > 0 ? p : b[i])));
    }
  }
}

const trace = (): Trace => ({ maxAbs: 0, gap: Infinity, branches: [] });

/** Every point the central differences will evaluate: x + s·t and x + s·e_j for each step s. */
function probePoints(x: readonly number[], t: readonly number[]): number[][] {
  const pts: number[][] = [];
  for (const s of STEPS) {
    pts.push(x.map((v, i) => v + s * t[i]));
    x.forEach((_, j) => pts.push(x.map((v, i) => (i === j ? v + s : v))));
  }
  return pts;
}

describe("random differentiable programs", () => {
  it("forward, reverse, grad and float64 central differences agree", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 3, max: 6 }), nodeArb, fc.integer({ min: 1, max: 2 ** 30 }), async (n, tree, seed) => {
        fc.pre(opCount(tree) >= 3); // a bare `v` or `tanh(v)` tells little the rule tests don't
        const x = uniform(seed, [n]);
        const t = uniform(seed + 1, [n]);
        const c = uniform(seed + 2, [n]);
        const Mt = uniform(seed + 3, [n, n], -0.6, 0.6);
        const mt = uniform(seed + 4, [n]);
        const fixed: Fixed = { M: Array.from({ length: n }, (_, i) => Mt.data.slice(i * n, (i + 1) * n)), mask: mt.data };

        // Keep to draws where float32 and the differences mean something (see the header).
        const base = trace();
        evaluate(tree, x.data, fixed, base);
        fc.pre(base.maxAbs <= 30 && base.gap >= 0.02);
        for (const p of probePoints(x.data, t.data)) {
          const tr = trace();
          evaluate(tree, p, fixed, tr);
          fc.pre(tr.branches.every((b, i) => b === base.branches[i]));
        }

        const expr = render(tree);
        const { lines, data } = inputs({ x, t, c, M: Mt, m: mt });
        lines.push(
          `op f(v: f32[${n}]) = ${expr}`,
          "export jv = jvp(f, x, t)",
          "export vj = vjp(f, x, c)",
          "export gr = grad(v => sum(f(v) * c), x)",
          "export g1 = vjp(v => sum(f(v) * c), x, 1.0)",
        );
        const ex = exportsOf(await run(lines, data), lines);
        const [jv, vj, gr, g1] = [get(ex, "jv", [n]), get(ex, "vj", [n]), get(ex, "gr", [n]), get(ex, "g1", [n])];

        const f = (v: T): T => tensor([n], evaluate(tree, v.data, fixed, trace()));
        checkDerivatives(f, x, t, c, { jvp: jv, vjp: vj }, RTOL_PROGRAM, true);

        // The compiler's two modes against each other: ⟨c, jvp(t)⟩ = ⟨vjp(c), t⟩.
        const scale = Math.max(innerAbs(c.data, jv), innerAbs(vj, t.data), 1e-6);
        expect(Math.abs(inner(c.data, jv) - inner(vj, t.data)), `<c, jvp t> vs <vjp c, t> for ${expr}`).toBeLessThanOrEqual(RTOL_PROGRAM * scale);

        // grad of the scalar s = sum(f · c): the reverse sweep seeded with 1, so vjp(s, 1)
        // exactly; and the same cotangent as vjp(f, c), up to rounding.
        expect(Array.from(gr), `grad vs vjp at 1 for ${expr}`).toEqual(Array.from(g1));
        const s = (v: T): T => tensor([], [inner(f(v).data, c.data)]);
        checkDerivatives(s, x, t, undefined, { jvp: [inner(gr, t.data)], grad: gr }, RTOL_PROGRAM, true);
        const bound = RTOL_PROGRAM * Math.max(...vj.map(Math.abs), ...gr.map(Math.abs), 1e-6);
        gr.forEach((g, i) => expect(Math.abs(g - vj[i]), `grad of sum(f·c) vs vjp(f, c), entry ${i}, for ${expr}`).toBeLessThanOrEqual(bound));
      }),
      { seed: 20261203, numRuns: RUNS },
    );
  });
});
