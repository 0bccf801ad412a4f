// A Prettier 3 plugin for `.iter` files: `prettier --plugin iterlang/prettier file.iter`.
// The whole program is printed by our own formatter (grammar/format.ts); Prettier only
// calls it, so nothing of Prettier is needed at run time (the imports below are types).
//
// Comments: Prettier attaches and prints comments itself when the root of the AST has a
// `comments` property (and deletes that property first). Our formatter places comments, so
// the root Prettier sees is a wrapper without `comments`: the program (and its comments)
// sits one level below, where Prettier does not look.
import type { AstPath, Parser, ParserOptions, Plugin, Printer, SupportLanguage } from "prettier";
import type { Program } from "./ast.js";
import { DEFAULT_WIDTH, format } from "./format.js";
import { parse } from "./parse.js";

/** The root node handed to Prettier. */
export interface IterRoot {
  type: "iterlang-root";
  program: Program;
  /** Offsets of the whole text, for Prettier's range and cursor handling. */
  start: number;
  end: number;
}

const AST_FORMAT = "iterlang-ast";

/** A syntax error as Prettier reports it: message with `(line:column)`, and `loc`. */
export class IterSyntaxError extends SyntaxError {
  readonly loc: { start: { line: number; column: number } };

  constructor(message: string, line: number, column: number) {
    super(`${message} (${line}:${column})`);
    this.name = "SyntaxError";
    this.loc = { start: { line, column } };
  }
}

export const languages: SupportLanguage[] = [
  {
    name: "iterlang",
    parsers: ["iterlang"],
    extensions: [".iter"],
    vscodeLanguageIds: ["iterlang"],
  },
];

// Prettier asks for the offsets of nodes it visits; the root is the only one.
const locStart = (node: IterRoot): number => node.start;
const locEnd = (node: IterRoot): number => node.end;

export const parsers: Record<string, Parser<IterRoot>> = {
  iterlang: {
    astFormat: AST_FORMAT,
    parse(text: string, options: ParserOptions<IterRoot>): IterRoot {
      const { program, diagnostics } = parse(text, options?.filepath ?? "<input>");
      const error = diagnostics.find((d) => d.severity === "error");
      if (error) throw new IterSyntaxError(error.message, error.span.start.line, error.span.start.column);
      return { type: "iterlang-root", program, start: 0, end: text.length };
    },
    locStart,
    locEnd,
  },
};

export const printers: Record<string, Printer<IterRoot>> = {
  [AST_FORMAT]: {
    print(path: AstPath<IterRoot>, options: ParserOptions<IterRoot>): string {
      const node = path.node;
      if (node.type !== "iterlang-root") return "";
      return format(node.program, { width: options.printWidth ?? DEFAULT_WIDTH });
    },
    // Nothing below the root is a node Prettier should visit or attach comments to.
    getVisitorKeys: () => [],
    canAttachComment: () => false,
  },
};

/** Our formatter's defaults, so that `prettier` without options prints what `iterc fmt` does. */
export const defaultOptions = { printWidth: DEFAULT_WIDTH, tabWidth: 2, useTabs: false };

const plugin: Plugin<IterRoot> = { languages, parsers, printers, defaultOptions };
export default plugin;
