// The suite's Markdown report: per section a table of medians, ratios measured side by side in
// the same run, and issue 16's targets (met or missed, by how much).
import type { SuiteRow } from "./suite.js";

export interface SuiteResults {
  date: string;
  mode: "quick" | "full";
  machine: { cpu: string; cores: number; node: string; gcc: string | null; numpy: string | null };
  rows: SuiteRow[];
  /** The process's peak RSS (MiB) after each section. */
  peakRssMiB: Record<string, number>;
  loadAverage: [number, number];
  seconds: number;
}

const fmt = (x: number | undefined, digits = 3): string => {
  if (x === undefined || Number.isNaN(x)) return "—";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) return x.toExponential(1);
  return a < 0.01 ? x.toFixed(4) : a < 1 ? x.toFixed(digits) : a < 100 ? x.toFixed(2) : x.toFixed(0);
};
const ratio = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "—" : `${x.toFixed(2)}×`);
const mib = (b: number | undefined) => (b === undefined ? "—" : `${(b / 2 ** 20).toFixed(1)} MiB`);

function find(rows: SuiteRow[], section: string, c: string, peer: string): SuiteRow | undefined {
  return rows.find((r) => r.section === section && r.case === c && r.peer === peer);
}

function table(header: string[], body: string[][]): string[] {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...body.map((r) => `| ${r.join(" | ")} |`)];
}

const CG_BASE = [
  "native f32",
  "native f32 (hand kernels)",
  "C f32",
  "NumPy f32",
  "iterlang tfjs-wasm f32",
  "iterlang tfjs-cpu f32",
  "tfjs-wasm f32 (by hand)",
  "native f64",
  "native f64 (hand kernels)",
  "C f64",
  "NumPy f64",
];

interface Target {
  what: string;
  measured: string;
  met: boolean | undefined;
}

const WEBGPU = "iterlang tfjs-webgpu f32";

