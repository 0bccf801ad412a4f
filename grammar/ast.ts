// The abstract syntax of iterlang. Every node carries `kind` (its discriminant) and `span`
// (where it stands in the source). Passes switch on `kind` exhaustively; nothing here is
// optional that a later stage needs to know.

import type { Span } from "../base/span.js";
import type { DType } from "../base/dtype.js";

export type { Pos, Span } from "../base/span.js";
export type { DType } from "../base/dtype.js";

interface Node {
  span: Span;
}

/** A name as written, with its own span (so a diagnostic can point at it exactly). */
export interface Ident extends Node {
  kind: "Ident";
  name: string;
}

// ---------------------------------------------------------------------------------------
// Types


/** `f32`, `f32[N, N]`, `i32[n + 1]`; `shape` is null for a scalar. */
export interface TensorType extends Node {
  kind: "TensorType";
  dtype: DType;
  shape: Expr[] | null;
}

/** `op(f32[n], f32[n]) -> f32[n]`, or a bare `op` when `params` is null (any operator). */
export interface OpType extends Node {
  kind: "OpType";
  params: TypeExpr[] | null;
  result: TypeExpr | null;
}

/** `(f32[n], f32)` — the type of a tuple. */
export interface TupleType extends Node {
  kind: "TupleType";
  items: TypeExpr[];
}

export type TypeExpr = TensorType | OpType | TupleType;

// ---------------------------------------------------------------------------------------
// Expressions

export interface NumberLit extends Node {
  kind: "Number";
  /** The literal as written (`1e-5`, `0.8`, `255`), kept for faithful formatting. */
  text: string;
  value: number;
  /** True when written without a decimal point or exponent. */
  isInt: boolean;
}

export interface StringLit extends Node {
  kind: "String";
  value: string;
}

export interface BoolLit extends Node {
  kind: "Bool";
  value: boolean;
}

export interface Name extends Node {
  kind: "Name";
  name: string;
}

export type UnaryOp = "-" | "+" | "not";
export type BinaryOp =
  | "or"
  | "and"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "@"
  | "^";

export interface Unary extends Node {
  kind: "Unary";
  op: UnaryOp;
  operand: Expr;
}

