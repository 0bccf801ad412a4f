// The chevrotain parser: rules are class properties (a typo in a rule name is a type error),
// one instance is reused, recovery is on so one run reports every independent error.
// The grammar is written down in docs/grammar.md; keep the two in step.
import { CstParser, EOF, type IToken, tokenMatcher } from "chevrotain";
import { messageProvider } from "./messages.js";
import * as T from "./tokens.js";

export class IterParser extends CstParser {
  /**
   * `validate` runs chevrotain's grammar validations (ambiguities, left recursion): a test
   * builds the parser with them (test/grammar/parse.test.ts); the shared instance skips them,
   * since they cost a fifth of every command's start-up and the grammar does not change.
   */
  constructor(validate = false) {
    super(T.allTokens, {
      recoveryEnabled: true,
      maxLookahead: 3,
      nodeLocationTracking: "full",
      errorMessageProvider: messageProvider,
      skipValidations: !validate,
    });
    this.performSelfAnalysis();
  }

  // ---- declarations -------------------------------------------------------------------

  program = this.RULE("program", () => {
    this.MANY(() => this.OR([{ ALT: () => this.SUBRULE(this.decl) }, { ALT: () => this.CONSUME(T.Newline) }]));
  });

  decl = this.RULE("decl", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.useDecl) },
      { ALT: () => this.SUBRULE(this.dimDecl) },
      { ALT: () => this.SUBRULE(this.inputDecl) },
      { ALT: () => this.SUBRULE(this.paramDecl) },
      { ALT: () => this.SUBRULE(this.opDecl) },
      { ALT: () => this.SUBRULE(this.modelDecl) },
      { ALT: () => this.SUBRULE(this.dataDecl) },
      { ALT: () => this.SUBRULE(this.trainDecl) },
      { ALT: () => this.SUBRULE(this.exportDecl) },
      { ALT: () => this.SUBRULE(this.checkDecl) },
      { ALT: () => this.SUBRULE(this.letStmt) },
      { ALT: () => this.SUBRULE(this.fixpointStmt) },
      { ALT: () => this.SUBRULE(this.solveStmt) },
      { ALT: () => this.SUBRULE(this.minimizeStmt) },
      { ALT: () => this.SUBRULE(this.loopStmt) },
    ]);
  });

  useDecl = this.RULE("useDecl", () => {
    this.CONSUME(T.Use);
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.OR([
        { ALT: () => this.CONSUME1(T.Identifier, { LABEL: "path" }) },
        {
          ALT: () => {
            this.CONSUME(T.LBrace);
            this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME2(T.Identifier, { LABEL: "names" }) });
            this.CONSUME(T.RBrace);
          },
        },
      ]);
    });
  });

  dimDecl = this.RULE("dimDecl", () => {
    this.CONSUME(T.Dim);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.dimItem) });
  });

  dimItem = this.RULE("dimItem", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expr);
    });
  });

  inputDecl = this.RULE("inputDecl", () => {
    this.CONSUME(T.Input);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expr);
    });
  });

  paramDecl = this.RULE("paramDecl", () => {
    this.CONSUME(T.ParamKw);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
    this.OPTION(() => {
      this.CONSUME(T.Init);
      this.SUBRULE(this.expr);
    });
  });

  opDecl = this.RULE("opDecl", () => {
    this.CONSUME(T.Op);
    this.SUBRULE(this.signature);
  });

  modelDecl = this.RULE("modelDecl", () => {
    this.CONSUME(T.Model);
    this.SUBRULE(this.signature);
  });

  /** `name(params) -> type is tag, ... = expr` or `name(params) -> type is tag { ... }` */
  signature = this.RULE("signature", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.parameter) });
    this.CONSUME(T.RParen);
    this.OPTION(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.type);
    });
    this.OPTION1(() => {
      this.CONSUME(T.Is);
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.spec, { LABEL: "tags" }) });
    });
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Equals);
          this.SUBRULE(this.expr);
        },
      },
      { ALT: () => this.SUBRULE(this.block) },
    ]);
  });

  parameter = this.RULE("parameter", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.type);
    });
    this.OPTION1(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expr);
    });
  });

  block = this.RULE("block", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR([{ ALT: () => this.SUBRULE(this.stmt) }, { ALT: () => this.CONSUME(T.Newline) }]));
    this.CONSUME(T.RBrace);
  });

  dataDecl = this.RULE("dataDecl", () => {
    this.CONSUME(T.Data);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  });

  trainDecl = this.RULE("trainDecl", () => {
    this.CONSUME(T.Train);
    this.CONSUME(T.Identifier, { LABEL: "model" });
    this.CONSUME(T.On);
    this.CONSUME1(T.Identifier, { LABEL: "data" });
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR([{ ALT: () => this.SUBRULE(this.trainSetting) }, { ALT: () => this.CONSUME(T.Newline) }]));
    this.CONSUME(T.RBrace);
  });

  trainSetting = this.RULE("trainSetting", () => {
    this.CONSUME(T.Identifier, { LABEL: "key" });
    this.SUBRULE(this.expr);
    this.OPTION({
      GATE: () => tokenMatcher(this.LA(1), T.Every),
      DEF: () => {
        this.CONSUME(T.Every);
        this.SUBRULE1(this.expr, { LABEL: "count" });
        this.CONSUME1(T.Identifier, { LABEL: "unit" });
      },
    });
  });

  exportDecl = this.RULE("exportDecl", () => {
    this.CONSUME(T.Export);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expr);
    });
  });

  /** `check contract for x ~ normal(std: 2), n = 8`: a contract and what its inputs are. */
  checkDecl = this.RULE("checkDecl", () => {
    this.CONSUME(T.Check);
    this.SUBRULE(this.expr);
    this.MANY(() => {
      this.CONSUME(T.For);
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.forBinding) });
    });
  });

  /** `x ~ normal(std: 2)`, `z: f32[N]`, `z: f32[N] ~ uniform(lo: 0, hi: 1)` or `n = 8`. */
  forBinding = this.RULE("forBinding", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.type);
    });
    this.OPTION1(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Tilde);
            this.SUBRULE(this.expr, { LABEL: "draw" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Equals);
            this.SUBRULE1(this.expr, { LABEL: "value" });
          },
        },
      ]);
    });
  });

  // ---- statements ---------------------------------------------------------------------

  stmt = this.RULE("stmt", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.letStmt) },
      { ALT: () => this.SUBRULE(this.returnStmt) },
      { ALT: () => this.SUBRULE(this.fixpointStmt) },
      { ALT: () => this.SUBRULE(this.solveStmt) },
      { ALT: () => this.SUBRULE(this.minimizeStmt) },
      { ALT: () => this.SUBRULE(this.loopStmt) },
      { ALT: () => this.SUBRULE(this.assignStmt) },
    ]);
  });

  /** `x` or `(a, b)` on the left of `=`. */
  names = this.RULE("names", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME1(T.Identifier) });
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });

  letStmt = this.RULE("letStmt", () => {
    this.CONSUME(T.Let);
    this.SUBRULE(this.names);
    this.SUBRULE(this.typeAnnotation);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  });

  assignStmt = this.RULE("assignStmt", () => {
    this.SUBRULE(this.names);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  });

  returnStmt = this.RULE("returnStmt", () => {
    this.CONSUME(T.Return);
    this.SUBRULE(this.expr);
  });

  typeAnnotation = this.RULE("typeAnnotation", () => {
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.type);
    });
  });

  fixpointStmt = this.RULE("fixpointStmt", () => {
    this.CONSUME(T.Fixpoint);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.typeAnnotation);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
    this.MANY(() => this.SUBRULE(this.clause));
  });

  solveStmt = this.RULE("solveStmt", () => {
    this.CONSUME(T.Solve);
    this.SUBRULE(this.expr, { LABEL: "lhs" });
    this.CONSUME(T.Equals);
    this.SUBRULE1(this.expr, { LABEL: "rhs" });
    this.MANY(() => this.SUBRULE(this.clause));
    this.SUBRULE(this.unknown);
  });

  minimizeStmt = this.RULE("minimizeStmt", () => {
    this.CONSUME(T.Minimize);
    this.SUBRULE(this.expr);
    this.MANY(() => this.SUBRULE(this.clause));
    this.SUBRULE(this.unknown);
  });

  /** `-> u` or `-> u: f32[N, N]`: the unknown a solve or minimize binds. */
  unknown = this.RULE("unknown", () => {
    this.CONSUME(T.Arrow);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.typeAnnotation);
  });

  loopStmt = this.RULE("loopStmt", () => {
    this.CONSUME(T.Loop);
    this.OPTION(() => {
      this.CONSUME(T.Identifier, { LABEL: "counter" });
      this.CONSUME(T.Less);
      this.SUBRULE(this.additive, { LABEL: "bound" });
    });
    this.OPTION1(() => {
      this.CONSUME(T.Carry);
      this.CONSUME(T.LParen);
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.carryInit) });
      this.CONSUME(T.RParen);
    });
    this.SUBRULE(this.block);
    this.MANY(() => this.SUBRULE(this.clause));
    this.CONSUME(T.Arrow);
    this.SUBRULE(this.names);
  });

  carryInit = this.RULE("carryInit", () => {
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.typeAnnotation);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  });

  clause = this.RULE("clause", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.ExprClauseWord);
          this.SUBRULE(this.expr);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.SpecClauseWord);
          this.SUBRULE(this.spec);
        },
      },
      {
        // `on backward_fail phantom(k: 5)`; to-ast checks the event's name.
        ALT: () => {
          this.CONSUME(T.On);
          this.CONSUME(T.Identifier, { LABEL: "event" });
          this.SUBRULE1(this.spec);
        },
      },
    ]);
  });

  /** `cg(rtol: 1e-6)`, `jacobi`, `phantom(k: 5)`, or a lambda (`precond v => D_inv * v`) */
  spec = this.RULE("spec", () => {
    this.OR([
      { GATE: () => this.atLambda(), ALT: () => this.SUBRULE(this.lambda) },
      {
        ALT: () => {
          this.CONSUME(T.Identifier);
          this.OPTION(() => this.SUBRULE(this.argList));
        },
      },
    ]);
  });

  // ---- types --------------------------------------------------------------------------

  type = this.RULE("type", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.tensorType) },
      { ALT: () => this.SUBRULE(this.opType) },
      { ALT: () => this.SUBRULE(this.tupleType) },
    ]);
  });

  tensorType = this.RULE("tensorType", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LBracket);
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expr) });
      this.CONSUME(T.RBracket);
    });
  });

  opType = this.RULE("opType", () => {
    this.CONSUME(T.Op);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.type, { LABEL: "params" }) });
      this.CONSUME(T.RParen);
      this.OPTION1(() => {
        this.CONSUME(T.Arrow);
        this.SUBRULE1(this.type, { LABEL: "result" });
      });
    });
  });

  tupleType = this.RULE("tupleType", () => {
    this.CONSUME(T.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.type) });
    this.CONSUME(T.RParen);
  });

  // ---- expressions, loosest first -------------------------------------------------------

  expr = this.RULE("expr", () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => this.atLambda(), ALT: () => this.SUBRULE(this.lambda) },
        { ALT: () => this.SUBRULE(this.ifExpr) },
        { ALT: () => this.SUBRULE(this.range) },
      ],
    });
  });

  /** A lambda starts with `x =>` or with `( names ) =>`: scan to the matching parenthesis. */
  private atLambda(): boolean {
    const first = this.LA(1);
    if (tokenMatcher(first, T.Identifier)) return tokenMatcher(this.LA(2), T.FatArrow);
    if (!tokenMatcher(first, T.LParen)) return false;
    for (let k = 2; ; k++) {
      const tok: IToken = this.LA(k);
      if (tokenMatcher(tok, T.RParen)) return tokenMatcher(this.LA(k + 1), T.FatArrow);
      if (!tokenMatcher(tok, T.Identifier) && !tokenMatcher(tok, T.Comma)) return false;
      if (tok.tokenType === EOF) return false;
    }
  }

  /** `if c then a else b`: chosen when compiling (run-time choices are `where`). */
  ifExpr = this.RULE("ifExpr", () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expr, { LABEL: "cond" });
    this.CONSUME(T.Then);
    this.SUBRULE1(this.expr, { LABEL: "then" });
    this.CONSUME(T.Else);
    this.SUBRULE2(this.expr, { LABEL: "else" });
  });

  lambda = this.RULE("lambda", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.MANY_SEP({ SEP: T.Comma, DEF: () => this.CONSUME1(T.Identifier) });
          this.CONSUME(T.RParen);
        },
      },
    ]);
    this.CONSUME(T.FatArrow);
    this.SUBRULE(this.expr);
  });

  range = this.RULE("range", () => {
    this.SUBRULE(this.orExpr);
    this.OPTION(() => {
      this.CONSUME(T.DotDot);
      this.SUBRULE1(this.orExpr);
    });
  });

  orExpr = this.RULE("orExpr", () => {
    this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE1(this.andExpr);
    });
  });

  andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE1(this.notExpr);
    });
  });

  notExpr = this.RULE("notExpr", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.notExpr);
        },
      },
      { ALT: () => this.SUBRULE(this.compare) },
    ]);
  });

  compare = this.RULE("compare", () => {
    this.SUBRULE(this.additive);
    this.OPTION(() => {
      this.CONSUME(T.CompareOp);
      this.SUBRULE1(this.additive);
    });
  });

  additive = this.RULE("additive", () => {
    this.SUBRULE(this.term);
    this.MANY(() => {
      this.CONSUME(T.AdditiveOp);
      this.SUBRULE1(this.term);
    });
  });

  term = this.RULE("term", () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.CONSUME(T.MultiplicativeOp);
      this.SUBRULE1(this.unary);
    });
  });

  unary = this.RULE("unary", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.AdditiveOp);
          this.SUBRULE(this.unary);
        },
      },
      { ALT: () => this.SUBRULE(this.power) },
    ]);
  });

  power = this.RULE("power", () => {
    this.SUBRULE(this.postfix);
    this.OPTION(() => {
      this.CONSUME(T.Caret);
      this.SUBRULE(this.unary);
    });
  });

  postfix = this.RULE("postfix", () => {
    this.SUBRULE(this.primary);
    this.MANY(() => this.SUBRULE(this.suffix));
  });

  suffix = this.RULE("suffix", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.argList) },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.indexItem) });
          this.CONSUME(T.RBracket);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Dot);
          this.CONSUME(T.Identifier);
        },
      },
    ]);
  });

  argList = this.RULE("argList", () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.arg) });
    this.CONSUME(T.RParen);
  });

  arg = this.RULE("arg", () => {
    this.OPTION(() => {
      this.CONSUME(T.Identifier);
      this.CONSUME(T.Colon);
    });
    this.SUBRULE(this.expr);
  });

  /** `i`, `a:b`, `:`, `::2`, `1:N+1:2` */
  indexItem = this.RULE("indexItem", () => {
    this.OPTION(() => this.SUBRULE(this.expr, { LABEL: "start" }));
    this.OPTION1(() => {
      this.CONSUME(T.Colon, { LABEL: "colon" });
      this.OPTION2(() => this.SUBRULE1(this.expr, { LABEL: "stop" }));
      this.OPTION3(() => {
        this.CONSUME1(T.Colon, { LABEL: "colon2" });
        this.OPTION4(() => this.SUBRULE2(this.expr, { LABEL: "step" }));
      });
    });
  });

  primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.Identifier) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expr) });
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE1(this.expr, { LABEL: "items" }) });
          this.CONSUME(T.RBracket);
        },
      },
    ]);
  });
}

/** The one parser instance (chevrotain parsers are built once and reused). */
export const parser = new IterParser();