function cgPart(res: SuiteResults, targets: Target[]): string[] {
  const rows = res.rows.filter((r) => r.section === "cg");
  const cases = [...new Set(rows.map((r) => r.case))];
  // The webgpu column when Dawn found an adapter (its row has times, not a skip), after the tfjs ones.
  const gpuRow = rows.find((r) => r.peer === WEBGPU && r.ms !== undefined);
  const CG_PEERS = gpuRow ? [...CG_BASE.slice(0, 7), WEBGPU, ...CG_BASE.slice(7)] : CG_BASE;
  /** CPU ms where the peer has it, else wall (iterlang and tfjs by hand: marked †). */
  const ms = (c: string, p: string) => {
    const r = find(rows, "cg", c, p);
    return r?.cpuMs ?? r?.ms;
  };
  const wall = (c: string, p: string) => find(rows, "cg", c, p)?.ms;
  const dagger = (p: string) => (p.startsWith("iterlang") || p.startsWith("tfjs") ? `${p} †` : p);
  const out = ["## 1. CG iteration on 2-D Poisson (CPU ms per iteration, median)", ""];
  out.push(...table(["", ...CG_PEERS.map(dagger)], cases.map((c) => [c, ...CG_PEERS.map((p) => fmt(ms(c, p)))])));
  out.push("", "† wall clock (the iterlang peers from their reports' seconds / iterations, start and true-residual check included).", "");
  if (gpuRow?.note) out.push(`The webgpu column's adapter: ${gpuRow.note.replace(/^[^,]*, [^,]*, /, "")}.`, "");
  out.push("Wall clock, for reference (the machine is shared: wall time includes time the process waited for a core):", "");
  out.push(...table(["", ...CG_PEERS], cases.map((c) => [c, ...CG_PEERS.map((p) => fmt(wall(c, p)))])));
  out.push("", "**Ratios** (CPU time, same run; < 1 means the first is faster; the iterlang columns are wall/wall)", "");
  out.push(
    ...table(
      ["", "native f32 / C f32", "native f64 / C f64", "native f32 / hand kernels", "native f32 / NumPy f32", "iterlang tfjs-wasm / native f32", "iterlang tfjs-cpu / native f32"],
      cases.map((c) => [
        c,
        ratio(ms(c, "native f32")! / ms(c, "C f32")!),
        ratio(ms(c, "native f64")! / ms(c, "C f64")!),
        ratio(ms(c, "native f32")! / ms(c, "native f32 (hand kernels)")!),
        ratio(ms(c, "native f32")! / ms(c, "NumPy f32")!),
        ratio(wall(c, "iterlang tfjs-wasm f32")! / wall(c, "native f32")!),
        ratio(wall(c, "iterlang tfjs-cpu f32")! / wall(c, "native f32")!),
      ]),
    ),
  );
  out.push("", "Cross-check, ‖r‖² after the same iterations (every peer iterates the same CG; tfjs peers sum in float32):", "");
  out.push(...table(["", ...CG_PEERS.filter((p) => !p.startsWith("iterlang"))], cases.map((c) => [c, ...CG_PEERS.filter((p) => !p.startsWith("iterlang")).map((p) => fmt(find(rows, "cg", c, p)?.check, 4))])));
  const notes = rows.filter((r) => r.peer.startsWith("native") && !r.peer.includes("hand") && r.note).map((r) => `- ${r.case}, ${r.peer}: ${r.note}; memory ${mib(r.memoryBytes)}`);
  const skipped = rows.filter((r) => r.skipped).map((r) => `- ${r.case}, ${r.peer}: skipped (${r.skipped})`);
  out.push("", ...notes, ...skipped);
  for (const [n, dtype, bound] of [
    ["511", "f32", 1.2],
    ["1023", "f32", 1.2],
    ["511", "f64", 1.3],
    ["1023", "f64", 1.3],
  ] as const) {
    const r = ms(`N = ${n}`, `native ${dtype}`)! / ms(`N = ${n}`, `C ${dtype}`)!;
    targets.push({ what: `CG, N = ${n}: native ${dtype} ≤ ${bound}× fused C ${dtype}`, measured: ratio(r), met: Number.isFinite(r) ? r <= bound : undefined });
  }
  const speedup = wall("N = 63", "iterlang tfjs-wasm f32")! / wall("N = 63", "native f32")!;
  targets.push({ what: "CG, N = 63: native f32 ≥ 50× faster than iterlang on tfjs-wasm", measured: Number.isFinite(speedup) ? `${speedup.toFixed(0)}×` : "—", met: Number.isFinite(speedup) ? speedup >= 50 : undefined });
  return out;
}

function mgPart(res: SuiteResults, targets: Target[]): string[] {
  const rows = res.rows.filter((r) => r.section === "mgpcg");
  const out = ["## 2. MG-PCG to rtol 1e-6 (f32) and 1e-10 (f64)", ""];
  out.push(
    ...table(
      ["", "peer", "iterations", "CPU s per solve", "wall s", "CPU ms per iteration", "true ‖b − Ax‖/‖b‖", "memory", "notes"],
      rows.map((r) => [r.case, r.peer, r.skipped ? "—" : String(r.iterations), fmt(r.cpuSeconds), fmt(r.seconds), fmt(r.cpuMs ?? r.ms), fmt(r.residual, 2), mib(r.memoryBytes), r.skipped ? `skipped: ${r.skipped}` : (r.note ?? "")]),
    ),
  );
  const big = find(rows, "mgpcg", "N = 1023", "native f64");
  if (big) targets.push({ what: "MG-PCG f64 to 1e-10, N = 1023: under 0.3 s", measured: `${fmt(big.cpuSeconds)} s CPU (${fmt(big.seconds)} s wall)`, met: (big.cpuSeconds ?? big.seconds!) < 0.3 && big.residual! <= 1e-10 });
  const its = rows.filter((r) => r.peer === "native f64" && r.iterations !== undefined).map((r) => r.iterations!);
  if (its.length) targets.push({ what: "MG-PCG iterations flat in N (f64)", measured: its.join(", "), met: Math.max(...its) - Math.min(...its) <= 3 });
  return out;
}

