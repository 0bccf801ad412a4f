// The bundler plugin, in real builds of a tiny project with esbuild and with Vite: `import {
// run } from "./poisson.iter"` works and the output runs; sizes come from an import's query;
// a file with errors fails the build at its file, line and column; the source map leads back
// to the `.iter` file; and a browser bundle needs no Node module (nothing reads the file system).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build as esbuild, type Message } from "esbuild";
import { build as vite } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import iterlangEsbuild from "../../bundler/esbuild.js";
import iterlangVite from "../../bundler/vite.js";
import { decodeMappings, removeScratch, ROOT, runNode, scratch } from "./helpers.js";

afterAll(removeScratch);

let dir: string;

const MAIN = [
  'import { run } from "./poisson.iter?N=15";',
  'import { run as runSmall, signature } from "./small.iter";',
  "const f = new Float32Array(15 * 15).fill(1);",
  "const { values, reports } = await run({ f: { shape: [15, 15], data: f } }, { backend: \"cpu\" });",
  "const small = await runSmall({}, { backend: \"cpu\" });",
  "console.log(JSON.stringify({ shape: values.u.shape, finite: values.u.data.every(Number.isFinite), report: reports[0], twice: Array.from(small.values.twice.data), inputs: signature.inputs }));",
  "",
].join("\n");

beforeAll(() => {
  dir = scratch("bundle");
  writeFileSync(join(dir, "poisson.iter"), readFileSync(join(ROOT, "examples/poisson.iter")));
  writeFileSync(join(dir, "small.iter"), "dim n = 3\nexport twice = 2 * ones(n)\n");
  writeFileSync(join(dir, "bad.iter"), "dim n = 3\nlet a = ones(n)\nexport b = a @ nothing\n");
  writeFileSync(join(dir, "main.ts"), MAIN);
  writeFileSync(join(dir, "bad.ts"), 'import { run } from "./bad.iter";\nconsole.log(run);\n');
});

/** What the built program printed, checked. */
async function expectRuns(file: string): Promise<void> {
  const r = await runNode([file]);
  expect(r.stderr).toBe("");
  const out = JSON.parse(r.stdout);
  expect(out.shape).toEqual([15, 15]);
  expect(out.finite).toBe(true);
  expect(out.report).toMatchObject({ name: "u", kind: "solve", converged: true });
  expect(out.twice).toEqual([2, 2, 2]);
  expect(out.inputs).toEqual([]);
}

/** The source map of a build leads from the solve's statement back to the solve's line of poisson.iter. */
function expectMapsToSolve(file: string): void {
  const map = JSON.parse(readFileSync(`${file}.map`, "utf8"));
  const source = map.sources.findIndex((s: string) => s.endsWith("poisson.iter"));
  expect(source, JSON.stringify(map.sources)).toBeGreaterThanOrEqual(0);
  const solveLine = readFileSync(join(dir, "poisson.iter"), "utf8").split("\n").findIndex((l) => /^\s*solve /.test(l));
  const lines = decodeMappings(map.mappings).filter((m) => m.source === source).map((m) => m.srcLine);
  expect(lines).toContain(solveLine);
}

describe("esbuild", { timeout: 180_000 }, () => {
  it("builds the project; the output runs and maps back to poisson.iter", async () => {
    const outfile = join(dir, "out-esbuild", "main.mjs");
    await esbuild({ entryPoints: [join(dir, "main.ts")], outfile, bundle: true, platform: "node", format: "esm", packages: "external", sourcemap: true, logLevel: "silent", plugins: [iterlangEsbuild()] });
    await expectRuns(outfile);
    expectMapsToSolve(outfile);
  });

  it("a file with errors fails the build, located at its file, line and column", async () => {
    const error = await esbuild({ entryPoints: [join(dir, "bad.ts")], write: false, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "silent", plugins: [iterlangEsbuild()] }).catch((e: { errors: Message[] }) => e);
    const errors = (error as { errors: Message[] }).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0].text).toMatch(/error\[unknown-name\]: I don't know the name `nothing`/);
    expect(errors[0].location).toMatchObject({ line: 3, column: 15 });
    expect(errors[0].location?.file).toMatch(/bad\.iter$/);
  });

  it("a browser bundle of the project needs no Node module: the compiled module reads no file at run time", async () => {
    const result = await esbuild({ entryPoints: [join(dir, "main.ts")], write: false, bundle: true, platform: "browser", format: "esm", logLevel: "silent", metafile: true, plugins: [iterlangEsbuild()] });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => i.startsWith("node:") || /stdlib|compiler\/(check|lower|passes)\//.test(i))).toEqual([]);
    expect(inputs.some((i) => i.includes("tfjs-core"))).toBe(true);
  });
});

describe("Vite", { timeout: 180_000 }, () => {
  it("builds the project; the output runs and maps back to poisson.iter", async () => {
    await vite({
      root: dir,
      configFile: false,
      logLevel: "silent",
      plugins: [iterlangVite()],
      build: { ssr: "main.ts", outDir: "out-vite", emptyOutDir: true, sourcemap: true, rollupOptions: { output: { entryFileNames: "main.mjs" } } },
    });
    const outfile = join(dir, "out-vite", "main.mjs");
    await expectRuns(outfile);
    expectMapsToSolve(outfile);
  });

  it("a file with errors fails the build, located at its file, line and column", async () => {
    const error = await vite({ root: dir, configFile: false, logLevel: "silent", plugins: [iterlangVite()], build: { ssr: "bad.ts", write: false } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const e = error as Error & { loc?: { file: string; line: number; column: number }; id?: string };
    expect(e.message).toMatch(/error\[unknown-name\]/);
    expect(e.message).toMatch(/bad\.iter:3:16/);
  });
});
