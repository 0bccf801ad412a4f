// The native backend's benchmark: ms per CG iteration on 2-D Poisson at N = 63 … 1023, for
// the generated Wasm kernels (f32, f64) and their peers measured side by side in the same
// process run: hand-fused C (gcc -O3 -march=native), NumPy, hand-written tfjs-wasm; plus the
// kernel set's compile time. Writes bench/native/results.json and RESULTS.md (with --quick:
// results-quick.json and RESULTS-quick.md, fewer samples, under a minute).
//
//   npm run build && node dist/bench/native/cg-bench.js [--quick] [--no-tfjs]
//
// Rounds: every peer runs its samples once per round, rounds repeat, and the medians pool all
// rounds, so a slow spell on this shared machine is spread over every peer, not one.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DType } from "../../compiler/native/kernel-ir.js";
import { cgPoissonKernels } from "../../compiler/native/samples/cg-poisson.js";
import { NativeProgram } from "../../runtime/native/program.js";
import { CPeer, nativeCg, NumpyPeer, type PeerResult, type PeerRun } from "./peers.js";
import { median, minimum } from "./stats.js";
import { renderMarkdown, type BenchResults, type CompileRow, type Row } from "./table.js";
import { tfjsWasmCg } from "./tfjs-peer.js";

const quick = process.argv.includes("--quick");
const withTfjs = !process.argv.includes("--no-tfjs");
const here = dirname(fileURLToPath(import.meta.url));
/** The source folder bench/native (this file runs from dist/bench/native). */
const source = join(here, "..", "..", "..", "bench", "native");

const SIZES = [63, 255, 511, 1023];
/** Iterations per sample: ≈ 1–10 ms of work, and few enough that no peer nears convergence. */
const ITERATIONS: Record<number, number> = { 63: 200, 255: 40, 511: 10, 1023: 4 };
const ROUNDS = quick ? 3 : 7;
const SAMPLES = quick ? 2 : 3;
const TFJS_SAMPLES = quick ? 1 : 3;

type PeerName = "native f32" | "native f64" | "C f32" | "C f64" | "NumPy f32" | "NumPy f64" | "tfjs-wasm f32";

async function main(): Promise<void> {
  const t0 = performance.now();
  const loadBefore = loadavg()[0];
  const c = new CPeer(join(source, "cg.c"));
  const numpy = new NumpyPeer(join(source, "cg_numpy.py"));
  const rows: Row[] = [];
  for (const n of SIZES) {
    const iterations = ITERATIONS[n];
    const pooled = new Map<PeerName, PeerRun | { skipped: string }>();
    const add = (name: PeerName, r: PeerResult) => {
      const prev = pooled.get(name);
      if ("skipped" in r) pooled.set(name, r);
      else if (prev && "times" in prev) pooled.set(name, { times: [...prev.times, ...r.times], rz: r.rz });
      else pooled.set(name, r);
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const dtype of ["f32", "f64"] as DType[]) {
        add(`native ${dtype}`, nativeCg(dtype, n, iterations, SAMPLES));
        add(`C ${dtype}`, c.run(dtype, n, iterations, SAMPLES));
        add(`NumPy ${dtype}`, numpy.run(dtype, n, iterations, SAMPLES));
      }
      if (withTfjs && round === 0) add("tfjs-wasm f32", await tfjsWasmCg(n, iterations, TFJS_SAMPLES));
    }
    if (!withTfjs) add("tfjs-wasm f32", { skipped: "--no-tfjs" });
    for (const [peer, r] of pooled) {
      rows.push(
        "skipped" in r
          ? { n, peer, iterations, skipped: r.skipped }
          : {
              n,
              peer,
              iterations,
              msPerIteration: median(r.times),
              minMsPerIteration: minimum(r.times),
              samples: r.times.length,
              rz: r.rz,
            },
      );
    }
    process.stdout.write(`N = ${n} done (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
  c.dispose();

  const results: BenchResults = {
    date: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      node: process.version,
      gcc: c.compiler || null,
      numpy: numpy.version ?? null,
    },
    protocol: `${ROUNDS} rounds × ${SAMPLES} samples per peer (tfjs: ${TFJS_SAMPLES} samples, one round), each sample a fresh start and ITERATIONS iterations; warm-up before each peer's samples: native 150 ms of iterating (V8 optimises hot Wasm in the background), C and NumPy one discarded sample, tfjs 300 ms; medians of per-iteration ms over all rounds`,
    rows,
    compile: measureCompile(),
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    loadAverage: [loadBefore, loadavg()[0]],
    seconds: (performance.now() - t0) / 1000,
  };
  const suffix = quick ? "-quick" : "";
  writeFileSync(join(source, `results${suffix}.json`), JSON.stringify(results, null, 2) + "\n");
  const md = renderMarkdown(results, readFileSync(join(source, "cg.c"), "utf8").length > 0);
  writeFileSync(join(source, `RESULTS${suffix}.md`), md);
  process.stdout.write(md);
}

/**
 * Kernel IR → bytes, `new WebAssembly.Module`, instantiation: medians of 5 fresh programs.
 * V8 compiles Wasm lazily, on each function's first call, so at N = 63 (where one iteration's
 * arithmetic takes microseconds) the first call of each kernel is timed too: that is the
 * engine's baseline compile. At larger N a first call is dominated by first-touch page
 * faults of the fresh memory and by baseline-compiled arithmetic, so it is not a compile time.
 */
function measureCompile(): CompileRow[] {
  const out: CompileRow[] = [];
  for (const dtype of ["f32", "f64"] as DType[]) {
    for (const n of SIZES) {
      const runs = Array.from({ length: 5 }, () => {
        const t0 = performance.now();
        const p = NativeProgram.compile(cgPoissonKernels(dtype, n));
        const t1 = performance.now();
        if (n === SIZES[0]) for (const k of ["start", "direction", "update"]) p.run(k);
        const t2 = performance.now();
        return { ...p.times, firstCallsMs: t2 - t1, totalMs: t2 - t0, bytes: p.moduleBytes };
      });
      out.push({
        dtype,
        n,
        moduleBytes: runs[0].bytes,
        codegenMs: median(runs.map((r) => r.codegenMs)),
        wasmCompileMs: median(runs.map((r) => r.wasmCompileMs)),
        instantiateMs: median(runs.map((r) => r.instantiateMs)),
        firstCallsMs: n === SIZES[0] ? median(runs.map((r) => r.firstCallsMs)) : undefined,
        totalMs: median(runs.map((r) => r.totalMs)),
      });
    }
  }
  return out;
}

await main();
