// A JSON-lines data set: one JSON object per line, each field read from a key whose value is a
// number or a flat list of numbers (the same length on every line). Blank lines are skipped.
// The file is read in chunks, a line at a time.
import { didYouMean } from "../../base/suggest.js";
import { streamFile } from "./chunks.js";
import type { Loaded } from "./csv.js";
import { DataError, quoteCell } from "./errors.js";
import { FloatSink } from "./float-sink.js";
import { checkFinite, NOT_FINITE_HINT } from "./numbers.js";
import type { DatasetSpec, Field } from "./types.js";

const LF = 0x0a;

interface Where {
  file: string;
  dataset: string;
  line: number;
  text: string;
}

export function readJsonl(real: string, display: string, spec: DatasetSpec, chunkBytes?: number): Loaded {
  const keys = spec.fields.map((f) => keyOf(f.name, f.select, display, spec.name));
  const sinks = spec.fields.map(() => new FloatSink());
  const widths: (number | undefined)[] = spec.fields.map(() => undefined);
  let line = 0;
  let rows = 0;
  const onLine = (text: string): void => {
    line++;
    if (text.trim() === "") return;
    const where = { file: display, dataset: spec.name, line, text };
    const obj = parseObject(where);
    keys.forEach((key, i) => (widths[i] = readValue(obj, key, rows === 0 ? "first" : widths[i], sinks[i], where)));
    rows++;
  };
  streamFile(real, (buf, final) => eachLine(buf, final, onLine), chunkBytes);
  const fields = new Map<string, Field>();
  spec.fields.forEach((f, i) => fields.set(f.name, { perRow: widths[i] === undefined ? [] : [widths[i]!], data: sinks[i].finish() }));
  return { rows, fields };
}

/** Hands on each whole line of `buf` (CR before LF dropped); returns where the unfinished one starts. */
function eachLine(buf: Buffer, final: boolean, onLine: (text: string) => void): number {
  let p = 0;
  for (;;) {
    const nl = buf.indexOf(LF, p);
    if (nl < 0) break;
    onLine(buf.toString("utf8", p, nl > p && buf[nl - 1] === 0x0d ? nl - 1 : nl));
    p = nl + 1;
  }
  if (final && p < buf.length) {
    onLine(buf.toString("utf8", p, buf[buf.length - 1] === 0x0d ? buf.length - 1 : buf.length));
    return buf.length;
  }
  return p;
}

function keyOf(field: string, select: DatasetSpec["fields"][number]["select"], file: string, dataset: string): string {
  if ("key" in select) return select.key;
  throw new DataError({
    kind: "out-of-bounds",
    problem: `The field \`${field}\` selects columns, but a JSON-lines file has keys, not columns (data \`${dataset}\`).`,
    file,
    hint: `name the key the field reads, e.g. \`${field}: "${field}"\`.`,
  });
}

function parseObject(at: Where): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(at.text);
  } catch (e) {
    const pos = /position (\d+)/.exec((e as Error).message);
    const column = pos ? at.text.slice(0, Number(pos[1])).length + 1 : undefined;
    const reason = (e as Error).message.replace(/ in JSON at position \d+.*$/s, "").replace(/^Unexpected/, "unexpected");
    throw fail(at, "not-json", `This line is not valid JSON (${reason}).`, "each line holds one JSON object, e.g. {\"x\": [1, 2], \"y\": 0.5}.", column);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw fail(at, "not-json", `This line holds ${Array.isArray(value) ? "a list" : JSON.stringify(value)}, not a JSON object.`, "each line holds one JSON object, e.g. {\"x\": [1, 2], \"y\": 0.5}.", 1);
  }
  return value as Record<string, unknown>;
}

/**
 * Appends one line's value for a key; returns the field's width (undefined for a plain number).
 * `width` is the width the lines before had, or "first" on the first line.
 */
function readValue(obj: Record<string, unknown>, key: string, width: number | undefined | "first", sink: FloatSink, at: Where): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) {
    const near = didYouMean(key, Object.keys(obj));
    const what = v === null ? `has "${key}": null` : `has no key "${key}"`;
    throw fail(at, "missing-key", `This line ${what} (data \`${at.dataset}\`).`, near ?? `every line needs a number or a list of numbers under "${key}".`, columnOfKey(at.text, key));
  }
  const values = Array.isArray(v) ? v : [v];
  const w = Array.isArray(v) ? v.length : undefined;
  if (width !== "first" && w !== width) {
    const said = (n: number | undefined): string => (n === undefined ? "a number" : `a list of ${n}`);
    throw fail(at, "ragged-row", `Under "${key}" this line has ${said(w)}, but the lines before have ${said(width)}.`, "a field has the same shape on every line.", columnOfKey(at.text, key));
  }
  for (const x of values) sink.push(numberIn(x, key, at));
  return w;
}

function numberIn(x: unknown, key: string, at: Where): number {
  if (typeof x !== "number") {
    const problem = `The value ${quoteCell(JSON.stringify(x) ?? String(x))} under "${key}" is not a number.`;
    throw fail(at, "non-numeric", problem, "values are numbers or flat lists of numbers.", columnOfKey(at.text, key));
  }
  if (checkFinite(x).kind !== "number") {
    throw fail(at, "not-finite", `The value ${x} under "${key}" is too large for float32 (the largest is about 3.4e38).`, NOT_FINITE_HINT, columnOfKey(at.text, key));
  }
  return x;
}

function columnOfKey(text: string, key: string): number | undefined {
  const i = text.indexOf(JSON.stringify(key));
  return i >= 0 ? i + 1 : undefined;
}

function fail(at: Where, kind: "not-json" | "missing-key" | "ragged-row" | "non-numeric" | "not-finite", problem: string, hint: string, column?: number): DataError {
  return new DataError({ kind, problem, file: at.file, line: at.line, column, hint });
}
