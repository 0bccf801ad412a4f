// The native backend's benchmark suite (issue 16), one process run, every case with its peers:
//
//   1. CG per iteration on 2-D Poisson, N = 63, 255, 511, 1023 (iterlang on tfjs wasm, cpu and,
//      when Dawn finds an adapter, webgpu: its row names the adapter)
//   2. MG-PCG to rtol 1e-6 (f32) and 1e-10 (f64), N = 63 … 1023
//   3. Picard and Anderson on x = tanh(W x + b), n = 1000
//   4. compile times of the fused regions
//
// and writes bench/results/suite{,-quick}.json and bench/RESULTS{,-quick}.md (medians, ratios,
// the targets, peak RSS). `npm run build && npm run bench [-- --quick] [-- --no-tfjs]`;
// --quick (fewer sizes, rounds and samples) stays under two minutes. Not part of npm test.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cgSection } from "./native/cg-section.js";
import { compileSection } from "./native/compile-section.js";
import { fpSection } from "./native/fp-section.js";
import { mgSection } from "./native/mg-section.js";
import { CPeer, NumpyPeer } from "./native/peers.js";
import { renderSuite, type SuiteResults } from "./native/report.js";
import { releaseBackends } from "../runtime/tfjs/backend.js";
import type { SuiteRow } from "./native/suite.js";

const quick = process.argv.includes("--quick");
const tfjs = !process.argv.includes("--no-tfjs");
const here = dirname(fileURLToPath(import.meta.url));
/** The source folder bench/ (this file runs from dist/bench). */
const source = join(here, "..", "..", "bench");

const log = (s: string) => process.stdout.write(`${s} (${((performance.now() - T0) / 1000).toFixed(1)} s)\n`);
const T0 = performance.now();
const rssMiB = () => process.resourceUsage().maxRSS / 1024;

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  const c = new CPeer(join(source, "native", "cg.c"));
  const numpy = new NumpyPeer(join(source, "native", "cg_numpy.py"));
  const rows: SuiteRow[] = [];
  const rss: Record<string, number> = {};
  rows.push(...(await cgSection({ sizes: [63, 255, 511, 1023], rounds: quick ? 2 : 5, samples: quick ? 2 : 3, tfjs, c, numpy, log })));
  rss.cg = rssMiB();
  rows.push(...(await mgSection({ sizes: quick ? [63, 255, 1023] : [63, 127, 255, 511, 1023], runs: quick ? 2 : 5, tfjsSizes: tfjs ? (quick ? [63] : [63, 255]) : [], log })));
  rss.mgpcg = rssMiB();
  rows.push(...(await fpSection({ n: 1000, samples: quick ? 3 : 9, tfjs, numpy, numpyScript: join(source, "native", "fp_numpy.py"), log })));
  rss.fixpoint = rssMiB();
  rows.push(...compileSection(quick ? [63, 1023] : [63, 255, 511, 1023], quick ? 3 : 5));
  rss.compile = rssMiB();
  c.dispose();
  const results: SuiteResults = {
    date: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    machine: { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, node: process.version, gcc: c.compiler || null, numpy: numpy.version ?? null },
    rows,
    peakRssMiB: rss,
    loadAverage: [loadBefore, loadavg()[0]],
    seconds: (performance.now() - T0) / 1000,
  };
  const suffix = quick ? "-quick" : "";
  mkdirSync(join(source, "results"), { recursive: true });
  writeFileSync(join(source, "results", `suite${suffix}.json`), JSON.stringify(results, null, 2) + "\n");
  const md = renderSuite(results);
  writeFileSync(join(source, `RESULTS${suffix}.md`), md);
  process.stdout.write(md);
}

try {
  await main();
} finally {
  releaseBackends(); // Dawn (webgpu) would keep the process alive
}
