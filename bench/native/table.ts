// The Markdown report of the native CG benchmark: per-iteration medians, ratios to fused C of
// the same dtype, the issue's targets, compile times.

export interface Row {
  n: number;
  peer: string;
  iterations: number;
  msPerIteration?: number;
  /** The fastest sample. */
  minMsPerIteration?: number;
  samples?: number;
  rz?: number;
  skipped?: string;
}

export interface CompileRow {
  dtype: string;
  n: number;
  moduleBytes: number;
  codegenMs: number;
  wasmCompileMs: number;
  instantiateMs: number;
  /** First call of each kernel at the smallest N: V8's lazy baseline compile (plus µs of work). */
  firstCallsMs?: number;
  totalMs: number;
}

export interface BenchResults {
  date: string;
  mode: "quick" | "full";
  machine: { cpu: string; cores: number; node: string; gcc: string | null; numpy: string | null };
  protocol: string;
  rows: Row[];
  compile: CompileRow[];
  peakRssMiB: number;
  /** The machine's 1-minute load average before and after the run (it is shared). */
  loadAverage: [number, number];
  seconds: number;
}

const PEERS = ["native f32", "C f32", "NumPy f32", "tfjs-wasm f32", "native f64", "C f64", "NumPy f64"];

const fmt = (ms: number | undefined) =>
  ms === undefined ? "—" : ms < 0.01 ? ms.toFixed(4) : ms < 1 ? ms.toFixed(3) : ms.toFixed(2);

function find(rows: Row[], n: number, peer: string): Row | undefined {
  return rows.find((r) => r.n === n && r.peer === peer);
}

/** ms of `peer` / ms of C in the same dtype, or undefined. */
function ratioToC(rows: Row[], n: number, peer: string): number | undefined {
  const dtype = peer.slice(-3);
  const mine = find(rows, n, peer)?.msPerIteration;
  const c = find(rows, n, `C ${dtype}`)?.msPerIteration;
  return mine !== undefined && c !== undefined ? mine / c : undefined;
}

export function renderMarkdown(res: BenchResults, _hasC: boolean): string {
  const sizes = [...new Set(res.rows.map((r) => r.n))];
  const lines: string[] = [];
  lines.push(`# Native backend: CG on 2-D Poisson (${res.mode} run)`, "");
  lines.push(
    `${res.date} · ${res.machine.cpu}, ${res.machine.cores} cores · Node ${res.machine.node} · ${res.machine.gcc ?? "no gcc"} · NumPy ${res.machine.numpy ?? "—"}`,
    "",
  );
  lines.push(`Protocol: ${res.protocol}. One thread everywhere (NumPy with OPENBLAS_NUM_THREADS=1).`, "");
  lines.push(
    `The machine is shared: its 1-minute load average was ${res.loadAverage[0].toFixed(2)} before the run and ${res.loadAverage[1].toFixed(2)} after (${res.machine.cores} cores). Medians below; the fastest sample of each peer is in the last table.`,
    "",
  );
  lines.push("## ms per CG iteration (median)", "");
  lines.push(`| N | ${PEERS.join(" | ")} |`);
  lines.push(`|---|${PEERS.map(() => "---").join("|")}|`);
  for (const n of sizes)
    lines.push(`| ${n} | ${PEERS.map((p) => fmt(find(res.rows, n, p)?.msPerIteration)).join(" | ")} |`);
  lines.push("", "## Ratio to fused C of the same dtype (lower is faster; < 1 beats C)", "");
  lines.push(`| N | ${PEERS.filter((p) => !p.startsWith("C ")).join(" | ")} |`);
  lines.push(
    `|---|${PEERS.filter((p) => !p.startsWith("C "))
      .map(() => "---")
      .join("|")}|`,
  );
  for (const n of sizes) {
    const cells = PEERS.filter((p) => !p.startsWith("C ")).map((p) => {
      const r = ratioToC(res.rows, n, p);
      return r === undefined ? "—" : `${r.toFixed(2)}×`;
    });
    lines.push(`| ${n} | ${cells.join(" | ")} |`);
  }
  lines.push("", "## Targets (issue 16)", "");
  lines.push("| target | N | measured | met |", "|---|---|---|---|");
  for (const [dtype, limit] of [
    ["f32", 1.2],
    ["f64", 1.3],
  ] as const) {
    for (const n of [511, 1023]) {
      const r = ratioToC(res.rows, n, `native ${dtype}`);
      lines.push(
        `| native ${dtype} ≤ ${limit}× C ${dtype} | ${n} | ${r === undefined ? "—" : `${r.toFixed(2)}×`} | ${r === undefined ? "not measured" : r <= limit ? "yes" : `no, by ${((r / limit - 1) * 100).toFixed(0)}%`} |`,
      );
    }
  }
  lines.push("", "## Cross-check: ‖r‖² after the last sample (same start, same iteration count)", "");
  lines.push(`| N | iterations | ${PEERS.join(" | ")} |`);
  lines.push(`|---|---|${PEERS.map(() => "---").join("|")}|`);
  for (const n of sizes) {
    const it = res.rows.find((r) => r.n === n)?.iterations ?? 0;
    lines.push(
      `| ${n} | ${it} | ${PEERS.map((p) => {
        const v = find(res.rows, n, p)?.rz;
        return v === undefined ? "—" : v.toExponential(6);
      }).join(" | ")} |`,
    );
  }
  lines.push("", "## Fastest sample, ms per iteration (what each peer does when the machine leaves it alone)", "");
  lines.push(`| N | ${PEERS.join(" | ")} |`);
  lines.push(`|---|${PEERS.map(() => "---").join("|")}|`);
  for (const n of sizes)
    lines.push(`| ${n} | ${PEERS.map((p) => fmt(find(res.rows, n, p)?.minMsPerIteration)).join(" | ")} |`);
  const skipped = res.rows.filter((r) => r.skipped);
  if (skipped.length) {
    lines.push("", "Skipped: " + [...new Set(skipped.map((r) => `${r.peer} (${r.skipped})`))].join("; ") + ".");
  }
  lines.push("", "## Compile time of the CG kernel set (median of 5 fresh programs, ms)", "");
  lines.push(
    "V8 compiles Wasm lazily: `new WebAssembly.Module` only validates, each function is compiled by the baseline compiler (Liftoff) on its first call and re-optimised (TurboFan) in the background once hot. The first-calls column times the first call of each kernel at N = 63, where the arithmetic takes microseconds: the engine's baseline compile. (At large N a first call is dominated by first-touch page faults of the fresh memory, not compilation.) Total: the median of the whole, building the kernel set included (medians of parts do not add up to it exactly).",
    "",
  );
  lines.push(
    "| dtype | N | module bytes | kernel IR → bytes | new WebAssembly.Module | instantiate | first calls | total |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const c of res.compile)
    lines.push(
      `| ${c.dtype} | ${c.n} | ${c.moduleBytes} | ${c.codegenMs.toFixed(2)} | ${c.wasmCompileMs.toFixed(2)} | ${c.instantiateMs.toFixed(2)} | ${c.firstCallsMs === undefined ? "—" : c.firstCallsMs.toFixed(2)} | ${c.totalMs.toFixed(2)} |`,
    );
  lines.push(
    "",
    `Peak RSS of the benchmark process: ${res.peakRssMiB.toFixed(0)} MiB. Wall time: ${res.seconds.toFixed(1)} s.`,
    "",
  );
  return lines.join("\n");
}
