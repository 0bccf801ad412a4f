// The peers of the CG benchmark. Each runs `samples` samples of `iterations` CG iterations
// from the same start (x = 0, b = h², p = 0), after one warm-up sample it discards, and
// returns the per-iteration milliseconds of each sample and ‖r‖² at the end (a cross-check
// that every peer computes the same iteration).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DType } from "../../compiler/native/kernel-ir.js";
import { NativeCgPoisson } from "../../runtime/native/cg-poisson-driver.js";

export interface PeerRun {
  /** Per-iteration ms, one entry per sample (wall clock). */
  times: number[];
  /** The same in CPU time of the peer's process (what counts on a shared, loaded machine). */
  cpu?: number[];
  /** ‖r‖² after the last sample's iterations. */
  rz: number;
}

export type PeerResult = PeerRun | { skipped: string };

/** This process's CPU time in ms (user + system, all its threads). */
export const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const rhs = (n: number) => new Float64Array(n * n).fill(1 / (n + 1) ** 2);

/**
 * The native backend, in this process. V8 runs new Wasm code in its baseline compiler
 * (Liftoff) and optimises hot functions (TurboFan) in the background, so the warm-up is
 * timed, not counted: samples start after `warmupMs` of iterating.
 */
export function nativeCg(dtype: DType, n: number, iterations: number, samples: number, warmupMs = 150): PeerRun {
  const cg = new NativeCgPoisson(dtype, n);
  const b = rhs(n);
  const start = performance.now();
  while (performance.now() - start < warmupMs) {
    cg.reset(b);
    cg.iterate(iterations);
  }
  const times: number[] = [];
  const cpu: number[] = [];
  for (let s = 0; s < samples; s++) {
    cg.reset(b);
    const [t0, c0] = [performance.now(), cpuMs()];
    cg.iterate(iterations);
    times.push((performance.now() - t0) / iterations);
    cpu.push((cpuMs() - c0) / iterations);
  }
  return { times, cpu, rz: cg.program.scalar("rz") };
}

/** Compiles bench/native/cg.c for float and double; undefined when no C compiler works. */
export class CPeer {
  private readonly dir: string;
  readonly compiler: string;
  private readonly binaries: Partial<Record<DType, string>> = {};
  readonly problem?: string;

  constructor(source: string) {
    this.dir = mkdtempSync(join(tmpdir(), "iterlang-cg-c-"));
    const version = spawnSync("gcc", ["--version"], { encoding: "utf8" });
    this.compiler = version.status === 0 ? version.stdout.split("\n")[0] : "";
    if (!this.compiler) {
      this.problem = "gcc not found";
      return;
    }
    for (const [dtype, real] of [
      ["f32", "float"],
      ["f64", "double"],
    ] as const) {
      const out = join(this.dir, `cg_${dtype}`);
      const r = spawnSync("gcc", ["-O3", "-march=native", `-DREAL=${real}`, source, "-o", out, "-lm"], {
        encoding: "utf8",
      });
      if (r.status !== 0) {
        this.problem = `gcc failed: ${r.stderr.slice(0, 200)}`;
        return;
      }
      this.binaries[dtype] = out;
    }
  }

  run(dtype: DType, n: number, iterations: number, samples: number): PeerResult {
    const bin = this.binaries[dtype];
    if (!bin) return { skipped: this.problem ?? "not built" };
    const out = execFileSync(bin, [String(n), String(iterations), String(samples + 1)], { encoding: "utf8" });
    const parsed = JSON.parse(out) as PeerRun;
    return { times: parsed.times.slice(1), ...(parsed.cpu ? { cpu: parsed.cpu.slice(1) } : {}), rz: parsed.rz };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** NumPy in a python3 subprocess, single-threaded BLAS, without this machine's OpenBLAS overrides. */
export class NumpyPeer {
  readonly version?: string;
  readonly problem?: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(private readonly script: string) {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      OPENBLAS_NUM_THREADS: "1",
      OMP_NUM_THREADS: "1",
      MKL_NUM_THREADS: "1",
    };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    this.env = env;
    const probe = spawnSync("python3", ["-c", "import numpy; print(numpy.__version__)"], { encoding: "utf8", env });
    if (probe.status === 0) this.version = probe.stdout.trim();
    else this.problem = "python3 with numpy not found";
  }

  run(dtype: DType, n: number, iterations: number, samples: number): PeerResult {
    if (!this.version) return { skipped: this.problem ?? "numpy unavailable" };
    const out = execFileSync("python3", [this.script, String(n), String(iterations), String(samples + 1), dtype], {
      encoding: "utf8",
      env: this.env,
    });
    const parsed = JSON.parse(out) as PeerRun;
    return { times: parsed.times.slice(1), ...(parsed.cpu ? { cpu: parsed.cpu.slice(1) } : {}), rz: parsed.rz };
  }
}
