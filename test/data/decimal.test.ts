// The fast decimal path must give exactly the double `Number(text)` gives, or step aside.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fastDecimal } from "../../runtime/data/decimal.js";

const bytes = (s: string) => new TextEncoder().encode(s);
const parse = (s: string) => fastDecimal(bytes(s), 0, s.length);

describe("fastDecimal", () => {
  it("agrees with Number() bit for bit on every decimal it takes", () => {
    const decimal = fc
      .tuple(fc.constantFrom("", "-", "+", " "), fc.stringMatching(/^\d{0,12}$/), fc.constantFrom("", "."), fc.stringMatching(/^\d{0,10}$/), fc.constantFrom("", "e", "E-", "e+"), fc.stringMatching(/^\d{0,3}$/))
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(decimal, (s) => {
        const v = parse(s);
        if (v !== undefined) expect(Object.is(v, Number(s.trim()))).toBe(true);
      }),
      { seed: 19, numRuns: 5000 },
    );
  });

  it("takes the common forms and steps aside for the rest", () => {
    expect([parse("1.5"), parse(" -0 "), parse(".25"), parse("2."), parse("1e-3"), parse("+7E2")]).toEqual([1.5, -0, 0.25, 2, 1e-3, 700]);
    for (const s of ["", ".", "-", "1e", "0x10", "1 2", "nan", "3.4e38", "1234567890123456789", "1e99999"]) expect(parse(s), s).toBeUndefined();
  });
});
