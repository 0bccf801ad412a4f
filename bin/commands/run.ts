// `iterc run` and `iterc compile`: placeholders until the executor lands.
import type { Command } from "commander";

export function registerRun(_program: Command, _setCode: (c: number) => void): void {}
