// A source may end its lines with LF, CRLF or a lone CR, or mix them: every style parses to the
// same tree, every position (parser, AST, diagnostics, code frames, formatter) agrees on lines
// and columns, and nothing throws (a lone CR used to crash the parser's position code).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Pos } from "../../grammar/ast.js";
import { format } from "../../grammar/format.js";
import { positionAt } from "../../grammar/lines.js";
import { parse } from "../../grammar/parse.js";
import { renderDiagnostic } from "../../base/diagnostics.js";
import { stripSpans } from "./arbitrary.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLES = readdirSync(join(ROOT, "examples"))
  .filter((f) => f.endsWith(".iter"))
  .map((f) => readFileSync(join(ROOT, "examples", f), "utf8"));

type Style = "LF" | "CRLF" | "CR" | "mixed";
const STYLES: Style[] = ["LF", "CRLF", "CR", "mixed"];

/**
 * `source` (written with LF) with its line endings in `style`; `mixed` cycles all three (in an
 * order that never puts a CR before an LF, which would make one CRLF).
 */
function withEndings(source: string, style: Style): string {
  const endings = { LF: ["\n"], CRLF: ["\r\n"], CR: ["\r"], mixed: ["\r\n", "\n", "\r"] }[style];
  let i = 0;
  return source.replace(/\n/g, () => endings[i++ % endings.length]);
}

/** Every `{ start, end }` span below `node`, depth first. */
function spans(node: unknown, out: { start: Pos; end: Pos }[] = []): { start: Pos; end: Pos }[] {
  if (node === null || typeof node !== "object") return out;
  if (Array.isArray(node)) {
    for (const item of node) spans(item, out);
    return out;
  }
  const rec = node as Record<string, unknown>;
  if (rec.span && typeof rec.span === "object") out.push(rec.span as { start: Pos; end: Pos });
  for (const [key, value] of Object.entries(rec)) if (key !== "span") spans(value, out);
  return out;
}

/** Line and column of every span start, which must not depend on the line-ending style. */
const lineColumns = (node: unknown) => spans(node).map((s) => `${s.start.line}:${s.start.column}`);

/** The positions the parser gave agree with the offsets, counted the way lines.ts counts. */
function expectPositionsAgree(source: string, node: unknown): void {
  for (const s of spans(node)) {
    const at = positionAt(source, s.start.offset);
    expect({ line: s.start.line, column: s.start.column }).toEqual({ line: at.line, column: at.column });
  }
}

describe("line endings: LF, CRLF, CR and mixed", () => {
  it("every example parses to the same tree, at the same lines and columns, in every style", () => {
    for (const source of EXAMPLES) {
      const lf = parse(source, "x.iter");
      expect(lf.diagnostics).toEqual([]);
      for (const style of STYLES) {
        const text = withEndings(source, style);
        const r = parse(text, "x.iter");
        expect(r.diagnostics, style).toEqual([]);
        expect(stripSpans(r.program)).toEqual(stripSpans(lf.program));
        expect(lineColumns(r.program)).toEqual(lineColumns(lf.program));
        expectPositionsAgree(text, r.program);
      }
    }
  });

  it("formats every style to the same canonical (LF) text", () => {
    for (const source of EXAMPLES) {
      const canonical = format(parse(source, "x.iter").program);
      for (const style of STYLES) expect(format(parse(withEndings(source, style), "x.iter").program), style).toBe(canonical);
    }
  });

  it("a lone CR ends a statement and a comment, as LF does", () => {
    const r = parse("let a = 1\r# note\rlet b = 2 # end\rexport b", "cr.iter");
    expect(r.diagnostics).toEqual([]);
    expect(r.program.decls.map((d) => d.span.start.line)).toEqual([1, 3, 4]);
    expect(r.program.comments.map((c) => [c.text, c.span.start.line])).toEqual([
      ["# note", 2],
      ["# end", 3],
    ]);
  });

  it("a string is not closed by a lone CR", () => {
    const r = parse('let s = "abc\rlet t = 1', "cr.iter");
    expect(r.diagnostics.map((d) => [d.span.start.line, d.message])).toEqual([[1, "This string is not closed before the end of the line."]]);
  });

  it("diagnostics and their code frames name the same line in every style", () => {
    const source = "dim N = 4\n\nlet x = zeros(N) +\n\nexport x\n";
    for (const style of STYLES) {
      const text = withEndings(source, style);
      const [d] = parse(text, "e.iter").diagnostics;
      expect(d, style).toBeDefined();
      expect(`${d.span.start.line}:${d.span.start.column}`, style).toBe("3:19");
      expect(positionAt(text, d.span.start.offset)).toMatchObject({ line: 3, column: 19 });
      const frame = renderDiagnostic(d, text);
      expect(frame, style).toContain("e.iter:3:19");
      expect(frame, style).toMatch(/> 3 \| let x = zeros\(N\) \+/);
    }
  });

  it("a code frame counts U+2028 in a comment as the lexer does (not as a line end)", () => {
    const text = "# a\u2028b\nlet x = 1 +\n";
    const [d] = parse(text, "u.iter").diagnostics;
    expect(d.span.start.line).toBe(2);
    expect(renderDiagnostic(d, text)).toMatch(/> 2 \| let x = 1 \+/);
  });

  it("never throws on sources made of line endings and fragments", () => {
    const parts = ["let", "x", "=", "1", "+", "(", ")", "\r", "\n", "\r\n", "\n\r", "export", "solve", "#c", " ", "{", "}", '"a', ","];
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 3000; i++) {
      let text = "";
      for (let k = 1 + next(12); k > 0; k--) text += parts[next(parts.length)] + (next(2) ? " " : "");
      const r = parse(text, "f.iter");
      for (const d of r.diagnostics) {
        expect(d.span.start.offset).toBeLessThanOrEqual(text.length);
        const at = positionAt(text, Math.min(d.span.start.offset, text.length));
        expect({ line: d.span.start.line, column: d.span.start.column }).toEqual({ line: at.line, column: at.column });
        expect(() => renderDiagnostic(d, text)).not.toThrow();
      }
      expectPositionsAgree(text, r.program);
    }
  });
});
