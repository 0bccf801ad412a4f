// The fuzz test (issue 14): for about a minute, programs from a fixed seed — random bytes,
// token shuffles, and mutations of every example and standard-library file — go through
// parse → format → check and, when they pass check, run (small sizes, cpu and wasm by turns),
// each in a worker that is killed after 10 s (a program killed is tried once more with 20 s,
// so that a loaded machine does not pass for a hang). No program may end in an internal error (an
// exception that is not a user error, or a broken invariant), a hang or a crash, except the
// failures KNOWN.md lists for the code being rewritten (their signatures are skipped, exactly).
// A run still going after check warned of its iteration bound (`long-run`) is not a hang: the
// user was told where (issue 14).
// And most programs must get somewhere, so that the test is not vacuous.
//
// It runs the compiled fuzzer in dist/ (npm test builds it); the long run is run-fuzz.mjs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { requireFreshBuild, ROOT } from "../cli/helpers.js";
import { type Failure, knownSignatures, runCampaign } from "./engine/campaign.js";

const SEED = 20260214;
const BUDGET_MS = 50_000;

beforeAll(requireFreshBuild);

function describeFailure(f: Failure): string {
  return `${f.signature}\n  ${f.type} (${f.area}) at ${f.where || "?"}: ${f.name}: ${f.message}\n  program ${f.index} (${f.program.kind} of ${f.program.origin}):\n${f.program.source}`;
}

describe("fuzzing parse → format → check → run", () => {
  it("finds no internal error, hang or crash in a minute of programs, and most programs get somewhere", async () => {
    const known = knownSignatures(readFileSync(join(ROOT, "test", "fuzz", "KNOWN.md"), "utf8"));
    const { figures, failures } = await runCampaign({ seed: SEED, budgetMs: BUDGET_MS, jobs: 1, timeoutMs: 10_000, backend: "mixed", known });
    console.log(
      `fuzz: ${figures.tried} programs in ${figures.seconds.toFixed(0)} s; reached check ${figures.reachedCheck}, passed check ${figures.passedCheck}, ` +
        `reached run ${figures.reachedRun}; internal errors ${figures.internal}, hangs ${figures.hangs}, crashes ${figures.crashes}, ` +
        `known (skipped) ${figures.known}, slow (retried) ${figures.slow}, long runs it was warned of ${figures.warnedHangs}`,
    );
    expect(failures.filter((f) => !f.known).map((f) => describeFailure(f.failure))).toEqual([]);
    expect(figures.internal + figures.hangs + figures.crashes).toBe(0);
    // Not vacuous: enough programs (a loaded machine runs 5 a second, an idle one 20), most of
    // them checked (about 60% parse; mutations of numbers always do), a good share run.
    expect(figures.tried).toBeGreaterThan(100);
    expect(figures.reachedCheck / figures.tried).toBeGreaterThan(0.5);
    expect(figures.reachedRun / figures.tried).toBeGreaterThan(0.2);
    expect(figures.completedRun / figures.reachedRun).toBeGreaterThan(0.9);
  }, 120_000);
});
