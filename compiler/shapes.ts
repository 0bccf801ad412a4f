// Symbolic dimensions: polynomials over dimension names with exact rational coefficients.
// `N + 1`, `2*n`, `N/2` and `n*n` are all Dims; a concrete size is a constant Dim, so one set
// of shape rules serves the symbolic checker and the concrete, specialised IR alike.

/** A rational number num/den in lowest terms, den > 0. */
interface Rat {
  num: number;
  den: number;
}

/** A monomial is a sorted product of names, keyed as "N*n"; the constant term's key is "". */
export interface Dim {
  readonly terms: ReadonlyMap<string, Rat>;
}

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

function rat(num: number, den = 1): Rat {
  if (den < 0) [num, den] = [-num, -den];
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

const addRat = (a: Rat, b: Rat): Rat => rat(a.num * b.den + b.num * a.den, a.den * b.den);
const mulRat = (a: Rat, b: Rat): Rat => rat(a.num * b.num, a.den * b.den);

function fromTerms(entries: Iterable<[string, Rat]>): Dim {
  const terms = new Map<string, Rat>();
  for (const [k, c] of entries) {
    const sum = terms.has(k) ? addRat(terms.get(k)!, c) : c;
    if (sum.num === 0) terms.delete(k);
    else terms.set(k, sum);
  }
  return { terms: new Map([...terms].sort(([a], [b]) => monomialOrder(a, b))) };
}

/** Highest degree first, then alphabetical, constant last: `n*n + 2*n + 1`. */
function monomialOrder(a: string, b: string): number {
  const da = a === "" ? 0 : a.split("*").length;
  const db = b === "" ? 0 : b.split("*").length;
  return da !== db ? db - da : a < b ? -1 : a > b ? 1 : 0;
}

export const dimConst = (n: number): Dim => fromTerms([["", rat(n)]]);
export const dimSym = (name: string): Dim => fromTerms([[name, rat(1)]]);
export const dimAdd = (a: Dim, b: Dim): Dim => fromTerms([...a.terms, ...b.terms]);
export const dimNeg = (a: Dim): Dim => fromTerms([...a.terms].map(([k, c]) => [k, rat(-c.num, c.den)]));
export const dimSub = (a: Dim, b: Dim): Dim => dimAdd(a, dimNeg(b));

function mulKeys(a: string, b: string): string {
  return [...(a ? a.split("*") : []), ...(b ? b.split("*") : [])].sort().join("*");
}

export function dimMul(a: Dim, b: Dim): Dim {
  const out: [string, Rat][] = [];
  for (const [ka, ca] of a.terms) for (const [kb, cb] of b.terms) out.push([mulKeys(ka, kb), mulRat(ca, cb)]);
  return fromTerms(out);
}

/** Division by a non-zero integer constant; exactness is checked when sizes become concrete. */
export function dimDivConst(a: Dim, k: number): Dim {
  return fromTerms([...a.terms].map(([key, c]) => [key, rat(c.num, c.den * k)]));
}

/** The constant value, when the Dim has no names in it. */
export function dimValue(a: Dim): number | undefined {
  if (a.terms.size === 0) return 0;
  if (a.terms.size === 1 && a.terms.has("")) {
    const c = a.terms.get("")!;
    return c.num / c.den;
  }
  return undefined;
}

export function dimEq(a: Dim, b: Dim): boolean {
  return dimSub(a, b).terms.size === 0;
}

export function dimSymbols(a: Dim): Set<string> {
  const out = new Set<string>();
  for (const k of a.terms.keys()) for (const s of k ? k.split("*") : []) out.add(s);
  return out;
}

/** Replaces names by Dims (a size parameter by its argument's size, or a name by its value). */
export function dimSubst(a: Dim, env: ReadonlyMap<string, Dim>): Dim {
  let out = dimConst(0);
  for (const [key, c] of a.terms) {
    let term = fromTerms([["", c]]);
    for (const s of key ? key.split("*") : []) term = dimMul(term, env.get(s) ?? dimSym(s));
    out = dimAdd(out, term);
  }
  return out;
}

/**
 * Solves `pattern = actual` for the one name of `pattern` not yet in `bound`, when pattern is
 * affine in it (`2*n + 1 = N` gives `n = N/2 - 1/2`). Returns the binding, `true` when the
 * equation holds with nothing to bind, or `false` when it cannot hold or cannot be solved.
 */
export function dimUnify(pattern: Dim, actual: Dim, bound: ReadonlyMap<string, Dim>): [string, Dim] | boolean {
  const p = dimSubst(pattern, bound);
  const free = [...dimSymbols(p)].filter((s) => !bound.has(s) && dimSymbols(pattern).has(s));
  if (free.length === 0) return dimEq(p, actual);
  if (free.length > 1) return false;
  const x = free[0];
  const coef = p.terms.get(x);
  const affine = coef !== undefined && [...p.terms.keys()].every((k) => k === x || !k.split("*").includes(x));
  if (!affine) return false;
  const rest = fromTerms([...p.terms].filter(([k]) => k !== x));
  const diff = dimSub(actual, rest);
  return [x, fromTerms([...diff.terms].map(([k, c]) => [k, mulRat(c, rat(coef.den, coef.num))]))];
}

function ratToString(c: Rat): string {
  return c.den === 1 ? String(Math.abs(c.num)) : `${Math.abs(c.num)}/${c.den}`;
}

/** `N + 1`, `2*n`, `N/2`, `n*n - 1`: the way a person writes it. */
export function dimToString(a: Dim): string {
  if (a.terms.size === 0) return "0";
  let out = "";
  for (const [key, c] of a.terms) {
    const sign = c.num < 0 ? "-" : "+";
    const mag = Math.abs(c.num);
    let text: string;
    if (key === "") text = ratToString(c);
    else if (c.den === 1) text = mag === 1 ? key : `${mag}*${key}`;
    else text = mag === 1 ? `${key}/${c.den}` : `${mag}*${key}/${c.den}`;
    out += out === "" ? (sign === "-" ? `-${text}` : text) : ` ${sign} ${text}`;
  }
  return out;
}

/** The integer value of `a` under `env`, or an error message (unbound name, not whole). */
export function dimEval(a: Dim, env: ReadonlyMap<string, number>): number | string {
  let total = 0;
  for (const [key, c] of a.terms) {
    let v = c.num / c.den;
    for (const s of key ? key.split("*") : []) {
      const x = env.get(s);
      if (x === undefined) return `the size \`${s}\` has no value`;
      v *= x;
    }
    total += v;
  }
  const rounded = Math.round(total);
  if (Math.abs(total - rounded) > 1e-9) return `\`${dimToString(a)}\` is ${total}, not a whole number`;
  return rounded;
}
