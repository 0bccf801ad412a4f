// Every example on the webgpu backend (tfjs's WGSL kernels on Dawn; on a machine without a GPU,
// Mesa's llvmpipe through OpenGL ES) against tfjs's cpu backend: the same reports and the same
// exports within float32 tolerance, and `iterc run examples/poisson.iter --backend webgpu`
// from the command line. Skipped (and reported as skipped) where the optional packages or an
// adapter are missing; .ci/webgpu-setup installs a software adapter.
//
// The tolerance is the native differential test's (test/native-rt/examples-differential.test.ts
// says why): both backends compute in float32 and differ only in rounding — a GPU kernel sums in
// another order and may fuse a multiply-add — so values agree to 1e-3 of their largest entry,
// exports that measure an error (entries below 1e-2) to 1e-3 absolutely, and iteration counts to
// within two or a tenth of the count (reading the residual every 8 iterations on the GPU changes
// no count: test/drivers/check-every.test.ts) — a fifth for BiCGStab, whose residual is not monotone: it
// plateaus near the tolerance, and a rounding difference moves the crossing by several steps
// (measured on solvers.iter's `w`, rtol 1e-3: 42 iterations on cpu, 48 on llvmpipe).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runSource } from "../../runtime/run.js";
import { expectExportAgrees } from "../reference/agree.js";
import { releaseBackends, selectBackend } from "../../runtime/tfjs/backend.js";

const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));
const CLI = fileURLToPath(new URL("../../dist/bin/iterc.js", import.meta.url));
// The two training examples are slow on a software adapter: deq-train.iter 35 s on cpu and 117 s on
// llvmpipe (measured), neural-operator.iter 1600 steps (37 s on cpu alone). They run with
// ITER_WEBGPU_ALL=1 (on a real GPU, or when CI time allows); their own tests compare their
// training with float64 references on cpu.
const SLOW = new Set(process.env.ITER_WEBGPU_ALL === "1" ? [] : ["deq-train.iter", "neural-operator.iter"]);
const files = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".iter") && !SLOW.has(f))
  .sort();

async function probe(): Promise<string | undefined> {
  try {
    return (await selectBackend("webgpu")).description;
  } catch (e) {
    console.log(`webgpu: skipping: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}
const adapter = await probe();
if (adapter) console.log(`webgpu: ${adapter}`);

afterAll(() => releaseBackends());

describe.skipIf(!adapter)("every example on webgpu agrees with tfjs cpu", () => {
  it.each(files)(
    "%s",
    async (name) => {
      const file = join(EXAMPLES, name);
      const source = readFileSync(file, "utf8");
      const cpu = await runSource(source, { file, backend: "cpu" });
      const gpu = await runSource(source, { file, backend: "webgpu" });
      expect(gpu.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(gpu.backend?.name).toBe("webgpu");
      expect(gpu.reports.map((r) => [r.name, r.kind, r.method, r.reason])).toEqual(cpu.reports.map((r) => [r.name, r.kind, r.method, r.reason]));
      gpu.reports.forEach((r, i) => {
        const want = cpu.reports[i].iterations;
        const slack = Math.max(2, Math.ceil(want * (r.method === "bicgstab" ? 0.2 : 0.1)));
        expect(Math.abs(r.iterations - want), `${r.name}: ${r.iterations} iterations on webgpu, ${want} on cpu`).toBeLessThanOrEqual(slack);
      });
      expect(gpu.exports.map((e) => e.name)).toEqual(cpu.exports.map((e) => e.name));
      gpu.exports.forEach((e, i) => expectExportAgrees(e, cpu.exports[i], "webgpu"));
    },
    600_000, // a software adapter runs 2–8× slower than cpu
  );

  it("`iterc run examples/poisson.iter --backend webgpu` reports the adapter, converges and exits", () => {
    const out = execFileSync(process.execPath, [CLI, "run", join(EXAMPLES, "poisson.iter"), "--backend", "webgpu", "--set", "N=31"], { encoding: "utf8", timeout: 120_000 });
    expect(out).toMatch(/^backend: webgpu \(Dawn: /m);
    expect(out).toMatch(/converged_rtol/);
  }, 150_000);
});
