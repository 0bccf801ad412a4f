// The benchmark suite's shared shapes: one row per (section, case, peer), and how samples are
// pooled across rounds (every peer runs its samples once per round, rounds repeat, so a busy
// spell on this shared machine falls on all of them).
import { median, minimum } from "./stats.js";

export type Section = "cg" | "mgpcg" | "fixpoint" | "compile";

export interface SuiteRow {
  section: Section;
  /** "N = 511", "n = 1000, Picard" */
  case: string;
  peer: string;
  /** Median ms per iteration (wall clock). */
  ms?: number;
  /** Median ms per iteration in CPU time of the peer's process (the machine is shared). */
  cpuMs?: number;
  /** CPU seconds of a whole solve (median). */
  cpuSeconds?: number;
  /** The fastest sample's ms per iteration. */
  minMs?: number;
  samples?: number;
  iterations?: number;
  /** Wall seconds of a whole solve (median over its runs). */
  seconds?: number;
  /** Final (true) relative residual, or the fixed point's residual. */
  residual?: number;
  /** A number every peer of the case should agree on (‖r‖² after the same iterations). */
  check?: number;
  /** Bytes of the fused program's memory, or a peer's peak RSS (bytes). */
  memoryBytes?: number;
  note?: string;
  skipped?: string;
}

export interface Pooled {
  times: number[];
  cpu: number[];
  check?: number;
  extra?: Partial<SuiteRow>;
}

/** Collects samples per peer across rounds, then makes rows. */
export class Pool {
  private readonly peers = new Map<string, Pooled | { skipped: string }>();

  add(peer: string, r: { times: number[]; cpu?: number[]; rz?: number; check?: number } | { skipped: string }, extra?: Partial<SuiteRow>): void {
    if ("skipped" in r) {
      if (!this.peers.has(peer)) this.peers.set(peer, r);
      return;
    }
    const prev = this.peers.get(peer);
    const check = r.check ?? r.rz;
    if (prev && "times" in prev) {
      prev.times.push(...r.times);
      prev.cpu.push(...(r.cpu ?? []));
    } else this.peers.set(peer, { times: [...r.times], cpu: [...(r.cpu ?? [])], ...(check !== undefined ? { check } : {}), ...(extra ? { extra } : {}) });
  }

  rows(section: Section, label: string): SuiteRow[] {
    return [...this.peers].map(([peer, r]) =>
      "skipped" in r
        ? { section, case: label, peer, skipped: r.skipped }
        : {
            section,
            case: label,
            peer,
            ms: median(r.times),
            minMs: minimum(r.times),
            ...(r.cpu.length ? { cpuMs: median(r.cpu) } : {}),
            samples: r.times.length,
            ...(r.check !== undefined ? { check: r.check } : {}),
            ...r.extra,
          },
    );
  }
}

/** Runs `f` repeatedly for `ms` milliseconds: V8 optimises hot Wasm in the background. */
export function warmUp(ms: number, f: () => void): void {
  const t0 = performance.now();
  do f();
  while (performance.now() - t0 < ms);
}
