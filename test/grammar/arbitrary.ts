// fast-check arbitraries of whole iterlang programs, for the formatter's round-trip properties.
//
// `programArb` builds trees the way the parser would: an expression needed at some precedence
// level is either a construct of that level or tighter, or a `Paren` around anything, so
// every generated tree is one the parser can produce (printing it must give it back).
// `looseProgramArb` ignores precedence (no `Paren` at all): the printer has to add the
// parentheses, and the reparsed tree must mean the same once `Paren` nodes are dropped.
// Names avoid reserved words and clause words; spans are dummies.
import fc from "fast-check";
import type * as A from "../../grammar/ast.js";

const POS: A.Pos = { offset: 0, line: 1, column: 1 };
export const DUMMY_SPAN: A.Span = { start: POS, end: POS };
const span = DUMMY_SPAN;

// Precedence levels, loosest to tightest (docs/grammar.md).
export const LAMBDA = 0;
const RANGE = 1;
const OR = 2;
const AND = 3;
const NOT = 4;
const COMPARE = 5;
const ADDITIVE = 6;
const TERM = 7;
const UNARY = 8;
const POWER = 9;
const POSTFIX = 10;
const PRIMARY = 11;

const NAMES = ["x", "y", "z", "u", "A", "W", "n", "k", "loss", "relu", "α", "λ2", "_t", "stencil5", "f_1", "Y", "norm", "steps"];
const FIELDS = ["iterations", "residual", "shape", "T", "x"];

export const nameArb = fc.constantFrom(...NAMES);
const identArb: fc.Arbitrary<A.Ident> = nameArb.map((name) => ({ kind: "Ident", name, span }));

const numberArb: fc.Arbitrary<A.NumberLit> = fc
  .tuple(
    fc.nat({ max: 300 }),
    fc.option(fc.stringMatching(/^\d{1,3}$/), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), fc.integer({ min: 0, max: 12 })), { nil: undefined }),
  )
  .map(([whole, frac, exp]) => {
    const text = `${whole}${frac !== undefined ? "." + frac : ""}${exp ? exp[0] + exp[1] + exp[2] : ""}`;
    return { kind: "Number", text, value: Number(text), isInt: /^\d+$/.test(text), span };
  });

const stringArb: fc.Arbitrary<A.StringLit> = fc
  .array(fc.constantFrom("a", "b", " ", '"', "\\", "\n", "\t", "#", "é", "α", "/", ".", "{"), { maxLength: 8 })
  .map((chars) => ({ kind: "String", value: chars.join(""), span }));

const boolArb: fc.Arbitrary<A.BoolLit> = fc.boolean().map((value) => ({ kind: "Bool", value, span }));
const nameExprArb: fc.Arbitrary<A.Name> = nameArb.map((name) => ({ kind: "Name", name, span }));

const leafArb: fc.Arbitrary<A.Expr> = fc.oneof(
  { arbitrary: nameExprArb, weight: 4 },
  { arbitrary: numberArb, weight: 3 },
  { arbitrary: stringArb, weight: 1 },
  { arbitrary: boolArb, weight: 1 },
);

const binary = (op: A.BinaryOp, left: A.Expr, right: A.Expr): A.Binary => ({ kind: "Binary", op, left, right, span });
const COMPARE_OPS: A.BinaryOp[] = ["==", "!=", "<", "<=", ">", ">="];

/** Expression arbitraries indexed by [precedence level][depth]. */
export interface ExprArbs {
  /** An expression that can stand where the grammar asks for `level` or tighter. */
  at(level: number, depth: number): fc.Arbitrary<A.Expr>;
}

/**
 * `strict`: parser-shaped trees (children at the grammar's levels, `Paren` where needed).
 * Otherwise children are any expression and no `Paren` is generated.
 */
