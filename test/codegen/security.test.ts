// Compiling a `.iter` file executes nothing of it, and nothing written in it reaches the
// generated code except as a validated identifier, an escaped literal or a comment that cannot
// end early. Programs whose names, strings and paths try to break out — quotes, backticks,
// `*/`, `${`, Unicode escapes, line and paragraph separators, JavaScript's reserved words,
// `__proto__`, the generated code's own names — compile to modules that typecheck, whose syntax
// tree holds only what the generator writes, and that compute what `iterc run` computes and
// nothing else.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ts } from "ts-morph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/codegen/index.js";
import { evaluate } from "../../runtime/load.js";
import { runSource } from "../../runtime/run.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";
import { removeScratch, requireBuilt, scratch, STRICT_TSCONFIG, tsc } from "./helpers.js";

afterAll(removeScratch);

/** A payload that, if it ever ran, would leave a mark. */
const MARK = "globalThis.iterlangPwned = 1";
const PATHS = [
  `evil"); ${MARK}; ("x.iter`,
  `a*/ ${MARK} /*.iter`,
  "`${" + MARK + "}`.iter",
  `line\n${MARK}\n.iter`,
  `sep\u2028${MARK}\u2029.iter`,
  `\\u0022); ${MARK}; //.iter`,
  `</script><script>${MARK}</script>.iter`,
];

const PROGRAMS: Record<string, string> = {
  // Names JavaScript reserves or treats specially, and names the generated code uses itself.
  reserved: [
    `# */ ${MARK} /* \`\${${MARK}}\``,
    "dim n = 3",
    "input __proto__: f32[n] = ones(n)",
    "input constructor: f32[n]",
    "input eval: f32[n] = constructor * 2",
    "fixpoint class: f32[n] = 0.5 * class + eval + __proto__",
    "  init zeros",
    "  until residual < 1e-6",
    "  max 200",
    "loop arguments < 2 carry (free = class, tidy = constructor, f32 = eval) {",
    "  free = free + tidy",
    "  tidy = tidy * 0.5",
    "  f32 = f32 + free",
    "} -> (free, tidy, f32)",
    "loop main < 2 carry (run = f32, signature = free, this = tidy, function = eval) {",
    "  run = run + signature",
    "  signature = signature * 0.5 + this",
    "  this = function",
    "  function = this * 2",
    "} -> (run, signature, this, function)",
    "export toString = run",
    "export hasOwnProperty = signature",
    "export prototype = this",
    "export valueOf = function",
    "",
  ].join("\n"),
  // `__proto__` as an export, and letters from the Greek block that are not JavaScript
  // identifier characters (U+0375, U+037E — the Greek question mark, which looks like `;`).
  unicode: ["dim n = 2", "let θ = ones(n)", "let a\u0375 = θ * 2", "let b\u037E = a\u0375 + θ", "export __proto__ = b\u037E", "export μ = θ", ""].join("\n"),
};

const ALLOWED_CALLS = new Set(["constant", "param", "free", "tidy", "f32", "i32", "bool", "kernels", "execute", "$.construct", "$.input"]);

/** Every call, `new`, template and identifier of a generated module, checked against what the generator writes. */
function audit(code: string): string[] {
  const sf = ts.createSourceFile("m.ts", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const problems: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(sf);
      if (!ALLOWED_CALLS.has(callee) && !/^k\.[a-z][a-z0-9_]*$/.test(callee)) problems.push(`call of ${callee}`);
    }
    if (ts.isNewExpression(node) || ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTaggedTemplateExpression(node) || ts.isElementAccessExpression(node))
      problems.push(`${ts.SyntaxKind[node.kind]}: ${node.getText(sf)}`);
    if (ts.isIdentifier(node)) {
      if (!/^[\p{ID_Start}_$][\p{ID_Continue}$]*$/u.test(node.getText(sf))) problems.push(`identifier ${node.getText(sf)}`);
      // A property's name is not a reference; every other identifier is, and none reaches a global.
      const parent = node.parent;
      const property = (ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isPropertyAccessExpression(parent)) && parent.name === node;
      if (!property && ["eval", "Function", "globalThis", "process", "require", "import", "window", "self"].includes(node.text)) problems.push(`reference to ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return problems;
}

const codes = new Map<string, { code: string; source: string; file: string }>();

beforeAll(async () => {
  await selectBackend("cpu");
  for (const [name, source] of Object.entries(PROGRAMS)) {
    const out = await compile(source, { filename: `${name}.iter` });
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    codes.set(name, { code: out.code!, source, file: `${name}.iter` });
  }
  for (const [i, path] of PATHS.entries()) {
    const out = await compile("dim n = 2\nexport x = ones(n)\n", { filename: path, emit: "ts" });
    codes.set(`path${i}`, { code: out.code!, source: "", file: path });
  }
});

describe("hostile names, strings and paths", () => {
  it("every module's syntax tree holds only the calls, names and literals the generator writes", () => {
    for (const [name, { code }] of codes) expect(audit(code), name).toEqual([]);
  });

  it("the modules typecheck under a strict tsc", async () => {
    requireBuilt();
    const dir = scratch("tsc-hostile");
    for (const [name, { code }] of codes) writeFileSync(join(dir, `${name}.ts`), code);
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ ...STRICT_TSCONFIG, compilerOptions: { ...STRICT_TSCONFIG.compilerOptions, noEmit: true } }));
    const r = await tsc(dir);
    expect(r.stdout + r.stderr).toBe("");
  });

  it("each path comes back whole as `signature.file`, and running a module leaves no mark", async () => {
    for (const [name, { code, file }] of codes) {
      const module = await evaluate(code);
      expect(module.signature.file, name).toBe(file);
      if (name.startsWith("path")) await module.run({}, { backend: "cpu" });
    }
    expect((globalThis as { iterlangPwned?: number }).iterlangPwned).toBeUndefined();
  });

  it.each(Object.keys(PROGRAMS))("%s: the module computes what `iterc run` computes, under the same names", async (name) => {
    const { code, source, file } = codes.get(name)!;
    const given = new Map(name === "reserved" ? [["constructor", { dtype: "float32" as const, shape: [3], data: Float32Array.from([0.1, 0.2, 0.3]) }]] : []);
    const reference = await runSource(source, { file, inputs: given, backend: "cpu" });
    const module = await evaluate(code);
    const inputs = Object.fromEntries([...given].map(([k, v]) => [k, { shape: v.shape, data: v.data }]));
    const out = await module.run(inputs, { backend: "cpu" });
    expect(Object.keys(out.values)).toEqual(reference.exports.map((e) => e.name));
    for (const e of reference.exports) expect([...out.values[e.name].data], e.name).toEqual([...e.data]);
    expect(Object.getPrototypeOf(out.values)).toBe(Object.prototype);
    expect((globalThis as { iterlangPwned?: number }).iterlangPwned).toBeUndefined();
  });

  it("a string option that tries to break out is an error in the file, and no code is written", async () => {
    const source = `dim n = 7\nop A(u: f32[n, n]) = stencil5(u, center: 4, side: -1)\nsolve A(u) = ones(n, n)\n  method cg\n  precond multigrid(cycle: "V\\"); ${MARK}; //")\n  -> u\nexport u\n`;
    const out = await compile(source, { filename: "option.iter" });
    expect(out.code).toBeUndefined();
    expect(out.diagnostics.some((d) => d.severity === "error")).toBe(true);
  });
});
