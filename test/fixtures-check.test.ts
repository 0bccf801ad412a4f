// The checker's must-fail corpus: every test/fixtures/check/NAME.iter parses but is wrong, and
// NAME.expected.json beside it lists the diagnostics the checker must report for it, exactly:
// `[{ "line": 3, "column": 9, "message": "...", "severity": "error" }]`, in source order.
// A first line `# sizes: N=8, M=4` checks with those concrete sizes (as `--set` would).
//
// To rewrite the expected files from the checker's current output (after an intended change
// of wording or position), run:
//
//     UPDATE_FIXTURES=1 npx vitest run test/fixtures-check.test.ts
//
// then read every changed message as a user would before keeping it. Without
// UPDATE_FIXTURES this test never writes a file.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { check } from "../compiler/check/index.js";
import { renderDiagnostic } from "../base/diagnostics.js";
import { parse } from "../grammar/parse.js";

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, "fixtures", "check");
const update = process.env.UPDATE_FIXTURES === "1";

interface Expected {
  line: number;
  column: number;
  message: string;
  severity: "error" | "warning";
}

/** `# sizes: N=8, M=4` on the first line, as a map; empty without one. */
function sizesOf(source: string): Map<string, number> {
  const m = /^#\s*sizes:\s*(.*)$/.exec(source.split(/\r?\n/, 1)[0]);
  const sizes = new Map<string, number>();
  for (const item of m ? m[1].split(/[\s,]+/).filter(Boolean) : []) {
    const [name, value] = item.split("=");
    sizes.set(name, Number(value));
  }
  return sizes;
}

const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith(".iter"))
  .sort();

it("the corpus has at least 40 programs", () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(40);
});

it("every expected file has its program", () => {
  const orphans = readdirSync(dir)
    .filter((f) => f.endsWith(".expected.json"))
    .filter((f) => !existsSync(join(dir, f.replace(/\.expected\.json$/, ".iter"))));
  expect(orphans).toEqual([]);
});

it("reads sizes from the first line only", () => {
  expect([...sizesOf("# sizes: N=8, M=4\ndim N\n")]).toEqual([
    ["N", 8],
    ["M", 4],
  ]);
  expect(sizesOf("dim N\n# sizes: N=8\n").size).toBe(0);
});

describe("check fixtures", () => {
  for (const name of fixtures) {
    const file = `test/fixtures/check/${name}`;
    const expectedPath = join(dir, name.replace(/\.iter$/, ".expected.json"));

    it(name, () => {
      const source = readFileSync(join(dir, name), "utf8");
      const parsed = parse(source, file);
      expect(parsed.diagnostics, "a check fixture must parse cleanly").toEqual([]);
      const { diagnostics } = check(parsed.program, { sizes: sizesOf(source) });
      const actual: Expected[] = diagnostics.map((d) => ({ line: d.span.start.line, column: d.span.start.column, message: d.message, severity: d.severity }));

      if (update) writeFileSync(expectedPath, JSON.stringify(actual, null, 2) + "\n");
      expect(existsSync(expectedPath), `${expectedPath} is missing: run with UPDATE_FIXTURES=1 and read the messages`).toBe(true);
      const expected = JSON.parse(readFileSync(expectedPath, "utf8")) as Expected[];

      expect(diagnostics.some((d) => d.severity === "error"), "a must-fail program must produce an error").toBe(true);
      expect(actual).toEqual(expected);

      for (const d of diagnostics) {
        const text = renderDiagnostic(d, source);
        expect(text).toContain(`${file}:${d.span.start.line}:${d.span.start.column}`);
        expect(text).toContain(d.message);
        // The code frame marks the offending line with `>` and puts a caret under the spot.
        expect(text, text).toMatch(/^\s*> *\d+ \|/m);
        expect(text, text).toMatch(/^\s*\|\s*\^/m);
      }
    });
  }
});
