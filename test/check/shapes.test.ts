// The symbolic shape algebra of compiler/shapes.ts: sizes are polynomials with exact rational
// coefficients; unification solves affine patterns; evaluation insists on whole numbers.
import { describe, expect, it } from "vitest";
import { dimAdd, dimConst, dimDivConst, dimEq, dimEval, dimMul, dimSub, dimSubst, dimSym, dimToString, dimUnify } from "../../compiler/shapes.js";

const N = dimSym("N");
const n = dimSym("n");
const k = (c: number) => dimConst(c);

describe("dimUnify", () => {
  it("solves 2*n + 1 = N for n = N/2 - 1/2", () => {
    const pattern = dimAdd(dimMul(k(2), n), k(1));
    const r = dimUnify(pattern, N, new Map());
    expect(Array.isArray(r)).toBe(true);
    const [name, value] = r as [string, ReturnType<typeof dimSym>];
    expect(name).toBe("n");
    expect(dimToString(value)).toBe("N/2 - 1/2");
    // Substituting back gives N again, exactly.
    expect(dimEq(dimSubst(pattern, new Map([["n", value]])), N)).toBe(true);
  });

  it("binds from a concrete size, and the binding may be a fraction to be checked later", () => {
    const pattern = dimAdd(dimMul(k(2), n), k(1));
    expect(dimUnify(pattern, k(63), new Map())).toEqual(["n", k(31)]);
    const half = dimUnify(pattern, k(64), new Map()) as [string, ReturnType<typeof dimSym>];
    expect(dimToString(half[1])).toBe("63/2");
  });

  it("checks an equation with nothing left to bind", () => {
    const bound = new Map([["n", N]]);
    expect(dimUnify(dimAdd(n, k(1)), dimAdd(k(1), N), bound)).toBe(true);
    expect(dimUnify(n, dimAdd(N, k(1)), bound)).toBe(false);
  });

  it("refuses patterns it cannot solve: non-affine, or two new names", () => {
    expect(dimUnify(dimMul(n, n), k(16), new Map())).toBe(false);
    expect(dimUnify(dimAdd(n, dimSym("m")), k(16), new Map())).toBe(false);
  });

  it("treats a name bound to itself as fixed (a declared dim), not as a new size", () => {
    expect(dimUnify(n, k(16), new Map([["n", n]]))).toBe(false);
    expect(dimUnify(n, n, new Map([["n", n]]))).toBe(true);
  });
});

describe("dimToString", () => {
  it("writes sizes the way a person does", () => {
    expect(dimToString(dimAdd(N, k(1)))).toBe("N + 1");
    expect(dimToString(dimMul(k(2), n))).toBe("2*n");
    expect(dimToString(dimDivConst(N, 2))).toBe("N/2");
    expect(dimToString(dimSub(dimMul(n, n), k(1)))).toBe("n*n - 1");
    expect(dimToString(dimSub(k(0), N))).toBe("-N");
    expect(dimToString(dimDivConst(dimMul(k(3), N), 2))).toBe("3*N/2");
    expect(dimToString(k(0))).toBe("0");
  });

  it("orders terms by degree, then name, constant last", () => {
    expect(dimToString(dimAdd(k(1), dimAdd(n, dimMul(N, n))))).toBe("N*n + n + 1");
  });

  it("sees n + n and 2*n as one size", () => {
    expect(dimEq(dimAdd(n, n), dimMul(k(2), n))).toBe(true);
  });
});

describe("dimEval", () => {
  it("evaluates under concrete sizes", () => {
    expect(dimEval(dimAdd(dimDivConst(N, 2), k(1)), new Map([["N", 64]]))).toBe(33);
  });

  it("says when a size is not a whole number", () => {
    expect(dimEval(dimDivConst(N, 2), new Map([["N", 63]]))).toBe("`N/2` is 31.5, not a whole number");
  });

  it("says which size has no value", () => {
    expect(dimEval(dimAdd(N, n), new Map([["N", 4]]))).toBe("the size `n` has no value");
  });
});
