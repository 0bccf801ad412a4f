// Every diagnostic code, named for the user's mistake (never for the compiler stage that found
// it), with the one-line meaning `iterc explain`-style tooling and docs show. A code is stable:
// editors and CI match on it. Adding one here is the only way to add one anywhere.
export const DIAGNOSTIC_CODES = {
  // ---- reading the file -----------------------------------------------------------------
  syntax: "the text is not iterlang: a token or a construct where another was expected",
  "too-deep": "an expression, a call chain or a data file nests deeper than iterlang reads",
  // ---- names ---------------------------------------------------------------------------
  "unknown-name": "a name that is not defined anywhere visible",
  "used-before-definition": "a name used on a line above the one that defines it",
  "duplicate-name": "a name defined twice in one scope",
  "unknown-module": "a `use` of a standard-library module that does not exist",
  // ---- types and shapes ------------------------------------------------------------------
  "type-mismatch": "a value of the wrong kind: a bool where a number is needed, an operator where a tensor is",
  "shape-mismatch": "shapes that do not fit together: broadcasting, matmul, a declared type",
  "bad-type": "a type annotation that is not a tensor where a tensor is needed",
  "bad-shape": "a dimension that is not a whole number or a size expression",
  "bad-size": "a size that is negative, not whole, or has no value",
  "not-a-size": "a value used where a size is needed",
  "unbindable-size": "a size in an input's shape that cannot be read from the data",
  "cannot-infer": "a value whose shape nothing determines",
  "empty-tensor": "an empty tensor literal",
  "not-static": "a value computed at run time where one known when compiling is needed",
  "not-callable": "a call of something that is not an operator",
  "bad-argument": "a call's arguments do not match the parameters",
  "range-misplaced": "a range `a..b` outside a `data` declaration",
  "not-a-report": "a field read (`u.iterations`) of a value that no construct computed",
  "unknown-field": "a field a construct's report does not have",
  "too-large": "a tensor, or all of them together, larger than the memory iterlang may use",
  // ---- statements and blocks -------------------------------------------------------------
  "missing-return": "a block that ends without `return`",
  "misplaced-return": "`return` outside an op or model block",
  unreachable: "statements after `return`",
  "misplaced-assign": "an assignment to a name that is not carried by a loop",
  "not-carried": "an update of a name the loop does not carry",
  "unbounded-loop": "a loop with neither a count nor a `max`",
  recursion: "an op that calls itself without a way to stop",
  // ---- iterative constructs --------------------------------------------------------------
  "unknown-method": "a `method`, `precond` or `grad` name that does not exist",
  "unknown-option": "an option a method does not take",
  "missing-option": "a method option that has no default and was not given",
  "bad-option": "an option value of the wrong kind or out of range",
  "bad-clause": "a clause that has no meaning for this construct, or a malformed one",
  "tolerance-too-fine": "a tolerance finer than the arithmetic can certify",
  "unknown-not-used": "a solve whose left side does not use its unknown",
  "unknown-on-right": "a solve whose right side uses its unknown",
  "method-does-not-fit": "a standard-library method that cannot take this unknown or operator",
  "absurd-bound": "an iteration bound too large to ever be reached",
  "long-run": "an iteration bound of a million or more: a run that goes that far takes minutes to hours (a warning)",
  // ---- derivatives ------------------------------------------------------------------------
  "not-differentiable": "a derivative through an op or construct that has no rule for it",
  "backward-failed": "the adjoint solve of a gradient did not converge, so the gradient is not used",
  // ---- training, contracts, not-yet-available --------------------------------------------
  "not-a-model": "`train` given something that is not a model",
  "unknown-setting": "a training setting that does not exist",
  "bad-setting": "a training setting with a value of the wrong kind, given twice, or missing",
  "bad-data": "a `data` declaration that does not say a file and its fields, or a data file that cannot be read as it says",
  "unknown-contract": "a `check` contract or a structure tag that does not exist",
  "bad-contract": "a contract or tag whose arguments or `for` clauses cannot be tested as written",
  "undeclared-structure": "a solver that needs a structure (SPD, symmetric, a contraction) of an operator that does not declare it",
  "contract-failed": "a contract or tag that `iterc check` found a counterexample to",
  "not-yet": "a construct that is parsed and checked but does not run yet",
  planned: "a declaration that is accepted but not acted on yet",
  // ---- running ---------------------------------------------------------------------------
  "bad-input": "data given for an input that does not fit its declaration",
  "backend-unavailable": "a tensor backend that is not installed or cannot start",
  // ---- the command line ------------------------------------------------------------------
  "bad-usage": "a command-line mistake: a file that cannot be read, an unknown flag, a flag's value",
} as const satisfies Record<string, string>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export function isDiagnosticCode(s: string): s is DiagnosticCode {
  return Object.prototype.hasOwnProperty.call(DIAGNOSTIC_CODES, s);
}