export function exprArbs(strict: boolean): ExprArbs {
  const cache = new Map<string, fc.Arbitrary<A.Expr>>();
  const at = (level: number, depth: number): fc.Arbitrary<A.Expr> => {
    const key = `${strict ? level : 0}/${depth}`;
    let arb = cache.get(key);
    if (!arb) {
      arb = build(strict ? level : LAMBDA, depth);
      cache.set(key, arb);
    }
    return arb;
  };
  // A child at `level` one step shallower.
  const sub = (level: number, depth: number) => at(strict ? level : LAMBDA, depth - 1);

  const argsArb = (depth: number): fc.Arbitrary<A.Arg[]> =>
    fc.array(
      fc.record({ name: fc.option(identArb, { nil: null }), value: sub(LAMBDA, depth) }).map(({ name, value }): A.Arg => ({ kind: "Arg", name, value, span })),
      { maxLength: 3 },
    );

  function build(level: number, depth: number): fc.Arbitrary<A.Expr> {
    if (depth <= 0) return leafArb;
    const options: { arbitrary: fc.Arbitrary<A.Expr>; weight: number }[] = [{ arbitrary: leafArb, weight: 6 }];
    const add = (lv: number, weight: number, arbitrary: fc.Arbitrary<A.Expr>) => {
      if (lv >= level) options.push({ arbitrary, weight });
    };
    const e = (lv: number) => sub(lv, depth);

    add(
      LAMBDA,
      1,
      fc.tuple(fc.uniqueArray(identArb, { minLength: 1, maxLength: 3, selector: (i) => i.name }), e(LAMBDA)).map(
        ([names, body]): A.Expr => ({
          kind: "Lambda",
          params: names.map((name): A.Param => ({ kind: "Param", name, type: null, default: null, span })),
          body,
          span,
        }),
      ),
    );
    add(LAMBDA, 1, fc.tuple(e(LAMBDA), e(LAMBDA), e(LAMBDA)).map(([cond, then, other]): A.Expr => ({ kind: "If", cond, then, else: other, span })));
    add(RANGE, 1, fc.tuple(e(OR), e(OR)).map(([start, stop]): A.Expr => ({ kind: "Range", start, stop, span })));
    add(OR, 1, fc.tuple(e(OR), e(AND)).map(([l, r]) => binary("or", l, r)));
    add(AND, 1, fc.tuple(e(AND), e(NOT)).map(([l, r]) => binary("and", l, r)));
    add(NOT, 1, e(NOT).map((operand): A.Expr => ({ kind: "Unary", op: "not", operand, span })));
    add(COMPARE, 1, fc.tuple(fc.constantFrom(...COMPARE_OPS), e(ADDITIVE), e(ADDITIVE)).map(([op, l, r]) => binary(op, l, r)));
    add(ADDITIVE, 2, fc.tuple(fc.constantFrom<A.BinaryOp>("+", "-"), e(ADDITIVE), e(TERM)).map(([op, l, r]) => binary(op, l, r)));
    add(TERM, 2, fc.tuple(fc.constantFrom<A.BinaryOp>("*", "/", "%", "@"), e(TERM), e(UNARY)).map(([op, l, r]) => binary(op, l, r)));
    add(UNARY, 1, fc.tuple(fc.constantFrom<A.UnaryOp>("-", "+"), e(UNARY)).map(([op, operand]): A.Expr => ({ kind: "Unary", op, operand, span })));
    add(POWER, 1, fc.tuple(e(POSTFIX), e(UNARY)).map(([l, r]) => binary("^", l, r)));
    add(POSTFIX, 2, fc.tuple(e(POSTFIX), argsArb(depth)).map(([callee, args]): A.Expr => ({ kind: "Call", callee, args, span })));
    add(
      POSTFIX,
      1,
      fc.tuple(fc.constantFrom<A.Diff["mode"]>("grad", "jvp", "vjp"), argsArb(depth)).map(([mode, args]): A.Expr => ({ kind: "Diff", mode, args, span })),
    );
    const slice: fc.Arbitrary<A.Slice> = fc
      .record({ start: fc.option(e(LAMBDA), { nil: null }), stop: fc.option(e(LAMBDA), { nil: null }), step: fc.option(e(LAMBDA), { nil: null }) })
      .map((s) => ({ kind: "Slice", ...s, span }));
    add(
      POSTFIX,
      1,
      fc
        .tuple(e(POSTFIX), fc.array(fc.oneof(e(LAMBDA), slice), { minLength: 1, maxLength: 3 }))
        .map(([target, indices]): A.Expr => ({ kind: "Index", target, indices, span })),
    );
    add(
      POSTFIX,
      1,
      fc.tuple(e(POSTFIX), fc.constantFrom(...FIELDS)).map(([target, field]): A.Expr => ({ kind: "Member", target, field: { kind: "Ident", name: field, span }, span })),
    );
    add(PRIMARY, 1, fc.array(e(LAMBDA), { maxLength: 3 }).map((items): A.Expr => ({ kind: "TensorLit", items, span })));
    add(PRIMARY, 1, fc.array(e(LAMBDA), { minLength: 2, maxLength: 3 }).map((items): A.Expr => ({ kind: "Tuple", items, span })));
    if (strict) add(PRIMARY, 2, e(LAMBDA).map((inner): A.Expr => ({ kind: "Paren", inner, span })));
    return fc.oneof(...options);
  }
  return { at };
}