export interface Binary extends Node {
  kind: "Binary";
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

/** A named argument `name: value`; positional arguments have `name` null. */
export interface Arg extends Node {
  kind: "Arg";
  name: Ident | null;
  value: Expr;
}

export interface Call extends Node {
  kind: "Call";
  callee: Expr;
  args: Arg[];
}

/** `grad(f, x)`, `jvp(f, x, v)`, `vjp(f, x, c)`: derivatives of an operator or lambda. */
export interface Diff extends Node {
  kind: "Diff";
  mode: "grad" | "jvp" | "vjp";
  args: Arg[];
}

/** `start:stop:step` inside an index; any part may be absent (`:`, `1:`, `::2`). */
export interface Slice extends Node {
  kind: "Slice";
  start: Expr | null;
  stop: Expr | null;
  step: Expr | null;
}

export interface Index extends Node {
  kind: "Index";
  target: Expr;
  indices: (Expr | Slice)[];
}

/** `a.b`: a field of a report or a member of an imported module. */
export interface Member extends Node {
  kind: "Member";
  target: Expr;
  field: Ident;
}

/** `[[1, 2], [3, 4]]` */
export interface TensorLit extends Node {
  kind: "TensorLit";
  items: Expr[];
}

export interface Tuple extends Node {
  kind: "Tuple";
  items: Expr[];
}

/** `a..b`: an integer range (columns of a data file, loop bounds). */
export interface Range extends Node {
  kind: "Range";
  start: Expr;
  stop: Expr;
}

/** A lambda parameter; its type is optional and inferred from the use site. */
export interface Param extends Node {
  kind: "Param";
  name: Ident;
  type: TypeExpr | null;
  default: Expr | null;
}

/** `z => tanh(z @ W)` or `(x, y) => x * y` (`↦` is accepted for `=>`). */
export interface Lambda extends Node {
  kind: "Lambda";
  params: Param[];
  body: Expr;
}

/** `if c then a else b`: the condition is known when compiling; one branch is compiled. */
export interface If extends Node {
  kind: "If";
  cond: Expr;
  then: Expr;
  else: Expr;
}

/** A parenthesised expression, kept so the formatter can preserve the user's grouping. */
export interface Paren extends Node {
  kind: "Paren";
  inner: Expr;
}

export type Expr =
  | NumberLit
  | StringLit
  | BoolLit
  | Name
  | Unary
  | Binary
  | Call
  | Diff
  | Index
  | Member
  | TensorLit
  | Tuple
  | Range
  | Lambda
  | If
  | Paren;

// ---------------------------------------------------------------------------------------
// Iterative constructs (usable at the top level and inside op / model bodies)

/** `method cg(rtol: 1e-6)`, `precond multigrid(...)`: a method named with options. */
export interface MethodSpec extends Node {
  kind: "MethodSpec";
  /** The method's name; for a lambda, its parameter (`v` of `precond v => D_inv * v`). */
  name: Ident;
  /** Null when written without parentheses (`method picard`). */
  args: Arg[] | null;
  /** `precond v => D_inv * v`: a preconditioner written in place (only `precond` takes one). */
  lambda?: Lambda;
}

/** `grad implicit`, `grad unrolled`, `grad phantom(k: 5)`. */
export interface GradSpec extends Node {
  kind: "GradSpec";
  mode: Ident;
  args: Arg[] | null;
}

/** The clauses shared by `fixpoint`, `solve`, `minimize` and `loop`, each at most once. */
export interface Clauses {
  init: Expr | null;
  method: MethodSpec | null;
  precond: MethodSpec | null;
  until: Expr | null;
  max: Expr | null;
  grad: GradSpec | null;
  /** `nullspace constant | z`: a solve's known null space, projected out (a singular operator). */
  nullspace: Expr | null;
  /** `on backward_fail raise | phantom(k: 5)`: what a gradient does if its adjoint fails. */
  onBackwardFail: MethodSpec | null;
}

/** `fixpoint z = T(z) init zeros method anderson(m: 5) until residual < 1e-5 max 60` */
export interface Fixpoint extends Node, Clauses {
  kind: "Fixpoint";
  target: Ident;
  type: TypeExpr | null;
  body: Expr;
}

/** `solve A(u) = f method cg(rtol: 1e-6) precond jacobi -> u`: `u` is the unknown. */
export interface Solve extends Node, Clauses {
  kind: "Solve";
  lhs: Expr;
  rhs: Expr;
  unknown: Ident;
  unknownType: TypeExpr | null;
}

/** `minimize loss(x) init x0 method lbfgs() until gnorm < 1e-5 -> x` */
export interface Minimize extends Node, Clauses {
  kind: "Minimize";
  objective: Expr;
  unknown: Ident;
  unknownType: TypeExpr | null;
}

/** `Y = A / s` in a `carry (...)` list. */
export interface CarryInit extends Node {
  kind: "CarryInit";
  name: Ident;
  type: TypeExpr | null;
  value: Expr;
}

/** `loop k < 25 carry (Y = A, Z = eye(n)) { ... } until cond max 100 -> (Y, Z)` */
export interface Loop extends Node, Clauses {
  kind: "Loop";
  /** `k < 25`: the counter's name and its bound; null for an `until`-only loop. */
  counter: Ident | null;
  bound: Expr | null;
  carry: CarryInit[];
  body: Stmt[];
  /** The carried names bound in the enclosing scope after the loop. */
  outputs: Ident[];
}

// ---------------------------------------------------------------------------------------
// Statements

/** `let s = fro(A)`, `let (a, b) = f(x)`, `let x: f32[n] = ...` */
export interface Let extends Node {
  kind: "Let";
  names: Ident[];
  type: TypeExpr | null;
  value: Expr;
}

/** `Y = Y @ T` inside a loop body: the next value of a carried name. */
export interface Assign extends Node {
  kind: "Assign";
  names: Ident[];
  value: Expr;
}

export interface Return extends Node {
  kind: "Return";
  value: Expr;
}

/** Statements allowed inside `op`, `model` and `loop` bodies. */
export type Stmt = Let | Assign | Return | Fixpoint | Solve | Minimize | Loop;

/** `use std.krylov` or `use std.krylov.{cg, gmres}` */
export interface Use extends Node {
  kind: "Use";
  path: Ident[];
  names: Ident[] | null;
}

/** `dim N = 255`, `dim B, D = 8, H = 64` */
export interface DimItem extends Node {
  kind: "DimItem";
  name: Ident;
  value: Expr | null;
}

export interface DimDecl extends Node {
  kind: "Dim";
  items: DimItem[];
}

/** `input f: f32[N, N]`, optionally with a default value `= expr`. */
export interface InputDecl extends Node {
  kind: "Input";
  name: Ident;
  type: TypeExpr;
  default: Expr | null;
}

/** `param W: f32[H, H] init normal(std: 0.05, seed: 1)` */
export interface ParamDecl extends Node {
  kind: "ParamDecl";
  name: Ident;
  type: TypeExpr;
  init: Expr | null;
}

/** The body of an op or model: either `= expr` or a block ending in `return`. */
export type Body = { kind: "ExprBody"; expr: Expr; span: Span } | { kind: "Block"; stmts: Stmt[]; span: Span };

/** `spd`, `contractive(0.9)`: a structure an op declares (`op A(...) is spd = ...`). */
export interface Tag extends Node {
  kind: "Tag";
  name: Ident;
  /** Null when written without parentheses. */
  args: Arg[] | null;
}

/** `op A(u: f32[n, n]) -> f32[n, n] is spd = ...`; parameters may be ops (`M: op`). */
export interface OpDecl extends Node {
  kind: "Op";
  name: Ident;
  params: Param[];
  result: TypeExpr | null;
  /** What the op declares it is (`is spd, linear`): verified by `iterc check`, read by solvers. */
  tags: Tag[];
  body: Body;
}

/** `model deq(x: f32[B, D]) -> f32[B, 1] { ... }`: an op whose params are trainable. */
export interface ModelDecl extends Node {
  kind: "Model";
  name: Ident;
  params: Param[];
  result: TypeExpr | null;
  tags: Tag[];
  body: Body;
}

/** `data toy = csv("toy.csv", x: 0..8, y: 8)` */
export interface DataDecl extends Node {
  kind: "Data";
  name: Ident;
  source: Expr;
}

/** One setting of a `train` block: `loss expr`, `epochs 30`, `checkpoint "dir" every 100 steps`. */
export interface TrainSetting extends Node {
  kind: "TrainSetting";
  key: Ident;
  value: Expr;
  /** `every 100 steps`: the period and its unit. */
  every: { count: Expr; unit: Ident; span: Span } | null;
  /** True when this setting starts a new line in the source (for faithful formatting). */
  newline: boolean;
}

/** `train deq on toy { ... }` */
export interface TrainDecl extends Node {
  kind: "Train";
  model: Ident;
  data: Ident;
  settings: TrainSetting[];
}

/** `export u`, `export sqrtA = Y * sqrt(s)` */
export interface ExportDecl extends Node {
  kind: "Export";
  name: Ident;
  value: Expr | null;
}

/**
 * One `for` of a `check`: `x ~ normal(std: 2)` (how an input or a point of the contract is
 * drawn), `z: f32[N]` (a point's type), both (`z: f32[N] ~ uniform()`), or `n = 8` (a size).
 */
export interface ForBinding extends Node {
  kind: "ForBinding";
  name: Ident;
  type: TypeExpr | null;
  /** After `~`: a distribution. */
  draw: Expr | null;
  /** After `=`: a size's value. */
  value: Expr | null;
}

/** `check contractive(z => T(z), below: 1) for z: f32[N]`: a contract turned into a property test. */
export interface CheckDecl extends Node {
  kind: "Check";
  contract: Expr;
  given: ForBinding[];
}

export type Decl =
  | Use
  | DimDecl
  | InputDecl
  | ParamDecl
  | OpDecl
  | ModelDecl
  | DataDecl
  | TrainDecl
  | ExportDecl
  | CheckDecl
  | Let
  | Fixpoint
  | Solve
  | Minimize
  | Loop;

/** A comment as written (`# ...`), kept for the formatter. */
export interface Comment {
  text: string;
  span: Span;
}

export interface Program extends Node {
  kind: "Program";
  file: string;
  decls: Decl[];
  comments: Comment[];
}

export type AnyNode =
  | Decl
  | Stmt
  | Expr
  | TypeExpr
  | Arg
  | Slice
  | Param
  | MethodSpec
  | GradSpec
  | DimItem
  | CarryInit
  | TrainSetting
  | ForBinding
  | Tag
  | Ident;

export const CLAUSE_ORDER = ["init", "method", "precond", "until", "max", "grad", "nullspace", "onBackwardFail"] as const;
export type ClauseName = (typeof CLAUSE_ORDER)[number];