function fpPart(res: SuiteResults, targets: Target[]): string[] {
  const rows = res.rows.filter((r) => r.section === "fixpoint");
  const out = ["## 3. Fixed point x = tanh(W x + b), n = 1000, to ‖T(x) − x‖ < 1e-5", ""];
  out.push(
    ...table(
      ["", "peer", "CPU ms per iteration", "wall ms per iteration", "iterations", "wall seconds", "residual", "memory", "notes"],
      rows.map((r) => [r.case, r.peer, fmt(r.cpuMs), fmt(r.ms), r.skipped ? "—" : String(r.iterations ?? "—"), fmt(r.seconds), fmt(r.residual, 2), mib(r.memoryBytes), r.skipped ? `skipped: ${r.skipped}` : (r.note ?? "")]),
    ),
  );
  const native = find(rows, "fixpoint", "n = 1000, Picard", "native f32")?.cpuMs;
  const numpy = find(rows, "fixpoint", "n = 1000, Picard", "NumPy f32")?.cpuMs;
  if (native !== undefined && numpy !== undefined)
    targets.push({ what: "Picard, n = 1000: native f32 per iteration ≤ NumPy f32 (CPU time)", measured: `${fmt(native)} vs ${fmt(numpy)} ms (${ratio(native / numpy)})`, met: native <= numpy });
  return out;
}

function compilePart(res: SuiteResults, targets: Target[]): string[] {
  const rows = res.rows.filter((r) => r.section === "compile");
  const out = ["## 4. Compile time per fused region (medians of fresh compiles)", ""];
  out.push(...table(["region", "precision", "wall ms", "CPU ms", "phases (wall)"], rows.map((r) => [r.case, r.peer.replace("native ", ""), fmt(r.ms), fmt(r.seconds === undefined ? undefined : r.seconds * 1000), r.note ?? ""])));
  const worst = rows.reduce((m, r) => Math.max(m, (r.seconds ?? 0) * 1000), 0);
  const worstCase = rows.find((r) => (r.seconds ?? 0) * 1000 === worst);
  targets.push({ what: "compile time under 50 ms per region (CPU time)", measured: `max ${fmt(worst)} ms (${worstCase?.case ?? "—"})`, met: worst < 50 });
  return out;
}

export function renderSuite(res: SuiteResults): string {
  const targets: Target[] = [];
  const parts = [cgPart(res, targets), mgPart(res, targets), fpPart(res, targets), compilePart(res, targets)];
  const lines = [`# iterlang native backend: benchmark suite (${res.mode} run)`, ""];
  lines.push(`${res.date} · ${res.machine.cpu}, ${res.machine.cores} cores · Node ${res.machine.node} · ${res.machine.gcc ?? "no gcc"} · NumPy ${res.machine.numpy ?? "—"} · ${res.seconds.toFixed(0)} s`, "");
  lines.push(
    `The machine is shared: its 1-minute load average was ${res.loadAverage[0].toFixed(1)} before the run and ${res.loadAverage[1].toFixed(1)} after (${res.machine.cores} cores). Compare ratios within this report, not numbers across reports. One thread everywhere (NumPy with OPENBLAS_NUM_THREADS=1). bench/README.md says how each peer is measured and why a missed target is missed.`,
    "",
  );
  lines.push("## Issue 16's targets", "");
  lines.push(...table(["target", "measured", "met"], targets.map((t) => [t.what, t.measured, t.met === undefined ? "—" : t.met ? "yes" : "**no**"])));
  lines.push("", `Peak RSS of the benchmark process after each section: ${Object.entries(res.peakRssMiB).map(([k, v]) => `${k} ${v.toFixed(0)} MiB`).join(", ")} (tfjs and every fused program of the run included; each fused program's own memory is in the tables).`, "");
  for (const p of parts) lines.push(...p, "");
  return lines.join("\n");
}
