// Start-up time of the `iterc` commands that run nothing: --version, fmt and check of a small
// file. Target (issue 13): each under 300 ms on a 2-core machine. Runs each command several
// times after one warm-up and prints the median and the best, beside bare `node` for scale.
//
//   npm run build && node bench/startup.mjs [--runs 9]
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 9;
const dir = mkdtempSync(join(tmpdir(), "iterc-startup-"));
const file = join(dir, "small.iter");
writeFileSync(file, "dim N = 4\nlet x = ones(N)\nexport x\n");

const cases = [
  ["node (bare)", ["-e", "0"]],
  ["iterc --version", ["dist/bin/iterc.js", "--version"]],
  ["iterc fmt", ["dist/bin/iterc.js", "fmt", file]],
  ["iterc check", ["dist/bin/iterc.js", "check", file]],
];

function time(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: "ignore" });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited with ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

console.log(`| command | median ms | best ms |\n|---|---|---|`);
for (const [name, args] of cases) {
  time(args);
  const ms = Array.from({ length: runs }, () => time(args)).sort((a, b) => a - b);
  console.log(`| ${name} | ${ms[Math.floor(runs / 2)].toFixed(0)} | ${ms[0].toFixed(0)} |`);
}
