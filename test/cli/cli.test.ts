// The `iterc` command line end to end: spawns the built CLI (dist/bin/iterc.js, built once in
// beforeAll) and checks exit codes, output and the files it writes. Files the tests write go to
// a temp folder.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNpy, writeNpy } from "../../runtime/npy.js";
import { CLI, expectNoStack, iterc, ROOT } from "./helpers.js";

const EXAMPLES = readdirSync(join(ROOT, "examples"))
  .filter((f) => f.endsWith(".iter"))
  .sort()
  .map((f) => `examples/${f}`);

let tmp: string;

const write = (name: string, text: string): string => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "iterc-cli-"));
  try {
    execFileSync("npx", ["tsc", "-p", "."], { cwd: ROOT, stdio: "pipe" });
  } catch (e) {
    // tsc still emits when some file has a type error; the tests then run what was emitted.
    if (!existsSync(CLI)) throw e;
  }
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.concurrent("iterc run", () => {
  it("poisson --set N=31 --json: exit 0, the backend, the export shapes, a full report", async () => {
    const r = await iterc(["run", "examples/poisson.iter", "--set", "N=31", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(typeof json.backend).toBe("string");
    expect(json.exports.u.shape).toEqual([31, 31]);
    expect(json.exports.u.dtype).toBe("float32");
    expect(json.reports).toHaveLength(1);
    const rep = json.reports[0];
    expect(rep).toMatchObject({ name: "u", kind: "solve", method: "cg", converged: true });
    expect(rep.reason).toMatch(/^converged_/);
    for (const key of ["iterations", "residual", "relResidual", "seconds"]) expect(typeof rep[key], key).toBe("number");
    expect(rep.iterations).toBeGreaterThan(0);
    expect(Array.isArray(rep.history)).toBe(true);
    expect(rep.history).toHaveLength(rep.iterations + 1);
  });

  it("human output: the backend line, the table header, `converged`", async () => {
    const r = await iterc(["run", "examples/poisson.iter", "--set", "N=31"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^backend: \S+/m);
    expect(r.stdout).toMatch(/^name\s+kind\s+method\s+iters\s+residual\s+rel\. resid\.\s+reason\s+time$/m);
    expect(r.stdout).toMatch(/^u\s+solve\s+cg\s+\d+.*converged_rtol/m);
    expect(r.stdout).toContain("exports:");
  });

  it("--out DIR writes u.npy that readNpy reads with the right shape", async () => {
    const dir = join(tmp, "out", "nested");
    const r = await iterc(["run", "examples/poisson.iter", "--set", "N=31", "--out", dir]);
    expect(r.code, r.stderr).toBe(0);
    const u = readNpy(readFileSync(join(dir, "u.npy")));
    expect(u).toMatchObject({ dtype: "float32", shape: [31, 31] });
    expect(u.data).toHaveLength(31 * 31);
    const error = readNpy(readFileSync(join(dir, "error.npy")));
    expect(error.shape).toEqual([]);
    expect(error.data[0]).toBeLessThan(1e-3);
  });

  it("a construct that does not converge: exit 3 and `max_iterations`", async () => {
    const file = write("nc.iter", "dim n = 4\nfixpoint x: f32[n] = 0.5 * x + 1\n  init zeros\n  max 3\nexport x\n");
    const r = await iterc(["run", file]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toContain("max_iterations");
    expect(r.stdout).toMatch(/did not converge/);
  });
});

describe.concurrent("iterc run --input", () => {
  const program = "input A: f32[n, n]\ninput b: f32[n]\nsolve A @ u = b method cg(rtol: 1e-5) -> u\nexport u\n";
  let sys: string;
  let A: string;
  let bNpy: string;
  let bJson: string;
  beforeAll(() => {
    sys = write("sys.iter", program);
    A = write("A.json", JSON.stringify([[4, 1, 0], [1, 3, 1], [0, 1, 2]]));
    bJson = write("b.json", JSON.stringify({ shape: [3], data: [1, 2, 3] }));
    bNpy = join(tmp, "b.npy");
    writeFileSync(bNpy, writeNpy({ dtype: "float32", shape: [3], data: Float32Array.from([1, 2, 3]) }));
  });

  // The exact solution of [[4,1,0],[1,3,1],[0,1,2]] u = [1,2,3].
  const uStar = [2 / 9, 1 / 9, 13 / 9];

  it.each([
    ["a .json file", () => bJson],
    ["a .npy file", () => bNpy],
  ])("with %s: solves the system", async (_, b) => {
    const r = await iterc(["run", sys, "--input", `A=${A}`, "--input", `b=${b()}`, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.sizes).toEqual({ n: 3 });
    expect(json.exports.u.shape).toEqual([3]);
    json.exports.u.values.forEach((v: number, i: number) => expect(v).toBeCloseTo(uStar[i], 4));
  });

  it("a wrong shape: exit 2, naming the input, the expected and the given shape; no stack trace", async () => {
    const b4 = join(tmp, "b4.npy");
    writeFileSync(b4, writeNpy({ dtype: "float32", shape: [4], data: new Float32Array(4) }));
    const r = await iterc(["run", sys, "--input", `A=${A}`, "--input", `b=${b4}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("`b`");
    expect(r.stderr).toContain("[4]"); // given
    expect(r.stderr).toMatch(/f32\[3\]/); // expected, with n bound by A
    expectNoStack(r);
  });

  it("a wrong rank: exit 2, naming the input and both shapes", async () => {
    const r = await iterc(["run", sys, "--input", `A=${bJson}`, "--input", `b=${bJson}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("`A`");
    expect(r.stderr).toContain("[3]");
    expect(r.stderr).toMatch(/f32\[n, n\]/);
    expectNoStack(r);
  });

  it("an unknown input name beside the right ones: exit 2 with a did-you-mean", async () => {
    const r = await iterc(["run", sys, "--input", `A=${A}`, "--input", `b=${bJson}`, "--input", `bb=${bJson}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no input `bb`.*did you mean `b`/);
    expectNoStack(r);
  });

  // Unknown input names are said before anything else, so the did-you-mean is reached.
  it("a misspelt input name in place of the right one: exit 2 with a did-you-mean", async () => {
    const r = await iterc(["run", sys, "--input", `A=${A}`, "--input", `bb=${bJson}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/did you mean `b`/);
    expectNoStack(r);
  });

  it("a file that is not .npy: exit 2 with a clear message naming the file", async () => {
    const bad = write("bad.npy", "this is not numpy\n");
    const r = await iterc(["run", sys, "--input", `A=${A}`, "--input", `b=${bad}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("bad.npy");
    expect(r.stderr).toMatch(/not a \.npy file/);
    expectNoStack(r);
  });

  it("a truncated .npy: exit 2 with a clear message", async () => {
    const full = writeNpy({ dtype: "float32", shape: [3], data: Float32Array.from([1, 2, 3]) });
    const cut = join(tmp, "cut.npy");
    writeFileSync(cut, full.subarray(0, full.length - 4));
    const r = await iterc(["run", sys, "--input", `A=${A}`, "--input", `b=${cut}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cut\.npy.*truncated/);
    expectNoStack(r);
  });
});

describe.concurrent("float64 through the command line", () => {
  // Values float32 cannot hold: they must come back bit for bit.
  const values = [0.1, 1 / 3, Math.PI, -1e-300, 1e300, 2 ** -1074, 123456789.123456789];
  const given = (): string => {
    const path = join(tmp, `f64-${Math.random().toString(36).slice(2)}.npy`);
    writeFileSync(path, writeNpy({ dtype: "float64", shape: [values.length], data: Float64Array.from(values) }));
    return path;
  };
  const readBack = (dir: string, name: string) => readNpy(readFileSync(join(dir, `${name}.npy`)));

  it("an f64 input from .npy to .npy on native: kept exactly, written as <f8", async () => {
    const src = write("f64-io.iter", "input f: f64[n]\nexport g = f\nexport h = 3 * f + 0.1\n");
    const out = join(tmp, "f64-io-out");
    const r = await iterc(["run", src, "--backend", "native", "--input", `f=${given()}`, "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("g: float64 [7]");
    expect(readBack(out, "g")).toEqual({ dtype: "float64", shape: [values.length], data: Float64Array.from(values) });
    expect(readBack(out, "h").data).toEqual(Float64Array.from(values, (v) => 3 * v + 0.1));
    expect(readFileSync(join(out, "g.npy")).subarray(0, 80).toString("latin1")).toContain("'descr': '<f8'");
  });

  it("`--precision f64` keeps an f32 input's float64 data exactly", async () => {
    const src = write("f64-precision.iter", "input f: f32[n]\nexport g = f / 3\n");
    const out = join(tmp, "f64-precision-out");
    const r = await iterc(["run", src, "--precision", "f64", "--input", `f=${given()}`, "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/backend: native, float64/);
    expect(readBack(out, "g").data).toEqual(Float64Array.from(values, (v) => v / 3));
  });

  it("a tfjs backend refuses float64 with a message naming --backend native, no stack trace", async () => {
    const src = write("f64-refused.iter", "export y = ones(3) / 3\n");
    const r = await iterc(["run", src, "--backend", "cpu", "--precision", "f64"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cpu backend computes in float32 only/);
    expect(r.stderr).toContain("--backend native");
    expectNoStack(r);
  });

  it("a precision that is not one is a usage error", async () => {
    const src = write("f64-bad.iter", "export y = ones(3)\n");
    const r = await iterc(["run", src, "--precision", "f16"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/`--precision f16` is not a precision/);
    expectNoStack(r);
  });
});

describe.concurrent("iterc check", () => {
  it("a shape error: exit 2, file:line:column and a caret", async () => {
    const file = write(
      "bad-shape.iter",
      [
        "dim N = 8",
        "input f: f32[N + 1, N + 1]",
        "op A(u: f32[n, n]) = stencil5(u, center: 4, side: -1) * (n + 1)^2",
        "solve A(u) = f -> u: f32[N, N]",
        "export u",
        "",
      ].join("\n"),
    );
    const r = await iterc(["check", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:4:14`);
    expect(r.stderr).toMatch(/^\s+\|\s+\^/m);
    expect(r.stderr).toMatch(/error\[shape-mismatch\]/);
    expectNoStack(r);
  });

  // Every example declares the contracts it relies on: `iterc check` runs them all. (The
  // training examples have none: what their solvers need changes as the params train.)
  it.each(EXAMPLES)("%s: exit 0, every contract holds", async (file) => {
    const r = await iterc(["check", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("no errors");
    const declares = /^\s*check\s|^\s*(op|model)\b[^#\n]*\)\s+is\s/m.test(readFileSync(join(ROOT, file), "utf8"));
    if (declares) expect(r.stdout).toMatch(/\n\d+ contracts?: \d+ holds?, 0 fail\n/);
    else expect(r.stdout).not.toMatch(/contracts?:/);
  });
});

describe.concurrent("iterc fmt", () => {
  it("--check on the examples: exit 0", async () => {
    const r = await iterc(["fmt", "--check", ...EXAMPLES]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("--check on an unformatted copy: exit 4; --write fixes it", async () => {
    const file = join(tmp, "ugly.iter");
    copyFileSync(join(ROOT, "examples/poisson.iter"), file);
    const original = readFileSync(file, "utf8");
    const ugly = original.replace("dim N = 127", "dim   N=127").replace("cg(rtol: 5e-3, maxiter: 2000)", "cg( rtol:5e-3 ,maxiter:2000 )");
    expect(ugly).not.toBe(original);
    writeFileSync(file, ugly);
    const checked = await iterc(["fmt", "--check", file]);
    expect(checked.code).toBe(4);
    expect(checked.stdout).toContain("not formatted");
    const written = await iterc(["fmt", "--write", file]);
    expect(written.code, written.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(original);
    expect((await iterc(["fmt", "--check", file])).code).toBe(0);
  });
});

describe.concurrent("iterc parse", () => {
  it("--json prints the syntax tree with kind Program", async () => {
    const r = await iterc(["parse", "examples/poisson.iter", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const ast = JSON.parse(r.stdout);
    expect(ast.kind).toBe("Program");
  });
});

describe.concurrent("iterc compile", () => {
  it("--emit ir: one func main, the stencil inside the solve's region, no call left", async () => {
    const r = await iterc(["compile", "--emit", "ir", "examples/poisson.iter", "--set", "N=7"]);
    expect(r.code, r.stderr).toBe(0);
    const ir = r.stdout;
    expect(ir).toMatch(/^func main\(/m);
    expect(ir.match(/^func /gm)).toHaveLength(1);
    expect(ir).not.toMatch(/\bcall\(/);
    // The solve op's region: from the `= solve(` line to its `yield`.
    const solve = ir.indexOf("= solve(");
    expect(solve).toBeGreaterThan(0);
    const region = ir.slice(solve, ir.indexOf("yield", solve));
    expect(region).toMatch(/"cg"/);
    expect(region).toMatch(/stencil5\(/);
    expect(region).toMatch(/f32\[7, 7\]/);
  });

  it("--dump-after lower shows a call", async () => {
    const r = await iterc(["compile", "--emit", "ir", "examples/poisson.iter", "--set", "N=7", "--dump-after", "lower"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("// after lower");
    expect(r.stdout).toMatch(/\bcall\(/);
  });
});

describe.concurrent("bad flags and files", () => {
  it("--backend gpu: exit 2 with the list of backends", async () => {
    const r = await iterc(["run", "examples/poisson.iter", "--set", "N=7", "--backend", "gpu"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("gpu");
    for (const b of ["auto", "cpu", "wasm", "tensorflow", "tensorflow-gpu"]) expect(r.stderr).toContain(b);
    expectNoStack(r);
  });

  it("--set N=abc: exit 2", async () => {
    const r = await iterc(["run", "examples/poisson.iter", "--set", "N=abc"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("N=abc");
    expectNoStack(r);
  });

  it("a missing file: exit 2, can't find", async () => {
    const r = await iterc(["run", join(tmp, "no-such-file.iter")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/can't find/);
    expectNoStack(r);
  });

  const tfjsNodeInstalled = (() => {
    try {
      createRequire(import.meta.url).resolve("@tensorflow/tfjs-node");
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(tfjsNodeInstalled)("--backend tensorflow when tfjs-node is not installed: exit 2 with an install hint", async () => {
    const r = await iterc(["run", "examples/poisson.iter", "--set", "N=7", "--backend", "tensorflow"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("npm install @tensorflow/tfjs-node");
    expectNoStack(r);
  });

  // An --out path that is a file is the user's mistake, not a bug.
  it("--out naming an existing file: exit 2, no stack trace", async () => {
    const file = write("not-a-dir", "");
    const r = await iterc(["run", "examples/poisson.iter", "--set", "N=7", "--out", file]);
    expect(r.code).toBe(2);
    expectNoStack(r);
  });
});

describe.concurrent("internal errors", () => {
  it("exit 1 with `bug` in the message (a fault injected with node --import, no source edited)", async () => {
    // The preload makes every performance.now() throw: the drivers time themselves with it, so
    // the failure happens inside `run`, where nothing expects it.
    const preload = write("fault.mjs", 'globalThis.performance.now = () => { throw new Error("injected fault"); };\n');
    const r = await iterc(["run", "examples/contraction.iter"], { nodeFlags: ["--import", preload] });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/internal error: injected fault/);
    expect(r.stderr).toMatch(/bug/);
  });
});
