// Compile-time values written as TypeScript literals. Every string from the source goes
// through `stringLiteral` (JSON's escapes, plus the line and paragraph separators), every key
// through `propertyKey`, and comment text through `commentText`: nothing written in a `.iter`
// file can end a string or a comment early, or become code.
import { isSafeIdentifier } from "./names.js";

/** A value a literal can hold: the IR's attributes, method options, stopping rules. */
export type Literal = number | string | boolean | null | undefined | readonly Literal[] | { readonly [key: string]: Literal };

export function stringLiteral(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

export function numberLiteral(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "-Infinity";
  if (Object.is(n, -0)) return "-0";
  return String(n);
}

/** An object key: bare when it is a plain identifier, else quoted (`__proto__` is computed, so it stays a key). */
export function propertyKey(key: string): string {
  if (key === "__proto__") return `[${stringLiteral(key)}]`;
  return isSafeIdentifier(key) ? key : stringLiteral(key);
}

export function literal(v: Literal): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "number") return numberLiteral(v);
  if (typeof v === "string") return stringLiteral(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${(v as readonly Literal[]).map(literal).join(", ")}]`;
  const entries = Object.entries(v as { readonly [key: string]: Literal }).filter(([, x]) => x !== undefined);
  return entries.length === 0 ? "{}" : `{ ${entries.map(([k, x]) => `${propertyKey(k)}: ${literal(x)}`).join(", ")} }`;
}

/** Text for a `//` comment: on one line, whatever it holds. */
export function commentText(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]/g, " ");
}
