// Every ```iter block in the docs must parse with no diagnostics, and every ```iter-error
// block must produce at least one: the reference cannot drift from the parser unnoticed.
// Test names are `file:line` of the block's first line, so a failure points at the doc.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "../../grammar/parse.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

interface Block {
  kind: "iter" | "iter-error";
  /** 1-based line of the block's first source line in the markdown file. */
  line: number;
  source: string;
}

/** The fenced ```iter and ```iter-error blocks of a markdown text, in order. */
function extractBlocks(markdown: string): Block[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}```(iter|iter-error)\s*$/.exec(lines[i]);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^ {0,3}```\s*$/.test(lines[j])) body.push(lines[j++]);
    blocks.push({ kind: open[1] as Block["kind"], line: i + 2, source: body.join("\n") + "\n" });
    i = j;
  }
  return blocks;
}

function docFiles(): string[] {
  const files = [join(root, "README.md")];
  const docs = join(root, "docs");
  if (existsSync(docs)) for (const f of readdirSync(docs).sort()) if (f.endsWith(".md")) files.push(join(docs, f));
  return files.filter((f) => existsSync(f));
}

describe("extractBlocks", () => {
  it("finds iter and iter-error blocks with their line numbers and ignores others", () => {
    const md = ["# t", "```iter", "let a = 1", "```", "```ts", "x", "```", "```iter-error", "x = 1", "```"].join("\n");
    expect(extractBlocks(md)).toEqual([
      { kind: "iter", line: 3, source: "let a = 1\n" },
      { kind: "iter-error", line: 9, source: "x = 1\n" },
    ]);
  });
});

it("docs/language.md exists and has many iter blocks", () => {
  const blocks = extractBlocks(readFileSync(join(root, "docs", "language.md"), "utf8"));
  expect(blocks.filter((b) => b.kind === "iter").length).toBeGreaterThanOrEqual(30);
  expect(blocks.some((b) => b.kind === "iter-error")).toBe(true);
});

for (const file of docFiles()) {
  const name = relative(root, file);
  const blocks = extractBlocks(readFileSync(file, "utf8"));
  if (blocks.length === 0) continue;
  describe(name, () => {
    for (const block of blocks) {
      const where = `${name}:${block.line}`;
      if (block.kind === "iter") {
        it(where, () => {
          const { diagnostics } = parse(block.source, where);
          const shown = diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.message}`);
          expect(shown, `the block at ${where} has syntax errors`).toEqual([]);
        });
      } else {
        it(where, () => {
          const { diagnostics } = parse(block.source, where);
          expect(diagnostics.length, `the iter-error block at ${where} parses without a diagnostic`).toBeGreaterThan(0);
        });
      }
    }
  });
}
