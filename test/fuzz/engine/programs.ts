// The programs the fuzzer tries, from a seed: random bytes, token shuffles, and mutations of
// the repository's own programs (examples/*.iter, stdlib/*.iter) — numbers, names and operators
// swapped, tokens and lines deleted or duplicated. Everything is a pure function of the seed,
// so a failure is reproduced by its seed and index alone.
import { mulberry32 } from "../../../base/mulberry32.js";

/** mulberry32: a small, fast, seedable generator of floats in [0, 1). */
export const rng = mulberry32;

export type Random = () => number;

const int = (r: Random, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Random, xs: readonly T[]): T => xs[int(r, xs.length)];

/** A corpus file: its name and text. */
export interface Seed {
  name: string;
  text: string;
}

export type Kind = "bytes" | "shuffle" | "number" | "name" | "operator" | "delete" | "duplicate" | "lines" | "mixed";

export interface Program {
  /** The corpus file it came from ("-" for random bytes). */
  origin: string;
  kind: Kind;
  source: string;
}

// ---- tokens --------------------------------------------------------------------------------

const TOKEN = /#[^\r\n]*|"(?:[^"\\\r\n]|\\.)*"|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_\u00C0-\u024F\u0370-\u03FF][\w\u00C0-\u024F\u0370-\u03FF]*|->|=>|\.\.|==|!=|<=|>=|\r\n|\n|[ \t]+|\S/g;

/** The source as tokens whose concatenation is the source (spaces and newlines included). */
export function tokenize(source: string): string[] {
  return source.match(TOKEN) ?? [];
}

const isNumber = (t: string) => /^\d/.test(t);
const isName = (t: string) => /^[A-Za-z_\u00C0-\u024F\u0370-\u03FF]/.test(t);
const isSpace = (t: string) => /^\s+$/.test(t);
const isComment = (t: string) => t.startsWith("#");
const OPERATORS = ["+", "-", "*", "/", "%", "@", "^", "<", ">", "<=", ">=", "==", "!=", "and", "or", "not", "..", "=", ":", ",", "=>", "->"];
const isOperator = (t: string) => OPERATORS.includes(t);

/** Numbers a mutation puts in: small, so that sizes and iteration counts stay small too. */
const NUMBERS = ["0", "1", "2", "3", "4", "7", "-1", "-2", "0.5", "0.0", "-0.5", "1e-3", "1e-8", "1e-30", "1e30", "10", "100", "2.5", "1000"];
/** Names a mutation may put in besides the file's own: builtins, methods, clause words. */
const NAMES = ["x", "u", "n", "N", "zeros", "ones", "eye", "sum", "dot", "tanh", "abs", "max", "norm", "grid", "stencil5", "where", "cg", "gmres", "jacobi", "picard", "anderson", "multigrid", "residual", "rel_residual", "init", "method", "until", "f32", "i32", "bool"];

// ---- mutations -----------------------------------------------------------------------------

/** Indices of the tokens that satisfy `test`. */
function where(tokens: readonly string[], test: (t: string) => boolean): number[] {
  const out: number[] = [];
  tokens.forEach((t, i) => test(t) && out.push(i));
  return out;
}

function replaceOne(r: Random, tokens: string[], test: (t: string) => boolean, choices: (t: string) => readonly string[]): void {
  const at = where(tokens, test);
  if (at.length === 0) return;
  const i = pick(r, at);
  tokens[i] = pick(r, choices(tokens[i]));
}

/** Code tokens (not spaces, newlines or comments) and their positions. */
const codeIndices = (tokens: readonly string[]) => where(tokens, (t) => !isSpace(t) && !isComment(t));

function mutateOnce(r: Random, tokens: string[], kind: Exclude<Kind, "bytes" | "shuffle" | "mixed" | "lines">): void {
  const names = [...new Set(tokens.filter(isName)), ...NAMES];
  const numbers = [...new Set(tokens.filter(isNumber)), ...NUMBERS];
  switch (kind) {
    case "number":
      return replaceOne(r, tokens, isNumber, () => numbers);
    case "name":
      return replaceOne(r, tokens, isName, () => names);
    case "operator":
      return replaceOne(r, tokens, isOperator, () => OPERATORS);
    case "delete": {
      const code = codeIndices(tokens);
      if (code.length === 0) return;
      const i = pick(r, code);
      tokens.splice(i, 1 + int(r, 3) * (r() < 0.3 ? 1 : 0));
      return;
    }
    case "duplicate": {
      const code = codeIndices(tokens);
      if (code.length === 0) return;
      const i = pick(r, code);
      const run = tokens.slice(i, i + 1 + int(r, 4));
      tokens.splice(i, 0, ...run, " ");
      return;
    }
  }
}

