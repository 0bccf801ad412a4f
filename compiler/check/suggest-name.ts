// "Did you mean" for the checker: compiler/suggest.ts's nearest name, plus two habits of
// typing that plain edit distance misses or overrates. A swap of two neighbouring letters
// (`rsh` for `rhs`) counts as one slip; and a one-letter name is only "meant" when it differs
// by case (`n` for `N`), since any other letter is one edit from every one-letter name.
import { didYouMean } from "../suggest.js";

function swapsTo(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  const diff = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]));
  return diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]];
}

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
