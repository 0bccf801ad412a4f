// What each command's `--help` ends with: examples and the exit codes. docs/cli.md says the
// same in prose; test/cli/help.test.ts checks that the two agree with each other and the code.

type Exit = readonly [code: number, meaning: string];

const MISTAKE: Exit = [2, "a mistake in the input: the .iter file, a data file, a flag"];
const BUG: Exit = [1, "an internal error: a bug in iterlang (the message says so, and what to report)"];

function epilogue(examples: readonly string[], exits: readonly Exit[]): string {
  return ["", "Examples:", ...examples.map((e) => `  $ ${e}`), "", "Exit codes:", ...exits.map(([code, what]) => `  ${code}  ${what}`)].join("\n");
}

export const ROOT_HELP = epilogue(
  ["iterc run examples/poisson.iter --set N=127 --monitor", "iterc check examples/poisson.iter --json", "iterc help run"],
  [[0, "success"], [3, "`run` finished, but some construct did not converge"], [4, "`fmt --check` found a file that is not formatted, or `check` a contract that does not hold"], MISTAKE, BUG],
);

export const HELP = {
  parse: epilogue(["iterc parse examples/poisson.iter --json --spans"], [[0, "the file parsed"], MISTAKE, BUG]),
  fmt: epilogue(
    ["iterc fmt examples/poisson.iter", "iterc fmt --write examples/*.iter", "iterc fmt --check examples/*.iter"],
    [[0, "formatted (or, with --check, already formatted)"], [4, "with --check: some file is not formatted (its name is printed)"], MISTAKE, BUG],
  ),
  check: epilogue(
    ["iterc check examples/poisson.iter", "iterc check examples/poisson.iter --set N=4095", "iterc check examples/poisson.iter --json", "iterc check examples/deq.iter --runs 50 --seed 7"],
    [[0, "no errors, and every contract holds (warnings do not fail it)"], [4, "a contract does not hold (its counterexample is saved; rerun it with --replay DIR)"], MISTAKE, BUG],
  ),
  run: epilogue(
    [
      "iterc run examples/poisson.iter --set N=127",
      "iterc run examples/poisson-precond.iter --monitor-every 10 --plot plots",
      "iterc run examples/poisson.iter --input f=f.npy --out results --json",
    ],
    [[0, "every iterative construct converged"], [3, "the run finished, but some construct did not converge (the report says which)"], MISTAKE, BUG],
  ),
  compile: epilogue(
    ["iterc compile examples/poisson.iter -o poisson.ts", "iterc compile examples/poisson.iter --emit js -o poisson.js --set N=127", "iterc compile examples/poisson.iter --dump-after licm --set N=15"],
    [[0, "compiled"], MISTAKE, BUG],
  ),
} as const;
