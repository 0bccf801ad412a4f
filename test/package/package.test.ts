// The package as a user installs it: what `npm pack` would ship (no bench, no tests, no
// TypeScript sources; source maps that carry their sources), declarations a strict consumer
// compiles against without any tfjs type reaching it, and `run` from the built files, whose
// worker thread is the bundled one. The checks build a private copy of the package under
// node_modules/.cache (tsc, then scripts/build-cli.mjs), so as not to race test/cli, which
// rebuilds dist/ while it runs; the file list is npm's own, from dist/ (built by `npm test`).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUILT = join(ROOT, "node_modules", ".cache", "iterlang", `package-test-${process.pid}`);
const run = (cmd: string, args: string[], cwd = ROOT) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: "pipe" });

let packed: string[];

beforeAll(() => {
  rmSync(BUILT, { recursive: true, force: true });
  run("npx", ["tsc", "-p", "tsconfig.json", "--outDir", BUILT]);
  run(process.execPath, ["scripts/build-cli.mjs", BUILT]);
  if (!existsSync(join(ROOT, "dist", "index.js"))) run("npm", ["run", "build"]);
  const pack = JSON.parse(run("npm", ["pack", "--dry-run", "--ignore-scripts", "--json"]));
  packed = pack[0].files.map((f: { path: string }) => f.path);
}, 120_000);

afterAll(() => rmSync(BUILT, { recursive: true, force: true }));

