// Hashes: of a program, so a checkpoint is resumed only by the program that wrote it, and of
// bytes, so a damaged file is found before its numbers are used.
import { createHash } from "node:crypto";

/**
 * sha256 (hex) of a program's source and the sizes it was run with (`--set`, dims bound by
 * data): the same text with other sizes is another program. Line endings are normalised, so a
 * checkout with CRLF resumes a checkpoint written from LF; any other edit, even a comment,
 * changes the hash — the hash cannot know which edits are harmless.
 */
export function hashProgram(source: string, sizes: ReadonlyMap<string, number> | Readonly<Record<string, number>> = {}): string {
  const entries = (sizes instanceof Map ? [...sizes] : Object.entries(sizes)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const h = createHash("sha256");
  h.update("iterlang program\n");
  h.update(source.replace(/\r\n?/g, "\n"));
  h.update("\nsizes\n");
  h.update(JSON.stringify(entries));
  return h.digest("hex");
}

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The first 12 hex digits, enough to tell two hashes apart in a message. */
export function shortHash(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : hash;
}
