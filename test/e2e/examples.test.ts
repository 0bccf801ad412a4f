// End-to-end: every example in examples/ compiles and runs on the wasm backend with no error
// diagnostics and every construct converged; then specific numerical checks per example.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isConvergedReason } from "../../runtime/report.js";
import { type ExportedValue, type RunOutput, runSource } from "../../runtime/run.js";

const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));
const files = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".iter"))
  .sort();

async function runExample(name: string, sizes: Record<string, number> = {}): Promise<RunOutput> {
  const file = join(EXAMPLES, name);
  return runSource(readFileSync(file, "utf8"), { file, sizes: new Map(Object.entries(sizes)), backend: "wasm" });
}

function exported(out: RunOutput, name: string): ExportedValue {
  const e = out.exports.find((x) => x.name === name);
  if (!e) throw new Error(`no export \`${name}\` (have ${out.exports.map((x) => x.name).join(", ")})`);
  return e;
}

const scalar = (out: RunOutput, name: string): number => {
  const e = exported(out, name);
  expect(e.shape).toEqual([]);
  return e.data[0];
};

describe("every example", () => {
  it("finds the examples", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)("%s runs on wasm, no errors, everything converged", async (name) => {
    const out = await runExample(name);
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(out.backend?.name).toBe("wasm");
    expect(out.exports.length).toBeGreaterThan(0);
    expect(out.reports.length).toBeGreaterThan(0);
    for (const r of out.reports) {
      expect(isConvergedReason(r.reason), `${r.name}: ${r.reason} ${r.detail ?? ""}`).toBe(true);
      expect(r.converged).toBe(true);
      expect(r.reason).toMatch(/^(converged_.*|completed)$/);
    }
    for (const e of out.exports) for (const v of e.data) expect(Number.isFinite(v)).toBe(true);
  }, 180_000); // neural-operator.iter trains for 1600 steps: 10 s alone, a minute on a loaded machine
});

describe("poisson.iter", () => {
  it("N = 63: converges, `error` < 1e-4, u matches x(1−x)y(1−y) to 1e-4", async () => {
    const N = 63;
    const out = await runExample("poisson.iter", { N });
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(out.sizes?.get("N")).toBe(N);
    const [r] = out.reports;
    expect(r).toMatchObject({ name: "u", kind: "solve", method: "cg", converged: true });
    expect(scalar(out, "error")).toBeLessThan(1e-4);
    const u = exported(out, "u");
    expect(u.shape).toEqual([N, N]);
    // The closed form in float64: column j is x = (j+1)/(N+1), row i is y = (i+1)/(N+1).
    let maxErr = 0;
    for (let i = 0; i < N; i++) {
      const y = (i + 1) / (N + 1);
      for (let j = 0; j < N; j++) {
        const x = (j + 1) / (N + 1);
        maxErr = Math.max(maxErr, Math.abs(u.data[i * N + j] - x * (1 - x) * y * (1 - y)));
      }
    }
    expect(maxErr).toBeLessThan(1e-4);
  });

  // `--set P=...` picks the preconditioner when compiling: one solve runs, with its own count.
  it("P = 0, 1, 2 (none, Jacobi, multigrid): one solve each; multigrid's count stays small as N grows", async () => {
    const iterations = async (P: number, N: number) => {
      const out = await runExample("poisson.iter", { N, P });
      expect(out.reports).toHaveLength(1);
      expect(out.reports[0]).toMatchObject({ kind: "solve", method: "cg", converged: true });
      expect(scalar(out, "error")).toBeLessThan(1e-4);
      return out.reports[0].iterations;
    };
    const plain = await iterations(0, 63);
    // The 5-point Laplacian's diagonal is constant: Jacobi only rescales, so the count is CG's.
    expect(await iterations(1, 63)).toBe(plain);
    for (const N of [31, 63, 127]) expect(await iterations(2, N)).toBeLessThanOrEqual(5);
    expect(plain).toBeGreaterThan(20);
  });
});

describe("contraction.iter", () => {
  it("defect < 1e-5, converged within 200 iterations", async () => {
    const out = await runExample("contraction.iter");
    const [r] = out.reports;
    expect(r).toMatchObject({ name: "x", kind: "fixpoint", converged: true });
    expect(r.iterations).toBeLessThanOrEqual(200);
    expect(scalar(out, "defect")).toBeLessThan(1e-5);
  });
});

describe("newton-schulz.iter", () => {
  it("defect < 1e-4", async () => {
    const out = await runExample("newton-schulz.iter");
    expect(out.reports[0]).toMatchObject({ kind: "loop", reason: "completed" });
    expect(scalar(out, "defect")).toBeLessThan(1e-4);
  });
});