describe("what npm pack ships", () => {
  it("the built library, the CLI and the worker bundles, the stdlib, the docs; no bench, tests or sources", () => {
    for (const f of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/bin/iterc.js", "dist/runtime/api/worker.js", "dist/grammar/prettier-plugin.js", "dist/runtime/module/index.js", "dist/bundler/vite.js", "types/iter-modules.d.ts", "stdlib/krylov.iter", "docs/cli.md"]) expect(packed).toContain(f);
    // types/: the declarations of `.iter` imports in a build (`iterlang/modules`).
    const stray = packed.filter((f) => !/^(dist|stdlib|docs|types)\//.test(f) && !["package.json", "README.md", "LICENSE"].includes(f));
    expect(stray).toEqual([]);
    expect(packed.filter((f) => f.startsWith("dist/bench/") || f.startsWith("dist/test/") || f.startsWith("test/"))).toEqual([]);
    expect(packed.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("every shipped source map carries the text of its sources (no pointer to an unshipped file)", () => {
    const maps = packed.filter((f) => f.endsWith(".map"));
    expect(maps.length).toBeGreaterThan(100);
    for (const f of maps) {
      const path = join(BUILT, f.replace(/^dist\//, ""));
      if (!existsSync(path)) continue; // an old file in dist/ that this build no longer makes
      const map = JSON.parse(readFileSync(path, "utf8")) as { sources: string[]; sourcesContent?: (string | null)[] };
      const missing = map.sources.filter((_, i) => typeof map.sourcesContent?.[i] !== "string");
      expect(missing, f).toEqual([]);
    }
  });
});

describe("the declarations", () => {
  it("a strict consumer (skipLibCheck: false) and the docs' examples compile against them, and no tfjs type is among their files", () => {
    // The package as installed: node_modules/iterlang with its package.json and dist/.
    const consumer = join(BUILT, "consumer");
    const installed = join(consumer, "node_modules", "iterlang");
    mkdirSync(installed, { recursive: true });
    writeFileSync(join(installed, "package.json"), readFileSync(join(ROOT, "package.json")));
    symlinkSync(BUILT, join(installed, "dist"), "dir");
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(join(consumer, "main.ts"), CONSUMER);
    // The TypeScript the docs show a user compiles too.
    const snippets = docSnippets();
    expect(snippets.length).toBeGreaterThanOrEqual(3);
    snippets.forEach((text, i) => writeFileSync(join(consumer, `doc-${i}.ts`), text));
    const files = ["main.ts", ...snippets.map((_, i) => `doc-${i}.ts`)];
    const options = { target: "es2022", module: "nodenext", moduleResolution: "nodenext", strict: true, exactOptionalPropertyTypes: true, noEmit: true, skipLibCheck: false, types: ["node"], typeRoots: [join(ROOT, "node_modules", "@types")] };
    writeFileSync(join(consumer, "tsconfig.json"), JSON.stringify({ compilerOptions: options, files }));
    let listed: string;
    try {
      listed = run("npx", ["tsc", "-p", "tsconfig.json", "--listFiles"], consumer);
    } catch (e) {
      throw new Error(`the consumer does not compile:\n${(e as { stdout?: string }).stdout ?? e}`);
    }
    expect(listed).toContain(join(BUILT, "index.d.ts"));
    expect(listed.split("\n").filter((f) => f.includes("@tensorflow"))).toEqual([]);
  });
});

describe("the built package", () => {
  it("runs a program through the built worker, with a progress callback, from `node --input-type=module -e`", () => {
    const script = `import { run } from ${JSON.stringify(join(BUILT, "index.js"))};
let n = 0;
const r = await run("let A = [[4.0, 1.0], [1.0, 3.0]]\\nsolve A @ u = [1.0, 2.0] method cg(rtol: 1e-6) -> u\\nexport u\\n", { backend: "cpu", onIteration: () => n++ });
console.log(JSON.stringify({ ok: r.ok, u: [...r.exports.u.data], reason: r.reports.u.reason, n, history: r.reports.u.history.length }));`;
    const out = JSON.parse(run(process.execPath, ["--input-type=module", "-e", script]));
    expect(out.ok).toBe(true);
    expect(out.reason).toMatch(/^converged_/);
    expect(out.u[0]).toBeCloseTo(1 / 11, 5);
    expect(out.u[1]).toBeCloseTo(7 / 11, 5);
    expect(out.n).toBe(out.history);
  });
});

/** The ```ts blocks of README.md and docs/*.md that import iterlang. */
function docSnippets(): string[] {
  const docs = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
  return docs.flatMap((f) => [...readFileSync(join(ROOT, f), "utf8").matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]).filter((t) => t.includes('from "iterlang"')));
}

/** What a TypeScript user of the package writes. */
const CONSUMER = `import { run, check, format, parse, FileReadError, BackendUnavailableError, FormatError, MonitorLines, type IterationEvent, type RunResult, type Report, type Diagnostic, type TensorValue, type Program, type ProgramSource, compile, load, selectBackend, type CodegenResult } from "iterlang";

const controller = new AbortController();
const result: RunResult = await run("input f: f32[n]\\nexport g = 2 * f\\n", {
  sizes: { N: 3 },
  inputs: { f: new Float32Array([1, 2, 3]), h: { shape: [2], data: [1, 2] } },
  backend: "auto",
  onIteration: (e: IterationEvent) => console.log(e.run.name, e.iteration, e.residual),
  observer: new MonitorLines(process.stdout),
  signal: controller.signal,
});
const g: TensorValue | undefined = result.exports["g"];
const data: Float32Array | Float64Array | Int32Array | Uint8Array | undefined = g?.data;
const reports: Report[] = Object.values(result.reports);
const reasons: string[] = reports.map((r) => r.reason);
const diagnostics: Diagnostic[] = [...result.diagnostics, ...check("export x = 1\\n").diagnostics];
const lines: string[] = diagnostics.map((d) => \`\${d.file}:\${d.span.start.line}:\${d.span.start.column} \${d.code} \${d.message}\`);
const ast: Program = parse("export x = 1\\n", "a.iter").program;
const source: ProgramSource = { file: "a.iter" };
const text: string = format("export   x = 1\\n") + format(ast) + String(source);
try {
  await run({ file: "missing.iter" });
} catch (e) {
  if (e instanceof FileReadError || e instanceof BackendUnavailableError || e instanceof FormatError) console.log(e.message);
}
console.log(data, reasons, lines, text, result.stopped?.reason, result.ok && result.converged);
// Code generation: a module's code, or a live one, typed without tfjs.
const generated: CodegenResult = await compile("export x = 1\\n", { filename: "a.iter", emit: "js" });
const selected: { name: string; description: string } = await selectBackend("cpu");
const live = await load("export x = 1\\n", { sizes: { N: 3 } });
const ran = await live.run({}, { onIteration: (e: IterationEvent) => console.log(e.residual), signal: controller.signal });
const first: Report | undefined = ran.reports[0];
console.log(selected.name, generated.code, generated.dts, live.signature.outputs, ran.values["x"]?.data, first?.engine);
`;