// ---------------------------------------------------------------------------------------
// Types

function typeArb(ex: ExprArbs, depth: number): fc.Arbitrary<A.TypeExpr> {
  const dims = fc.option(fc.array(ex.at(LAMBDA, 1), { minLength: 1, maxLength: 3 }), { nil: null });
  const tensor: fc.Arbitrary<A.TypeExpr> = fc
    .tuple(fc.constantFrom<A.DType>("f32", "i32", "bool"), dims)
    .map(([dtype, shape]) => ({ kind: "TensorType", dtype, shape, span }));
  if (depth <= 0) return fc.oneof(tensor, fc.constant<A.TypeExpr>({ kind: "OpType", params: null, result: null, span }));
  const inner = typeArb(ex, depth - 1);
  const op: fc.Arbitrary<A.TypeExpr> = fc.oneof(
    fc.constant<A.TypeExpr>({ kind: "OpType", params: null, result: null, span }),
    fc
      .tuple(fc.array(inner, { maxLength: 2 }), fc.option(inner, { nil: null }))
      .map(([params, result]): A.TypeExpr => ({ kind: "OpType", params, result, span })),
  );
  const tuple: fc.Arbitrary<A.TypeExpr> = fc.array(inner, { minLength: 2, maxLength: 3 }).map((items) => ({ kind: "TupleType", items, span }));
  return fc.oneof({ arbitrary: tensor, weight: 4 }, { arbitrary: op, weight: 1 }, { arbitrary: tuple, weight: 1 });
}

// ---------------------------------------------------------------------------------------
// Statements and declarations

const EXPR_DEPTH = 3;

export interface ProgramArbOptions {
  strict: boolean;
  maxDecls?: number;
}

