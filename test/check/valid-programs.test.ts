// Programs that must check cleanly: every example, and every ```iter block of the language
// reference that is not about a planned construct. (test/docs/language-blocks.test.ts parses
// the same blocks; this file checks names, types and shapes.) Warnings are allowed: planned
// constructs such as `data`, `train` and `check` are warned about, never refused.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderDiagnostic } from "../../base/diagnostics.js";
import { parse } from "../../grammar/parse.js";
import { check } from "../../compiler/check/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function errorsOf(source: string, file: string): string[] {
  const parsed = parse(source, file);
  if (parsed.diagnostics.length) return []; // syntax is the docs test's concern
  return check(parsed.program)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => renderDiagnostic(d, source));
}

describe("examples/*.iter check cleanly", () => {
  const dir = join(root, "examples");
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".iter")).sort())
    it(f, () => {
      expect(errorsOf(readFileSync(join(dir, f), "utf8"), `examples/${f}`)).toEqual([]);
    });
});

interface Block {
  line: number;
  source: string;
  /** The section around the block says "**Planned:**": it may use what does not exist yet. */
  planned: boolean;
}

/** The ```iter blocks of a markdown text, each with whether its section is marked planned. */
function iterBlocks(markdown: string): Block[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: Block[] = [];
  let section: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^#{1,6} /.test(lines[i])) section = [];
    const open = /^ {0,3}```(\S*)\s*$/.exec(lines[i]);
    if (!open) {
      section.push(lines[i]);
      continue;
    }
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^ {0,3}```\s*$/.test(lines[j])) body.push(lines[j++]);
    if (open[1] === "iter") blocks.push({ line: i + 2, source: body.join("\n") + "\n", planned: section.some((l) => l.includes("**Planned:**")) });
    i = j;
  }
  return blocks;
}

/**
 * Blocks of the reference that disagree with the compiler today, by their first line, with
 * why. Each must still fail (so the entry is removed once the reference or compiler changes).
 */
const KNOWN_DISAGREEMENTS: Record<string, string> = {};

it("finds the planned sections of the reference", () => {
  const blocks = iterBlocks(["## a", "**Planned:** soon.", "```iter", "let x = 1", "```", "## b", "```iter", "let y = 2", "```"].join("\n"));
  expect(blocks.map((b) => [b.line, b.planned])).toEqual([
    [4, true],
    [8, false],
  ]);
});

it("the reference has many blocks that are not planned", () => {
  const blocks = iterBlocks(readFileSync(join(root, "docs", "language.md"), "utf8"));
  expect(blocks.filter((b) => !b.planned).length).toBeGreaterThanOrEqual(25);
});

for (const doc of ["README.md", "docs/language.md"])
  describe(`${doc} blocks check cleanly`, () => {
    const blocks = iterBlocks(readFileSync(join(root, doc), "utf8"));
    for (const b of blocks.filter((x) => !x.planned)) {
      const where = `${doc}:${b.line}`;
      const known = KNOWN_DISAGREEMENTS[b.source.split("\n")[0]];
      it(where, () => {
        const errors = errorsOf(b.source, where);
        if (known) expect(errors.length, `fixed? remove it from KNOWN_DISAGREEMENTS: ${known}`).toBeGreaterThan(0);
        else expect(errors).toEqual([]);
      });
    }
  });
