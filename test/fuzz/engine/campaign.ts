// A fuzzing campaign: programs from a seed (programs.ts) through the worker pool, until a time
// budget or a count is spent; the figures (tried, reached check, reached run, internal errors,
// hangs, crashes) and every failure with a signature that says where it happened.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { BackendName } from "../../../runtime/tfjs/backend.js";
import { FuzzPool, type PoolResult } from "./pool.js";
import { programAt, type Program, type Seed } from "./programs.js";
import type { Stage } from "./protocol.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const BUILT = HERE.includes(`${sep}dist${sep}`);
/** The repository root, whether this runs from its source (vitest) or from dist/. */
export const ROOT = BUILT ? join(HERE, "..", "..", "..", "..") : join(HERE, "..", "..", "..");
/** Workers run the compiled worker (a worker thread cannot load TypeScript). */
export const WORKER_SCRIPT = BUILT ? join(HERE, "worker.js") : join(ROOT, "dist", "test", "fuzz", "engine", "worker.js");

/** The programs every mutation starts from: examples/*.iter and stdlib/*.iter. */
export function loadCorpus(): Seed[] {
  const out: Seed[] = [];
  for (const dir of ["examples", "stdlib"]) {
    for (const f of readdirSync(join(ROOT, dir)).filter((x) => x.endsWith(".iter")).sort()) out.push({ name: `${dir}/${f}`, text: readFileSync(join(ROOT, dir, f), "utf8") });
  }
  return out;
}

export type Area = "lead" | "other" | "unknown";

export interface Failure {
  index: number;
  program: Program;
  type: "internal" | "hang" | "crash";
  stage: Stage;
  name: string;
  message: string;
  stack: string;
  /** The first frame of iterlang's own code, as a source path (`compiler/check/expr.ts`). */
  where: string;
  area: Area;
  signature: string;
}

/** Code being rewritten by the lead (checker, lowering, IR, passes, interpreter, drivers but GMRES). */
const LEAD = [/^compiler\/(check|lower|ir|passes)\//, /^runtime\/interpreter\.ts$/, /^runtime\/drivers\/(?!gmres\.ts$)/];

/** The first stack frame in iterlang's code (not tfjs, not the fuzzer), as a source path. */
export function firstOwnFrame(stack: string): string {
  for (const line of stack.split("\n")) {
    const m = /(?:file:\/\/)?(\/[^():]*?)\/dist\/([^():]+?)\.js:\d+:\d+/.exec(line);
    if (!m || m[1].includes("node_modules") || m[2].startsWith("test/fuzz/")) continue;
    return `${m[2]}.ts`;
  }
  return "";
}

/** A message with its particulars (names in backticks, numbers) replaced, for grouping. */
export function normalise(message: string): string {
  return message
    .split("\n")[0]
    .replace(/`[^`]*`/g, "`…`")
    .replace(/\[[-\d., ]*\]/g, "[…]")
    .replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, "N")
    .slice(0, 140);
}

function areaOf(where: string): Area {
  if (where === "") return "unknown";
  return LEAD.some((re) => re.test(where)) ? "lead" : "other";
}

/** The module a frame is in, for signatures: the folder for compiler/*, else the file. */
function moduleOf(where: string): string {
  const m = /^compiler\/(check|lower|ir|passes|ops)\//.exec(where);
  return m ? `compiler/${m[1]}` : where || "?";
}

export function failureOf(index: number, program: Program, r: PoolResult): Failure | undefined {
  if (r.kind === "outcome") {
    const o = r.outcome;
    if (o.end !== "internal") return undefined;
    const where = firstOwnFrame(o.error.stack);
    const signature = `${o.stage} · ${o.error.name}: ${normalise(o.error.message)} · ${moduleOf(where)}`;
    return { index, program, type: "internal", stage: o.stage, ...o.error, where, area: areaOf(where), signature };
  }
  if (warnedHang(r)) return undefined;
  const signature = `${r.stage} · ${r.kind}`;
  return { index, program, type: r.kind, stage: r.stage, name: r.kind, message: r.detail, stack: "", where: "", area: "unknown", signature };
}

/**
 * A run that does not end after check warned of an iteration bound of a million or more
 * (`long-run`, at the bound): not a failure, since the user was told where (issue 14: an absurd
 * bound is a located error, above 1e9, or a warning). Any other hang is one.
 */
export function warnedHang(r: PoolResult): boolean {
  return r.kind === "hang" && r.stage === "run" && r.warned.includes("long-run");
}

/** The signatures listed in a KNOWN.md file: lines `- signature: \`...\``. */
export function knownSignatures(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^\s*-\s*signature:\s*`(.+)`\s*$/gm)) out.add(m[1]);
  return out;
}

