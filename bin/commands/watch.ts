// What `iterc run` shows while a program runs: with `--monitor`, one line per iteration on
// stdout (runtime/monitor/monitor-lines.ts); otherwise, on a terminal, one live progress line on
// stderr that disappears when done (runtime/monitor/progress.ts); nothing when stderr is not a
// terminal, so logs and pipes see only the report.
import { MonitorLines } from "../../runtime/monitor/monitor-lines.js";
import { ProgressObserver } from "../../runtime/monitor/progress.js";
import { painterFor } from "../../runtime/monitor/colour.js";
import { type RunObserver, safeObserver } from "../../runtime/monitor/events.js";
import { UsageError } from "./io.js";

export interface WatchFlags {
  monitor?: boolean;
  monitorEvery?: string;
  json?: boolean;
  quiet?: boolean;
}

/** `--monitor-every k`: a whole number ≥ 1 (it implies `--monitor`). */
function every(text: string | undefined): number {
  if (text === undefined) return 1;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`\`--monitor-every ${text}\` is not a whole number ≥ 1.`, "for example `--monitor-every 10` prints iteration 0, 10, 20, … and the last.");
  return Number(text);
}

/** The observer of a run with these flags, or undefined when nothing is to be shown. */
export function runObserver(flags: WatchFlags): RunObserver | undefined {
  const monitor = flags.monitor === true || flags.monitorEvery !== undefined;
  const k = every(flags.monitorEvery);
  if (monitor && flags.json) throw new UsageError("`--monitor` prints lines on stdout, where `--json` prints one JSON object: choose one.", "the JSON report has every residual history; `--history FILE.csv` writes them too.");
  // A closed pipe (`| head`) must not stop the solve: what an observer throws is dropped.
  const quiet = () => {};
  if (monitor) return safeObserver(new MonitorLines(process.stdout, { every: k, painter: painterFor(process.stdout) }), quiet);
  if (process.stderr.isTTY !== true || flags.quiet === true) return undefined;
  return safeObserver(new ProgressObserver(process.stderr), quiet);
}
