// Shrinks a failing program to a small one that fails the same way (the same signature), by
// delta debugging (Zeller's ddmin) over its lines, then over its tokens.
import { failureOf } from "./campaign.js";
import type { FuzzPool } from "./pool.js";
import { tokenize, type Program } from "./programs.js";
import type { BackendName } from "../../../runtime/tfjs/backend.js";

export interface MinimizeOptions {
  pool: FuzzPool;
  backend: BackendName;
  /** The most candidates tried. */
  maxTries: number;
}

/** ddmin: the smallest subsequence (by removing chunks) for which `fails` still holds. */
async function ddmin<T>(items: T[], fails: (xs: T[]) => Promise<boolean>, budget: { left: number }): Promise<T[]> {
  let current = items;
  let n = 2;
  while (current.length >= 2 && budget.left > 0) {
    const chunk = Math.ceil(current.length / n);
    let reduced = false;
    for (let start = 0; start < current.length && budget.left > 0; start += chunk) {
      const candidate = [...current.slice(0, start), ...current.slice(start + chunk)];
      budget.left--;
      if (candidate.length > 0 && (await fails(candidate))) {
        current = candidate;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(current.length, n * 2);
    }
  }
  return current;
}

/** The smallest program found that fails with `signature`. */
export async function minimize(program: Program, signature: string, o: MinimizeOptions): Promise<string> {
  let id = 1_000_000_000;
  const failsWith = async (source: string): Promise<boolean> => {
    const r = await o.pool.run({ id: id++, source, run: true, backend: o.backend });
    return failureOf(0, { ...program, source }, r)?.signature === signature;
  };
  const budget = { left: o.maxTries };
  const lines = await ddmin(program.source.split("\n"), (ls) => failsWith(ls.join("\n")), budget);
  const tokens = await ddmin(tokenize(lines.join("\n")), (ts) => failsWith(ts.join("")), budget);
  // Tidy: drop blank lines and trailing spaces, if it still fails.
  const tidy = tokens.join("").split("\n").map((l) => l.trimEnd()).filter((l) => l !== "").join("\n") + "\n";
  return budget.left > 0 && (await failsWith(tidy)) ? tidy : tokens.join("");
}