export interface Figures {
  tried: number;
  /** Parsed without errors, and formatted. */
  parsed: number;
  reachedCheck: number;
  passedCheck: number;
  reachedRun: number;
  completedRun: number;
  internal: number;
  hangs: number;
  crashes: number;
  /** Failures whose signature KNOWN.md lists. */
  known: number;
  /** Programs that ran out of time once but finished with twice as long (not failures). */
  slow: number;
  /** Runs still going at the time limit after check warned of their iteration bound (not failures). */
  warnedHangs: number;
  seconds: number;
}

export interface CampaignOptions {
  seed: number;
  /** Stop generating after this long. */
  budgetMs: number;
  /** Or after this many programs. */
  maxPrograms?: number;
  jobs: number;
  /** Per program. */
  timeoutMs: number;
  /** `mixed`: cpu and wasm by turns. */
  backend: BackendName | "mixed";
  known?: ReadonlySet<string>;
  /** Called for each failure as it is found. */
  onFailure?: (f: Failure, known: boolean) => void;
  /** Called now and then with the figures so far. */
  onProgress?: (f: Figures) => void;
}

export interface CampaignResult {
  figures: Figures;
  /** The first failure of each signature, and how often it occurred. */
  failures: { failure: Failure; count: number; known: boolean }[];
}

const ORDER: Stage[] = ["parse", "format", "check", "run"];

/** Counts how far a program got: a stage entered means the ones before it were passed. */
function tally(figures: Figures, r: PoolResult): void {
  const stage = r.kind === "outcome" ? r.outcome.stage : r.stage;
  const at = ORDER.indexOf(stage);
  if (at >= 1) figures.parsed++;
  if (at >= 2) figures.reachedCheck++;
  if (at >= 3) figures.reachedRun++;
  const completedCheck = r.kind === "outcome" && stage === "check" && r.outcome.end === "completed";
  if (at >= 3 || completedCheck) figures.passedCheck++;
  if (r.kind === "outcome" && stage === "run" && r.outcome.end === "completed") figures.completedRun++;
}

export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const corpus = loadCorpus();
  const pool = new FuzzPool(WORKER_SCRIPT, o.jobs, o.timeoutMs);
  const t0 = performance.now();
  const figures: Figures = { tried: 0, parsed: 0, reachedCheck: 0, passedCheck: 0, reachedRun: 0, completedRun: 0, internal: 0, hangs: 0, crashes: 0, known: 0, slow: 0, warnedHangs: 0, seconds: 0 };
  const bySignature = new Map<string, { failure: Failure; count: number; known: boolean }>();
  let next = 0;
  const more = () => performance.now() - t0 < o.budgetMs && (o.maxPrograms === undefined || next < o.maxPrograms);
  const lane = async () => {
    while (more()) {
      const index = next++;
      const program = programAt(o.seed, index, corpus);
      const backend: BackendName = o.backend === "mixed" ? (index % 2 === 0 ? "cpu" : "wasm") : o.backend;
      let r = await pool.run({ id: index, source: program.source, run: true, backend });
      // A machine under load can make a slow program look hung: a hang is tried again, with
      // twice the time, before it counts (not one check warned would run long).
      if (r.kind === "hang" && !warnedHang(r)) {
        const again = await pool.run({ id: index, source: program.source, run: true, backend }, 2);
        if (again.kind !== "hang") figures.slow++;
        r = again;
      }
      figures.tried++;
      tally(figures, r);
      if (warnedHang(r)) figures.warnedHangs++;
      const f = failureOf(index, program, r);
      if (f) {
        const known = o.known?.has(f.signature) ?? false;
        if (known) figures.known++;
        else if (f.type === "internal") figures.internal++;
        else if (f.type === "hang") figures.hangs++;
        else figures.crashes++;
        const seen = bySignature.get(f.signature);
        if (seen) seen.count++;
        else bySignature.set(f.signature, { failure: f, count: 1, known });
        o.onFailure?.(f, known);
      }
      if (figures.tried % 50 === 0) o.onProgress?.({ ...figures, seconds: (performance.now() - t0) / 1000 });
    }
  };
  try {
    await Promise.all(Array.from({ length: o.jobs }, lane));
  } finally {
    await pool.close();
  }
  figures.seconds = (performance.now() - t0) / 1000;
  return { figures, failures: [...bySignature.values()] };
}
