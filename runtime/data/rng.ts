// A small random generator whose whole state is four 32-bit words, so a checkpoint can save it
// and a resumed run continue the same sequence: xoshiro128** (Blackman and Vigna), seeded by
// splitmix32. Not for cryptography; for shuffling and sampling, where it is fast and good.
import { internalAssert } from "../../base/diagnostics.js";

/** splitmix32: spreads a 32-bit input over 32 bits; used to seed and to derive keys. */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Four words from a seed: any safe integer (its high and low 32 bits both count), or a list of words. */
export function seedWords(seed: number | readonly number[]): number[] {
  const parts = typeof seed === "number" ? [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0] : [...seed];
  let h = 0x243f6a88;
  for (const p of parts) h = mix32(h ^ mix32(p >>> 0));
  const words = [0, 1, 2, 3].map((i) => (h = mix32(h + i)));
  if (!words.some((w) => w !== 0)) words[0] = 1; // the one state xoshiro cannot leave
  return words;
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

export class Rng {
  private s: Uint32Array;

  constructor(state: readonly number[]) {
    internalAssert(state.length === 4 && state.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32), `an Rng state is four 32-bit words, not [${state}]`);
    internalAssert(state.some((w) => w !== 0), "an Rng state of all zeros never changes");
    this.s = Uint32Array.from(state);
  }

  static fromSeed(seed: number | readonly number[]): Rng {
    return new Rng(seedWords(seed));
  }

  /** The next 32-bit word. */
  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform integer in [0, n), n ≤ 2^32, without modulo bias (rejection). */
  below(n: number): number {
    internalAssert(Number.isInteger(n) && n > 0 && n <= 2 ** 32, `Rng.below(${n})`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const r = this.next();
      if (r < limit) return r % n;
    }
  }

  /** A uniform float in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.next() / 2 ** 32;
  }

  /** The four words; `new Rng(state)` continues from here. */
  state(): number[] {
    return Array.from(this.s);
  }
}
