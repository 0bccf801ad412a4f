// Source maps from generated code back to the `.iter` file. Each op's `const` in the generated
// bodies was recorded, in order, with its op's span; the generated text (formatted, or
// transpiled to JavaScript) is parsed and its variable statements inside functions are paired
// with those records in document order, each mapping the statement's start to the op's place.
import type { ts as TS } from "ts-morph";
import { InternalError } from "../../base/diagnostics.js";
import type { Span } from "../../base/span.js";

export interface SourceMap {
  version: 3;
  file?: string;
  sources: string[];
  sourcesContent: string[];
  names: string[];
  mappings: string;
}

type Ts = typeof TS;

export function sourceMapFor(ts: Ts, code: string, marks: readonly { name: string; span: Span | undefined }[], source: { file: string; text: string }, generatedFile?: string): SourceMap {
  const sf = ts.createSourceFile("module.ts", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const statements: TS.VariableStatement[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isVariableStatement(node) && !ts.isSourceFile(node.parent)) statements.push(node);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (statements.length !== marks.length) throw new InternalError(`source map: ${statements.length} statements in the generated code, ${marks.length} ops recorded`);
  const segments: { line: number; column: number; span: Span }[] = [];
  statements.forEach((st, i) => {
    const declared = st.declarationList.declarations[0].name.getText(sf);
    const mark = marks[i];
    if (declared !== mark.name && declared !== `[${mark.name}]` && !declared.startsWith(`[${mark.name},`))
      throw new InternalError(`source map: statement ${i} declares ${declared}, the op recorded there is ${mark.name}`);
    if (!mark.span) return;
    const pos = sf.getLineAndCharacterOfPosition(st.getStart(sf));
    segments.push({ line: pos.line, column: pos.character, span: mark.span });
  });
  return {
    version: 3,
    ...(generatedFile ? { file: generatedFile } : {}),
    sources: [source.file],
    sourcesContent: [source.text],
    names: [],
    mappings: encodeMappings(segments),
  };
}

/** The `mappings` field: per generated line, segments of [column, source 0, line, column], VLQ-encoded, each relative to the one before. */
function encodeMappings(segments: { line: number; column: number; span: Span }[]): string {
  const byLine = new Map<number, typeof segments>();
  for (const s of segments) byLine.set(s.line, [...(byLine.get(s.line) ?? []), s]);
  const lastLine = Math.max(-1, ...segments.map((s) => s.line));
  const lines: string[] = [];
  let [srcLine, srcColumn] = [0, 0];
  for (let line = 0; line <= lastLine; line++) {
    let column = 0;
    const parts: string[] = [];
    for (const s of (byLine.get(line) ?? []).sort((a, b) => a.column - b.column)) {
      const [l, c] = [s.span.start.line - 1, s.span.start.column - 1];
      parts.push([s.column - column, 0, l - srcLine, c - srcColumn].map(vlq).join(""));
      [column, srcLine, srcColumn] = [s.column, l, c];
    }
    lines.push(parts.join(","));
  }
  return lines.join(";");
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function vlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = "";
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += BASE64[digit];
  } while (v > 0);
  return out;
}
