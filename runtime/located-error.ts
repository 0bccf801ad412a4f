// The shape of a user error the runtime finds in a file that is not a .iter source (a data
// file, a checkpoint): what is wrong, where (`file:line:column`, as much as is known), and what
// to do — the voice of the compiler's diagnostics, as text the CLI prints whole.

export interface Located {
  /** One sentence a person reads first. */
  problem: string;
  file: string;
  line?: number;
  column?: number;
  hint?: string;
}

/** `file:line:column`, as much of it as is known: the form editors and terminals make clickable. */
export function locationOf(e: Located): string {
  if (e.line === undefined) return e.file;
  return e.column === undefined ? `${e.file}:${e.line}` : `${e.file}:${e.line}:${e.column}`;
}

/** The problem, `-->` the place, and the hint, one per line. */
export function renderLocated(e: Located): string {
  const lines = [e.problem, `  --> ${locationOf(e)}`];
  if (e.hint) lines.push(`  = hint: ${e.hint}`);
  return lines.join("\n");
}
