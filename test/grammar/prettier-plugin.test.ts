// The Prettier plugin, run through the real prettier package.
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { format } from "../../grammar/format.js";
import { parse } from "../../grammar/parse.js";
import plugin, { languages, parsers, printers } from "../../grammar/prettier-plugin.js";

const SOURCE = `# Newton–Schulz square root   
input A: f32[n, n]   # the matrix
let s=fro( A )

loop k<25 carry (Y = A/s, Z = eye(n)) {  # iterate
  let T = 0.5*(3*eye(n) - Z@Y)
  # the update
  Y = Y@T
  Z = T@Z
} -> (Y, Z)
export sqrtA = Y*sqrt(s)   # done
# end of file
`;

function ours(source: string, width?: number): string {
  const { program, diagnostics } = parse(source, "test.iter");
  expect(diagnostics).toEqual([]);
  return format(program, width === undefined ? undefined : { width });
}

describe("prettier plugin", () => {
  it("exports languages, parsers and printers for .iter files", () => {
    expect(plugin.languages).toBe(languages);
    expect(plugin.parsers).toBe(parsers);
    expect(plugin.printers).toBe(printers);
    expect(languages[0].name).toBe("iterlang");
    expect(languages[0].extensions).toContain(".iter");
    expect(Object.keys(parsers)).toEqual(["iterlang"]);
  });

  it("prints what our formatter prints, every comment once", async () => {
    const out = await prettier.format(SOURCE, { parser: "iterlang", plugins: [plugin] });
    expect(out).toBe(ours(SOURCE));
    for (const text of ["# Newton–Schulz square root", "# the matrix", "# iterate", "# the update", "# done", "# end of file"])
      expect(out.split(text).length - 1).toBe(1);
    expect(await prettier.format(out, { parser: "iterlang", plugins: [plugin] })).toBe(out);
  });

  it("finds the parser from the file name, and passes printWidth on", async () => {
    const long = "let x = f(alpha_one, alpha_two, alpha_three, alpha_four, alpha_five)\n";
    const byName = await prettier.format(long, { filepath: "dir/prog.iter", plugins: [plugin] });
    expect(byName).toBe(ours(long));
    const narrow = await prettier.format(long, { parser: "iterlang", plugins: [plugin], printWidth: 40 });
    expect(narrow).toBe(ours(long, 40));
    expect(narrow).toBe("let x = f(\n  alpha_one,\n  alpha_two,\n  alpha_three,\n  alpha_four,\n  alpha_five\n)\n");
  });

  it("reports a syntax error with its line and column", async () => {
    const bad = "let a = 1\nlet b = (2 +\nlet c = 3\n";
    const error = await prettier.format(bad, { parser: "iterlang", plugins: [plugin] }).then(
      () => null,
      (e: unknown) => e as Error & { loc?: { start: { line: number; column: number } } },
    );
    expect(error).toBeInstanceOf(Error);
    const first = parse(bad, "x.iter").diagnostics[0];
    expect(error!.message).toContain(`(${first.span.start.line}:${first.span.start.column})`);
    expect(error!.message).toContain(first.message);
    expect(error!.loc).toEqual({ start: { line: first.span.start.line, column: first.span.start.column } });
  });
});
