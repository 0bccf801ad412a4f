// A data file iterlang cannot use. Like a diagnostic it says what is wrong, where (the data
// file, and the line and column in it when there is one) and what to do; it is a user error,
// never a stack trace. `kind` is stable, for tests and for callers that react to one case.

export type DataErrorKind =
  | "missing-file"
  | "not-a-file"
  | "outside-root"
  | "unreadable"
  | "bad-file"
  | "bad-csv"
  | "ragged-row"
  | "non-numeric"
  | "not-finite"
  | "out-of-bounds"
  | "not-json"
  | "missing-key"
  | "empty"
  | "batch-too-large"
  | "data-changed";

export interface DataErrorInit {
  kind: DataErrorKind;
  /** One sentence a person reads first. */
  problem: string;
  /** The data file as the user would find it (relative to the current folder when it was given so). */
  file: string;
  line?: number;
  column?: number;
  hint?: string;
}

export class DataError extends Error {
  readonly isUserError = true;
  readonly kind: DataErrorKind;
  readonly problem: string;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly hint?: string;

  constructor(init: DataErrorInit) {
    super(renderDataError(init));
    this.name = "DataError";
    this.kind = init.kind;
    this.problem = init.problem;
    this.file = init.file;
    this.line = init.line;
    this.column = init.column;
    this.hint = init.hint;
  }

  /** `file:line:column`, as much of it as is known. */
  get location(): string {
    return locationOf(this);
  }
}

function locationOf(e: { file: string; line?: number; column?: number }): string {
  if (e.line === undefined) return e.file;
  return e.column === undefined ? `${e.file}:${e.line}` : `${e.file}:${e.line}:${e.column}`;
}

/** The message in the voice of the compiler's diagnostics: the problem, `-->` the place, the hint. */
function renderDataError(e: DataErrorInit): string {
  const lines = [e.problem, `  --> ${locationOf(e)}`];
  if (e.hint) lines.push(`  = hint: ${e.hint}`);
  return lines.join("\n");
}

/** A cell's text for a message: quoted, shortened when long. */
export function quoteCell(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return JSON.stringify(short);
}
