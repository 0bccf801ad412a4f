// mulberry32 (Tommy Ettinger): a small, fast, seedable generator of uniforms in [0, 1), for
// draws that must be the same on every run and machine — contracts' random inputs, tests'
// fixtures, benchmarks' problems. (The language's own `normal`/`uniform` use their own stream,
// compiler/ops/random.ts, whose values are part of a program's meaning.)
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