/** Deletes, duplicates or swaps whole lines, or splices in a line of another corpus file. */
function mutateLines(r: Random, source: string, other: string): string {
  const lines = source.split("\n");
  const i = int(r, lines.length);
  const j = int(r, lines.length);
  const what = int(r, 4);
  if (what === 0) lines.splice(i, 1);
  else if (what === 1) lines.splice(i, 0, lines[j]);
  else if (what === 2) [lines[i], lines[j]] = [lines[j], lines[i]];
  else {
    const donor = other.split("\n").filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
    if (donor.length > 0) lines.splice(i, 0, pick(r, donor));
  }
  return lines.join("\n");
}

function randomBytes(r: Random): string {
  const n = int(r, 400);
  const alphabet = "abcdefxyzN0123456789.,:;()[]{}+-*/^@<>=#\"'\n\r\t ";
  let s = "";
  for (let i = 0; i < n; i++) s += r() < 0.8 ? alphabet[int(r, alphabet.length)] : String.fromCharCode(int(r, 0x3000));
  return s;
}

/** Shuffles the code tokens within one line, or within the whole program. */
function shuffle(r: Random, source: string): string {
  const tokens = tokenize(source);
  const code = codeIndices(tokens);
  const lineOnly = r() < 0.7;
  if (code.length < 2) return source;
  const start = pick(r, code);
  let group = code;
  if (lineOnly) {
    group = code.filter((i) => i >= start);
    const nl = tokens.findIndex((t, i) => i > start && /\n/.test(t));
    if (nl >= 0) group = group.filter((i) => i < nl);
  }
  const values = group.map((i) => tokens[i]);
  for (let k = values.length - 1; k > 0; k--) {
    const m = int(r, k + 1);
    [values[k], values[m]] = [values[m], values[k]];
  }
  group.forEach((i, k) => (tokens[i] = values[k]));
  return tokens.join("");
}

/** Token mutations, weighted towards those that keep a program parseable (numbers most). */
const LIGHT: Exclude<Kind, "bytes" | "shuffle" | "mixed" | "lines">[] = ["number", "number", "number", "number", "name", "name", "operator", "delete", "duplicate"];

/**
 * Program number `index` of the campaign `seed`: 4% random bytes, 4% shuffles, 10% line
 * mutations (deleted, duplicated, swapped, or spliced from another file), the rest one to
 * three token mutations of a corpus file.
 */
export function programAt(seed: number, index: number, corpus: readonly Seed[]): Program {
  const r = rng((seed * 0x9e3779b1 + index * 0x85ebca6b) >>> 0);
  const roll = r();
  if (roll < 0.04) return { origin: "-", kind: "bytes", source: randomBytes(r) };
  // Examples twice as often as the standard library, whose files export nothing to run.
  const examples = corpus.filter((c) => c.name.startsWith("examples/"));
  const file = r() < 2 / 3 && examples.length > 0 ? pick(r, examples) : pick(r, corpus);
  if (roll < 0.08) return { origin: file.name, kind: "shuffle", source: shuffle(r, file.text) };
  if (roll < 0.18) return { origin: file.name, kind: "lines", source: mutateLines(r, file.text, pick(r, corpus).text) };
  const tokens = tokenize(file.text);
  const count = 1 + (r() < 0.2 ? int(r, 3) : 0);
  const kinds: Kind[] = [];
  for (let k = 0; k < count; k++) {
    const kind = pick(r, LIGHT);
    kinds.push(kind);
    mutateOnce(r, tokens, kind);
  }
  return { origin: file.name, kind: kinds.length === 1 ? kinds[0] : "mixed", source: tokens.join("") };
}
