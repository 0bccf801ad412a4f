// What a cell of text holds. Numbers are decimal (`-1.5`, `.5`, `2.`, `1e-3`); anything else
// is reported, and NaN and infinities are refused: one NaN in a batch makes every gradient NaN,
// so a missing value must be dealt with before training, not discovered during it.

export type Cell =
  | { kind: "number"; value: number }
  | { kind: "empty" }
  | { kind: "not-finite"; what: string }
  | { kind: "too-large" }
  | { kind: "text" };

export const NOT_FINITE_HINT = "one NaN in a batch makes every gradient NaN: fill in or drop such rows before training.";

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

export function readCell(raw: string): Cell {
  const text = raw.trim();
  if (DECIMAL.test(text)) return checkFinite(Number(text));
  if (text === "") return { kind: "empty" };
  if (NOT_FINITE.test(text)) return { kind: "not-finite", what: /nan/i.test(text) ? "NaN" : "an infinity" };
  return { kind: "text" };
}

/** A number that float32 can hold; larger ones would become infinities. */
export function checkFinite(value: number): Cell {
  return Number.isFinite(Math.fround(value)) ? { kind: "number", value } : { kind: "too-large" };
}

/** What to tell a person about a cell that is not a number (`place` says where), or undefined for a number. */
export function cellProblem(cell: Cell, quoted: string, place: string): { kind: "non-numeric" | "not-finite"; problem: string; hint: string } | undefined {
  switch (cell.kind) {
    case "number":
      return undefined;
    case "empty":
      return { kind: "non-numeric", problem: `The cell in ${place} is empty, but a number is needed there.`, hint: "fill in or drop rows with missing values before training." };
    case "text":
      return { kind: "non-numeric", problem: `The cell ${quoted} in ${place} is not a number.`, hint: "numbers are written as decimals: `3`, `-0.25`, `1e-3`." };
    case "not-finite":
      return { kind: "not-finite", problem: `The cell ${quoted} in ${place} is ${cell.what}; I refuse NaN and infinite values in training data.`, hint: NOT_FINITE_HINT };
    case "too-large":
      return { kind: "not-finite", problem: `The cell ${quoted} in ${place} is too large for float32 (the largest is about 3.4e38).`, hint: "rescale the column before training." };
  }
}
