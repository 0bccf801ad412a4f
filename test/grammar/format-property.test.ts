// Round-trip properties of the formatter on generated programs (fast-check, fixed seed).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Program } from "../../grammar/ast.js";
import { format } from "../../grammar/format.js";
import { parse } from "../../grammar/parse.js";
import { looseProgramArb, programArb, stripParens, stripSpans } from "./arbitrary.js";

function reparse(text: string): Program {
  const { program, diagnostics } = parse(text, "formatted.iter");
  if (diagnostics.length > 0) {
    const d = diagnostics[0];
    throw new Error(`${d.span.start.line}:${d.span.start.column} ${d.message}\n--- formatted text ---\n${text}`);
  }
  return program;
}

describe("format on generated programs", () => {
  it("prints parser-shaped trees that parse back to the same tree", () => {
    fc.assert(
      fc.property(programArb, (ast) => {
        const text = format(ast);
        expect(stripSpans(reparse(text))).toEqual(stripSpans(ast));
      }),
      { seed: 42, numRuns: 300 },
    );
  }, 60_000);

  it("adds the parentheses precedence needs, so any tree keeps its meaning", () => {
    fc.assert(
      fc.property(looseProgramArb, (ast) => {
        const text = format(ast);
        expect(stripParens(reparse(text))).toEqual(stripParens(ast));
      }),
      { seed: 42, numRuns: 300 },
    );
  }, 60_000);

  it("is idempotent and keeps lines within the width where it can", () => {
    fc.assert(
      fc.property(programArb, fc.constantFrom(40, 60, 96), (ast, width) => {
        const once = format(ast, { width });
        expect(format(reparse(once), { width })).toBe(once);
        expect(once === "" || (once.endsWith("\n") && !once.endsWith("\n\n"))).toBe(true);
      }),
      { seed: 7, numRuns: 200 },
    );
  }, 60_000);
});

/**
 * Inserts comments into a program's text where they cannot change its meaning: at the end
 * of lines, and as lines of their own between lines. `ends[i]` / `own[i]` say whether line i
 * gets one; comments are numbered `# c0`, `# c1`, ... in order.
 */
function withComments(text: string, ends: boolean[], own: boolean[], indentOwn: boolean[]): { text: string; count: number } {
  const lines = text.split("\n");
  let n = 0;
  const out: string[] = [];
  lines.forEach((l, i) => {
    if (i === lines.length - 1 && l === "") {
      if (own[i % own.length]) out.push(`# c${n++}`);
      out.push(l);
      return;
    }
    if (own[i % own.length]) out.push(`${indentOwn[i % indentOwn.length] ? "    " : ""}# c${n++} own line`);
    out.push(ends[i % ends.length] ? `${l}   # c${n++} end of line  ` : l);
  });
  return { text: out.join("\n"), count: n };
}

function commentCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/# c(\d+)\b/g)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  return counts;
}

describe("comments on generated programs", () => {
  const flags = fc.array(fc.boolean(), { minLength: 1, maxLength: 40 });
  it("keeps every comment exactly once, keeps the tree, and is idempotent", () => {
    // The source is laid out for another width than the output, so that comments end up
    // inside constructs the output puts on one line (and the other way round).
    const widths = fc.constantFrom(20, 40, 96);
    fc.assert(
      fc.property(programArb, flags, flags, flags, widths, widths, (ast, ends, own, indentOwn, sourceWidth, width) => {
        const commented = withComments(format(ast, { width: sourceWidth }), ends, own, indentOwn);
        const program = reparse(commented.text);
        expect(stripSpans(program)).toEqual(stripSpans(ast));
        const once = format(program, { width });
        const counts = commentCounts(once);
        expect(counts.size).toBe(commented.count);
        for (const [, k] of counts) expect(k).toBe(1);
        const again = reparse(once);
        expect(stripSpans(again)).toEqual(stripSpans(ast));
        expect(format(again, { width })).toBe(once);
      }),
      { seed: 42, numRuns: 300 },
    );
  }, 60_000);
});
