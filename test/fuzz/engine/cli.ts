// The long fuzz run: `node test/fuzz/run-fuzz.mjs --minutes 60 --seed 7`. Prints the figures
// as it goes and at the end (programs tried, reached check, reached run, internal errors,
// hangs, crashes), and writes each new failure — the program, a minimised reproducer, the
// error — to a folder of its own under --out.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { BackendName } from "../../../runtime/tfjs/backend.js";
import { type Failure, type Figures, knownSignatures, ROOT, runCampaign, WORKER_SCRIPT } from "./campaign.js";
import { minimize } from "./minimize.js";
import { FuzzPool } from "./pool.js";

const USAGE = `usage: node test/fuzz/run-fuzz.mjs [--minutes 60] [--seed 1] [--jobs 1] [--timeout 20]
                                   [--backend cpu|wasm|mixed] [--out fuzz-out] [--known test/fuzz/KNOWN.md]
                                   [--no-minimize]`;

interface Settings {
  minutes: number;
  seed: number;
  jobs: number;
  timeoutS: number;
  backend: BackendName | "mixed";
  out: string;
  known: string;
  minimize: boolean;
}

function settings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: "string", default: "60" },
      seed: { type: "string", default: "1" },
      jobs: { type: "string", default: "1" },
      timeout: { type: "string", default: "20" },
      backend: { type: "string", default: "mixed" },
      out: { type: "string", default: "fuzz-out" },
      known: { type: "string", default: join(ROOT, "test", "fuzz", "KNOWN.md") },
      "no-minimize": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    process.exit(0);
  }
  const number = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} ${text}: give a number ≥ 0\n${USAGE}`);
    return n;
  };
  const backend = values.backend as Settings["backend"];
  if (!["cpu", "wasm", "mixed"].includes(backend)) throw new Error(`--backend ${backend}: cpu, wasm or mixed\n${USAGE}`);
  return {
    minutes: number("minutes", values.minutes),
    seed: Math.floor(number("seed", values.seed)),
    jobs: Math.max(1, Math.floor(number("jobs", values.jobs))),
    timeoutS: number("timeout", values.timeout),
    backend,
    out: resolve(values.out),
    known: values.known,
    minimize: !values["no-minimize"],
  };
}

function line(f: Figures): string {
  return (
    `${f.seconds.toFixed(0)} s: tried ${f.tried}, reached check ${f.reachedCheck}, passed check ${f.passedCheck}, ` +
    `reached run ${f.reachedRun}, completed run ${f.completedRun}; internal errors ${f.internal}, hangs ${f.hangs}, crashes ${f.crashes}, known ${f.known}, slow ${f.slow}, warned long runs ${f.warnedHangs}`
  );
}

function slug(n: number, f: Failure): string {
  const words = f.signature.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60);
  return `${String(n).padStart(3, "0")}-${words}`;
}

async function record(dir: string, f: Failure, s: Settings): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "original.iter"), f.program.source);
  const info = { signature: f.signature, area: f.area, type: f.type, stage: f.stage, where: f.where, error: `${f.name}: ${f.message}`, stack: f.stack, seed: s.seed, index: f.index, origin: f.program.origin, kind: f.program.kind };
  writeFileSync(join(dir, "failure.json"), JSON.stringify(info, null, 2) + "\n");
  // A hang costs a whole time limit per try: those are kept as found.
  if (!s.minimize || f.type === "hang") return;
  const pool = new FuzzPool(WORKER_SCRIPT, 1, s.timeoutS * 1000);
  try {
    const backend: BackendName = s.backend === "mixed" ? (f.index % 2 === 0 ? "cpu" : "wasm") : s.backend;
    writeFileSync(join(dir, "minimal.iter"), await minimize(f.program, f.signature, { pool, backend, maxTries: 300 }));
  } finally {
    await pool.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const s = settings(argv);
  let known = new Set<string>();
  try {
    known = knownSignatures(readFileSync(s.known, "utf8"));
  } catch {
    process.stderr.write(`note: no list of known failures at ${s.known}\n`);
  }
  mkdirSync(s.out, { recursive: true });
  process.stdout.write(`fuzzing for ${s.minutes} min, seed ${s.seed}, ${s.jobs} job(s), ${s.timeoutS} s per program, backend ${s.backend}; failures go to ${s.out}\n`);
  const found: Failure[] = [];
  const pending: Promise<void>[] = [];
  const signatures = new Set<string>();
  let lastPrint = 0;
  const result = await runCampaign({
    seed: s.seed,
    budgetMs: s.minutes * 60_000,
    jobs: s.jobs,
    timeoutMs: s.timeoutS * 1000,
    backend: s.backend,
    known,
    onFailure: (f, isKnown) => {
      if (signatures.has(f.signature)) return;
      signatures.add(f.signature);
      found.push(f);
      process.stdout.write(`${isKnown ? "known" : "NEW"} ${f.type} (${f.area}) at program ${f.index}: ${f.signature}\n`);
      pending.push(record(join(s.out, slug(found.length, f)), f, s).catch((e: unknown) => void process.stderr.write(`could not record ${f.signature}: ${String(e)}\n`)));
    },
    onProgress: (f) => {
      if (f.seconds - lastPrint < 30) return;
      lastPrint = f.seconds;
      process.stdout.write(line(f) + "\n");
    },
  });
  await Promise.all(pending);
  const f = result.figures;
  writeFileSync(join(s.out, "summary.json"), JSON.stringify({ settings: s, figures: f, failures: result.failures.map((x) => ({ signature: x.failure.signature, area: x.failure.area, count: x.count, known: x.known })) }, null, 2) + "\n");
  process.stdout.write(`\n${line(f)}\n`);
  process.stdout.write(`\nprograms tried   ${f.tried}\nreached check    ${f.reachedCheck}\npassed check     ${f.passedCheck}\nreached run      ${f.reachedRun}\ncompleted run    ${f.completedRun}\ninternal errors  ${f.internal}\nhangs            ${f.hangs}\ncrashes          ${f.crashes}\nknown (skipped)  ${f.known}\nslow (retried)   ${f.slow}\nwarned long runs ${f.warnedHangs}\n`);
  for (const x of result.failures) process.stdout.write(`  ${x.count}× ${x.known ? "known" : "NEW"} (${x.failure.area}) ${x.failure.signature}\n`);
  return f.internal + f.hangs + f.crashes > 0 ? 1 : 0;
}
