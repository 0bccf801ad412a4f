// The library API's `check` and `format`: source text in, plain data out.
import { describe, expect, it } from "vitest";
import { check, format, FormatError, parse } from "../../index.js";

describe("check", () => {
  it("returns every diagnostic as data, with its place and code", () => {
    const r = check("dim N = 4\nop A(u: f32[n]) is spd = u\nsolve A(u) = f -> u\nexport u\n", { file: "bad.iter" });
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ severity: "error", code: "unknown-name", file: "bad.iter", span: { start: { line: 3, column: 14 } } });
    expect(structuredClone(r)).toEqual(r);
  });

  it("ok with no errors; with sizes, what only concrete sizes reveal", () => {
    expect(check("export x = 1\n")).toEqual({ ok: true, diagnostics: [] });
    const src = "dim N\nlet x = zeros(N / 2)\nexport x\n";
    expect(check(src).ok).toBe(true);
    expect(check(src, { sizes: { N: 5 } }).diagnostics.map((d) => d.code)).toEqual(["bad-argument"]);
  });
});

describe("format", () => {
  it("formats source text and a parsed program alike", () => {
    const src = "export   x=1+2\n";
    expect(format(src)).toBe("export x = 1 + 2\n");
    expect(format(parse(src, "a.iter").program)).toBe(format(src));
  });

  it("text that does not parse throws a FormatError carrying the diagnostics", () => {
    let caught: unknown;
    try {
      format("export x = (1 +\n");
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(FormatError);
    expect((caught as FormatError).diagnostics[0].code).toBe("syntax");
  });
});