export function programArbs(options: ProgramArbOptions) {
  const ex = exprArbs(options.strict);
  const expr = (level = LAMBDA) => ex.at(level, EXPR_DEPTH);
  const smallExpr = (level = LAMBDA) => ex.at(level, 1);
  const type = typeArb(ex, 1);
  const optType = fc.option(type, { nil: null });
  const names = fc.uniqueArray(identArb, { minLength: 1, maxLength: 3, selector: (i) => i.name });

  const argsArb = fc.array(
    fc.record({ name: fc.option(identArb, { nil: null }), value: smallExpr() }).map(({ name, value }): A.Arg => ({ kind: "Arg", name, value, span })),
    { maxLength: 3 },
  );
  const methodArb: fc.Arbitrary<A.MethodSpec> = fc
    .tuple(identArb, fc.option(argsArb, { nil: null }))
    .map(([name, args]) => ({ kind: "MethodSpec", name, args, span }));
  const gradArb: fc.Arbitrary<A.GradSpec> = fc
    .tuple(fc.constantFrom("implicit", "unrolled", "phantom").map((name): A.Ident => ({ kind: "Ident", name, span })), fc.option(argsArb, { nil: null }))
    .map(([mode, args]) => ({ kind: "GradSpec", mode, args, span }));
  const clausesArb: fc.Arbitrary<A.Clauses> = fc.record({
    init: fc.option(expr(), { nil: null }),
    method: fc.option(methodArb, { nil: null }),
    precond: fc.option(methodArb, { nil: null }),
    until: fc.option(expr(), { nil: null }),
    max: fc.option(smallExpr(), { nil: null }),
    grad: fc.option(gradArb, { nil: null }),
    nullspace: fc.option(smallExpr(), { nil: null }),
    onBackwardFail: fc.option(
      fc.tuple(fc.constantFrom("raise", "phantom").map((name): A.Ident => ({ kind: "Ident", name, span })), fc.option(argsArb, { nil: null })).map(([name, args]): A.MethodSpec => ({ kind: "MethodSpec", name, args, span })),
      { nil: null },
    ),
  });

  const letArb: fc.Arbitrary<A.Let> = fc
    .tuple(names, optType, expr())
    .map(([ns, t, value]) => ({ kind: "Let", names: ns, type: t, value, span }));
  const assignArb: fc.Arbitrary<A.Assign> = fc.tuple(names, expr()).map(([ns, value]) => ({ kind: "Assign", names: ns, value, span }));
  const returnArb: fc.Arbitrary<A.Return> = expr().map((value) => ({ kind: "Return", value, span }));
  const fixpointArb: fc.Arbitrary<A.Fixpoint> = fc
    .tuple(identArb, optType, expr(), clausesArb)
    .map(([target, t, body, clauses]) => ({ kind: "Fixpoint", target, type: t, body, ...clauses, span }));
  const solveArb: fc.Arbitrary<A.Solve> = fc
    .tuple(expr(), expr(), clausesArb, identArb, optType)
    .map(([lhs, rhs, clauses, unknown, unknownType]) => ({ kind: "Solve", lhs, rhs, ...clauses, unknown, unknownType, span }));
  const minimizeArb: fc.Arbitrary<A.Minimize> = fc
    .tuple(expr(), clausesArb, identArb, optType)
    .map(([objective, clauses, unknown, unknownType]) => ({ kind: "Minimize", objective, ...clauses, unknown, unknownType, span }));

  const carryArb: fc.Arbitrary<A.CarryInit> = fc
    .tuple(identArb, optType, expr())
    .map(([name, t, value]) => ({ kind: "CarryInit", name, type: t, value, span }));

  const loopArb = (depth: number): fc.Arbitrary<A.Loop> => {
    const stmt: fc.Arbitrary<A.Stmt> =
      depth > 0
        ? fc.oneof(
            { arbitrary: letArb, weight: 3 },
            { arbitrary: assignArb, weight: 3 },
            { arbitrary: fixpointArb, weight: 1 },
            { arbitrary: solveArb, weight: 1 },
            { arbitrary: minimizeArb, weight: 1 },
            { arbitrary: loopArb(depth - 1), weight: 1 },
          )
        : fc.oneof(letArb, assignArb);
    return fc
      .tuple(
        fc.option(fc.tuple(identArb, expr(ADDITIVE)), { nil: null }),
        fc.array(carryArb, { maxLength: 2 }),
        fc.array(stmt, { maxLength: 3 }),
        clausesArb,
        names,
      )
      .map(([counter, carry, body, clauses, outputs]) => ({
        kind: "Loop",
        counter: counter ? counter[0] : null,
        bound: counter ? counter[1] : null,
        carry,
        body,
        ...clauses,
        outputs,
        span,
      }));
  };

  const blockStmtArb: fc.Arbitrary<A.Stmt> = fc.oneof(
    { arbitrary: letArb, weight: 3 },
    { arbitrary: fixpointArb, weight: 1 },
    { arbitrary: solveArb, weight: 1 },
    { arbitrary: minimizeArb, weight: 1 },
    { arbitrary: loopArb(1), weight: 1 },
  );
  const bodyArb: fc.Arbitrary<A.Body> = fc.oneof(
    expr().map((e): A.Body => ({ kind: "ExprBody", expr: e, span })),
    fc.tuple(fc.array(blockStmtArb, { maxLength: 3 }), returnArb).map(([stmts, ret]): A.Body => ({ kind: "Block", stmts: [...stmts, ret], span })),
  );
  const paramArb: fc.Arbitrary<A.Param> = fc
    .tuple(identArb, optType, fc.option(smallExpr(), { nil: null }))
    .map(([name, t, dflt]) => ({ kind: "Param", name, type: t, default: dflt, span }));
  const tagArb: fc.Arbitrary<A.Tag> = fc
    .tuple(fc.constantFrom("spd", "symmetric", "linear", "contractive", "nonexpansive").map((name): A.Ident => ({ kind: "Ident", name, span })), fc.option(argsArb, { nil: null }))
    .map(([name, args]) => ({ kind: "Tag", name, args, span }));
  const signatureArb = fc.record({
    name: identArb,
    params: fc.uniqueArray(paramArb, { maxLength: 3, selector: (p) => p.name.name }),
    result: optType,
    tags: fc.array(tagArb, { maxLength: 2 }),
    body: bodyArb,
  });
  // A `for` of a `check`: a size's value, or a type and/or a distribution.
  const forBindingArb: fc.Arbitrary<A.ForBinding> = fc
    .tuple(
      identArb,
      fc.oneof(
        smallExpr().map((value) => ({ type: null, draw: null, value })),
        fc.tuple(type, fc.option(expr(), { nil: null })).map(([t, draw]) => ({ type: t, draw, value: null })),
        expr().map((draw) => ({ type: null, draw, value: null })),
      ),
    )
    .map(([name, parts]) => ({ kind: "ForBinding", name, ...parts, span }));

  const settingArb: fc.Arbitrary<A.TrainSetting> = fc
    .tuple(
      fc.constantFrom("loss", "optimizer", "epochs", "batch", "seed", "checkpoint", "log").map((name): A.Ident => ({ kind: "Ident", name, span })),
      expr(),
      fc.option(fc.tuple(smallExpr(), identArb), { nil: null }),
      fc.boolean(),
    )
    .map(([key, value, every, newline]) => ({
      kind: "TrainSetting",
      key,
      value,
      every: every ? { count: every[0], unit: every[1], span } : null,
      newline,
      span,
    }));

  const declArb: fc.Arbitrary<A.Decl> = fc.oneof(
    fc
      .tuple(names, fc.option(names, { nil: null }))
      .map(([path, ns]): A.Decl => ({ kind: "Use", path, names: ns, span })),
    fc
      .array(fc.tuple(identArb, fc.option(smallExpr(), { nil: null })), { minLength: 1, maxLength: 3 })
      .map((items): A.Decl => ({ kind: "Dim", items: items.map(([name, value]) => ({ kind: "DimItem", name, value, span })), span })),
    fc
      .tuple(identArb, type, fc.option(expr(), { nil: null }))
      .map(([name, t, dflt]): A.Decl => ({ kind: "Input", name, type: t, default: dflt, span })),
    fc
      .tuple(identArb, type, fc.option(expr(), { nil: null }))
      .map(([name, t, init]): A.Decl => ({ kind: "ParamDecl", name, type: t, init, span })),
    signatureArb.map((s): A.Decl => ({ kind: "Op", ...s, span })),
    signatureArb.map((s): A.Decl => ({ kind: "Model", ...s, span })),
    fc.tuple(identArb, expr()).map(([name, source]): A.Decl => ({ kind: "Data", name, source, span })),
    fc
      // Setting names are unique: a setting given twice is a syntax error.
      .tuple(identArb, identArb, fc.uniqueArray(settingArb, { maxLength: 5, selector: (st) => st.key.name }))
      .map(([model, data, settings]): A.Decl => ({ kind: "Train", model, data, settings, span })),
    fc.tuple(identArb, fc.option(expr(), { nil: null })).map(([name, value]): A.Decl => ({ kind: "Export", name, value, span })),
    fc.tuple(expr(), fc.array(forBindingArb, { maxLength: 3 })).map(([contract, given]): A.Decl => ({ kind: "Check", contract, given, span })),
    letArb,
    fixpointArb,
    solveArb,
    minimizeArb,
    loopArb(1),
  );

  const programArb: fc.Arbitrary<A.Program> = fc
    .array(declArb, { maxLength: options.maxDecls ?? 6 })
    .map((decls) => ({ kind: "Program", file: "generated.iter", decls, comments: [], span }));

  return { programArb, declArb, expr, type };
}

/** Parser-shaped programs: `parse(format(p))` must give `p` back. */
export const programArb = programArbs({ strict: true }).programArb;
/** Programs built without regard to precedence and without `Paren` nodes. */
export const looseProgramArb = programArbs({ strict: false }).programArb;

// ---------------------------------------------------------------------------------------
// Comparing trees

/**
 * A copy of an AST without what printing does not keep: `span`s (everywhere, also inside
 * `every`), `TrainSetting.newline`, and the program's `comments` and `file`.
 */
export function stripSpans(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripSpans);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (key === "span") continue;
    if (record.kind === "TrainSetting" && key === "newline") continue;
    if (record.kind === "Program" && (key === "comments" || key === "file")) continue;
    out[key] = stripSpans(value);
  }
  return out;
}

/** `stripSpans`, and every `Paren` replaced by what it holds: the tree's meaning. */
export function stripParens(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripParens);
  if (node === null || typeof node !== "object") return node;
  const record = node as Record<string, unknown>;
  if (record.kind === "Paren") return stripParens(record.inner);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) out[key] = stripParens(value);
  return stripSpans(out);
}
