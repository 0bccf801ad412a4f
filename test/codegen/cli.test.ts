// `iterc compile` end to end, on the built CLI: what a new user does — compile an example to a
// TypeScript module, import it from their own file, call it with a Float32Array — and
// `--emit js` (ESM, declarations, a source map back to the `.iter` file), `--watch`, and the
// mistakes a user can make with the flags.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeMappings, removeScratch, requireBuilt, ROOT, runNode, scratch, STRICT_TSCONFIG, tsc } from "./helpers.js";

afterAll(removeScratch);

const CLI = join(ROOT, "dist/bin/iterc.js");
const iterc = (...args: string[]) => runNode([CLI, ...args]);

beforeAll(() => requireBuilt());

describe.concurrent("iterc compile", { timeout: 180_000 }, () => {
  it("-o poisson.ts: a user's TypeScript file imports it, calls it with a Float32Array, and gets the solution and its report", async () => {
    const dir = scratch("cli-user");
    const r = await iterc("compile", "examples/poisson.iter", "-o", join(dir, "poisson.ts"), "--set", "N=15");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    writeFileSync(
      join(dir, "main.ts"),
      [
        'import { run } from "./poisson.js";',
        "const n = 15;",
        "const f = new Float32Array(n * n).fill(1);",
        "const mine = await run({ f: { shape: [n, n], data: f } });",
        "const theirs = await run();",
        "const sum = (a: Float32Array) => a.reduce((s, x) => s + x, 0);",
        "console.log(JSON.stringify({ shape: mine.values.u.shape, mine: sum(mine.values.u.data), theirs: sum(theirs.values.u.data), error: theirs.values.error.data[0], report: mine.reports[0] }));",
        "",
      ].join("\n"),
    );
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ ...STRICT_TSCONFIG, compilerOptions: { ...STRICT_TSCONFIG.compilerOptions, types: ["node"], outDir: "out" } }));
    const built = await tsc(dir);
    expect(built.stdout + built.stderr).toBe("");
    const ran = await runNode([join(dir, "out/main.js")]);
    expect(ran.stderr).toBe("");
    const out = JSON.parse(ran.stdout);
    expect(out.shape).toEqual([15, 15]);
    expect(out.report).toMatchObject({ name: "u", kind: "solve", method: "cg", converged: true });
    expect(out.report.reason).toMatch(/^converged_/);
    // f = 1 is not the default f, so the solutions differ; the default one is the exact solution.
    expect(out.mine).not.toBeCloseTo(out.theirs, 3);
    expect(out.error).toBeLessThan(1e-4);
  });

  it("--emit js: ESM with its declarations (no tfjs in them) and a source map that points into the .iter file", async () => {
    const dir = scratch("cli-js");
    const js = join(dir, "lib", "contraction.js");
    const r = await iterc("compile", "examples/contraction.iter", "-o", js);
    expect(r.code, r.stderr).toBe(0);
    const code = readFileSync(js, "utf8");
    expect(code).toMatch(/^\/\/# sourceMappingURL=contraction\.js\.map$/m);
    expect(code).not.toMatch(/: Tensor|interface /);
    const dts = readFileSync(join(dir, "lib", "contraction.d.ts"), "utf8");
    expect(dts).toMatch(/export declare function run\(inputs\?: Inputs, options\?: RunOptions\): Promise<Result<Outputs>>;/);
    expect(dts).not.toMatch(/tensorflow|Tensor\b/);
    const map = JSON.parse(readFileSync(`${js}.map`, "utf8"));
    expect(resolve(dirname(js), map.sources[0])).toBe(join(ROOT, "examples/contraction.iter"));
    // The fixpoint's statement maps to the fixpoint's line.
    const line = code.split("\n").findIndex((l) => l.includes("$.construct("));
    const fixpointLine = readFileSync(join(ROOT, "examples/contraction.iter"), "utf8").split("\n").findIndex((l) => l.startsWith("fixpoint"));
    expect(decodeMappings(map.mappings).find((m) => m.line === line)?.srcLine).toBe(fixpointLine);
    const ran = await runNode(["--input-type=module", "-e", `import { run } from ${JSON.stringify(js)}; const r = await run(); console.log(r.reports[0].reason, r.values.x.shape.join())`]);
    expect(ran.stdout.trim()).toBe("converged_atol 32");
  });

  it("a file with errors: exit 2, the diagnostics, nothing written", async () => {
    const dir = scratch("cli-bad");
    const file = join(dir, "bad.iter");
    writeFileSync(file, "dim n = 3\nexport y = ones(n) @ nothing\n");
    const r = await iterc("compile", file, "-o", join(dir, "bad.ts"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[unknown-name\]/);
    expect(r.stderr).toContain("bad.iter:2:");
    expect(existsSync(join(dir, "bad.ts"))).toBe(false);
  });

  it.each([
    [["--emit", "wasm"], /`--emit wasm` is not something iterc writes/],
    [["-o", "out.txt"], /can't tell what to write to `out\.txt`/],
  ])("%j: exit 2 with what to do instead", async (flags, message) => {
    const r = await iterc("compile", "examples/contraction.iter", ...flags);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
  });

  it("a size an input's shape introduces is given with --set; without it, the error says so", async () => {
    const dir = scratch("cli-size");
    const file = join(dir, "norm.iter");
    writeFileSync(file, "input A: f32[m, m]\nexport s = fro(A)\n");
    const without = await iterc("compile", file);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/`m` \(in the shape of `A`\) has no value/);
    const withSize = await iterc("compile", file, "--set", "m=3");
    expect(withSize.code, withSize.stderr).toBe(0);
    expect(withSize.stdout).toContain('inputs: [{ name: "A", dtype: "f32", shape: [3, 3], optional: false }]');
  });
});

describe("iterc compile --watch", { timeout: 180_000 }, () => {
  it("compiles again on every change, prints the diagnostics of a broken version, and stops on SIGTERM", async () => {
    const dir = scratch("cli-watch");
    const file = join(dir, "w.iter");
    const out = join(dir, "w.ts");
    writeFileSync(file, "dim n = 3\nexport y = ones(n)\n");
    const child = spawn(process.execPath, [CLI, "compile", file, "-o", out, "--watch"], { cwd: ROOT });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const waitFor = async (count: number, what: RegExp) => {
      for (let i = 0; i < 600 && (stderr.match(new RegExp(what, "g")) ?? []).length < count; i++) await new Promise((r) => setTimeout(r, 100));
      expect((stderr.match(new RegExp(what, "g")) ?? []).length, stderr).toBeGreaterThanOrEqual(count);
    };
    try {
      await waitFor(1, /compiled to/);
      expect(readFileSync(out, "utf8")).toContain("shape: [3]");
      writeFileSync(file, "dim n = 5\nexport y = ones(n)\n");
      await waitFor(2, /compiled to/);
      expect(readFileSync(out, "utf8")).toContain("shape: [5]");
      writeFileSync(file, "dim n = 5\nexport y = ones(n) @ nothing\n");
      await waitFor(1, /not compiled/);
      expect(stderr).toMatch(/error\[unknown-name\]/);
      expect(readFileSync(out, "utf8")).toContain("shape: [5]");
    } finally {
      child.kill("SIGTERM");
    }
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect(code).toBe(0);
  });
});
