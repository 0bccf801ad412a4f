// Benchmarks: every example at a real size, timed end to end and per iteration (after one
// warm-up run), on the backend given by ITER_BACKEND (default auto). Prints a table and writes bench/results.json.
// Run with `npm run bench:examples` (after `npm install`, which builds dist/). `npm run bench` runs
// the native backend's suite (bench/run.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BackendName } from "../runtime/tfjs/backend.js";
import { runSource } from "../runtime/run.js";

interface Case {
  example: string;
  sizes: Record<string, number>;
}

const CASES: Case[] = [
  { example: "poisson.iter", sizes: { N: 255 } },
  { example: "poisson.iter", sizes: { N: 511 } },
  { example: "poisson-precond.iter", sizes: { N: 255 } },
  { example: "contraction.iter", sizes: { n: 1024 } },
  { example: "anderson.iter", sizes: { n: 1024 } },
  { example: "newton-schulz.iter", sizes: { n: 256 } },
];

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const backend = (process.env.ITER_BACKEND ?? "auto") as BackendName;

async function main(): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  for (const c of CASES) {
    const file = join(root, "examples", c.example);
    const source = readFileSync(file, "utf8");
    const options = { file, sizes: new Map(Object.entries(c.sizes)), backend };
    await runSource(source, options); // warm-up: the first run pays for JIT and wasm compilation
    const t0 = performance.now();
    const out = await runSource(source, options);
    const seconds = (performance.now() - t0) / 1000;
    const errors = out.diagnostics.filter((d) => d.severity === "error");
    if (errors.length) throw new Error(`${c.example}: ${errors[0].message}`);
    for (const r of out.reports)
      rows.push({
        example: c.example,
        sizes: Object.entries(c.sizes).map(([k, v]) => `${k}=${v}`).join(" "),
        construct: r.name,
        method: r.method,
        iterations: r.iterations,
        reason: r.reason,
        msPerIter: r.iterations ? (1000 * r.seconds) / r.iterations : null,
        constructSeconds: r.seconds,
        totalSeconds: seconds,
        backend: out.backend?.name,
      });
  }
  console.table(rows);
  writeFileSync(join(root, "bench", "results.json"), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2) + "\n");
}

await main();
