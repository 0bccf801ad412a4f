// Runs `iterc` in-process (bin/commands/main.ts, from source) with stdout and stderr captured,
// rather than the built dist/: test/cli rebuilds dist/ while it runs, and a second build racing
// it could hand either one half-written files.
import { vi } from "vitest";
import { main } from "../../bin/commands/main.js";

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `iterc ...args` with stdout and stderr captured, under the given colour environment. */
export async function iterc(args: string[], env: Record<string, string | undefined> = { NO_COLOR: undefined, FORCE_COLOR: undefined }): Promise<Result> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  try {
    const code = await main(["node", "iterc", ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    vi.unstubAllEnvs();
  }
}

/** Runs `f` with `stream` pretending to be a terminal of `columns` columns. */
export async function asTerminal<T>(stream: NodeJS.WriteStream, columns: number, f: () => Promise<T>): Promise<T> {
  const saved = { isTTY: stream.isTTY, columns: stream.columns };
  const set = (isTTY: boolean | undefined, cols: number | undefined) => {
    Object.defineProperty(stream, "isTTY", { value: isTTY, configurable: true, writable: true });
    Object.defineProperty(stream, "columns", { value: cols, configurable: true, writable: true });
  };
  set(true, columns);
  try {
    return await f();
  } finally {
    set(saved.isTTY, saved.columns);
  }
}
