// "Did you mean": the closest known name by edit distance, when it is close enough to help.

/** Levenshtein distance, O(|a|·|b|), for the short names of a program. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = above;
    }
  }
  return prev[b.length];
}

/** The candidate nearest to `name`, if within a third of its length (at least 1, at most 3). */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === name) continue;
    const d = c.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= limit ? best : undefined;
}

/** `did you mean `x`?`, or undefined when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const c = closest(name, candidates);
  return c === undefined ? undefined : `did you mean \`${c}\`?`;
}

function swapsTo(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  const diff = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]));
  return diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]];
}

/**
 * "Did you mean" for names in a program: `didYouMean`, plus two habits of typing that plain
 * edit distance misses or overrates. A swap of two neighbouring letters (`rsh` for `rhs`)
 * counts as one slip; and a one-letter name is only "meant" when it differs by case (`n` for
 * `N`), since any other letter is one edit from every one-letter name.
 */
export function suggestName(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...new Set(candidates)].filter((c) => c !== name);
  const swapped = list.find((c) => swapsTo(name, c));
  if (swapped) return `did you mean \`${swapped}\`?`;
  if (name.length === 1) {
    const cased = list.find((c) => c.toLowerCase() === name.toLowerCase());
    return cased ? `did you mean \`${cased}\`?` : undefined;
  }
  return didYouMean(name, list);
}
