// The must-fail corpus: every test/fixtures/syntax/NAME.iter holds syntax mistakes, and
// NAME.expected.json beside it lists the diagnostics the parser must report for it, exactly:
// `[{ "line": 3, "column": 9, "message": "..." }]`, in source order.
//
// To rewrite the expected files from the parser's current output (after an intended change
// of wording or position), run:
//
//     UPDATE_FIXTURES=1 npx vitest run test/fixtures-syntax.test.ts
//
// then read every changed message before committing it. Without UPDATE_FIXTURES this test
// never writes a file.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderDiagnostic } from "../base/diagnostics.js";
import { parse } from "../grammar/parse.js";

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, "fixtures", "syntax");
const update = process.env.UPDATE_FIXTURES === "1";

interface Expected {
  line: number;
  column: number;
  message: string;
}

const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith(".iter"))
  .sort();

it("the corpus has at least 30 programs", () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(30);
});

it("every expected file has its program", () => {
  const orphans = readdirSync(dir)
    .filter((f) => f.endsWith(".expected.json"))
    .filter((f) => !existsSync(join(dir, f.replace(/\.expected\.json$/, ".iter"))));
  expect(orphans).toEqual([]);
});

describe("syntax fixtures", () => {
  for (const name of fixtures) {
    const file = `test/fixtures/syntax/${name}`;
    const expectedPath = join(dir, name.replace(/\.iter$/, ".expected.json"));

    it(name, () => {
      const source = readFileSync(join(dir, name), "utf8");
      const { diagnostics } = parse(source, file);
      const actual: Expected[] = diagnostics.map((d) => ({ line: d.span.start.line, column: d.span.start.column, message: d.message }));

      if (update) writeFileSync(expectedPath, JSON.stringify(actual, null, 2) + "\n");
      expect(existsSync(expectedPath), `${expectedPath} is missing: run with UPDATE_FIXTURES=1 and read the messages`).toBe(true);
      const expected = JSON.parse(readFileSync(expectedPath, "utf8")) as Expected[];

      expect(actual.length, "a must-fail program must produce a diagnostic").toBeGreaterThan(0);
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
