// A data file iterlang cannot use. Like a diagnostic it says what is wrong, where (the data
// file, and the line and column in it when there is one) and what to do; it is a user error,
// never a stack trace. `kind` is stable, for tests and for callers that react to one case.
import { type Located, locationOf, renderLocated } from "../located-error.js";

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

export interface DataErrorInit extends Located {
  kind: DataErrorKind;
}

export class DataError extends Error implements Located {
  readonly isUserError = true;
  readonly kind: DataErrorKind;
  readonly problem: string;
  /** The data file as the user would find it (relative to the current folder when it was given so). */
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly hint?: string;

  constructor(init: DataErrorInit) {
    super(renderLocated(init));
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

/** A cell's text for a message: quoted, shortened when long. */
export function quoteCell(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return JSON.stringify(short);
}
