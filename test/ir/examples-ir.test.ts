// The printed IR of every example, after all passes, at small sizes: a change in lowering or a
// pass shows up here as a readable diff. Regenerate with `npx vitest run test/ir/examples-ir -u`
// and read the diff before committing it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { printModule } from "../../compiler/ir/print.js";

const dir = join(import.meta.dirname, "..", "..", "examples");
/** Small sizes keep the printed constants short; every size an example declares is covered. */
const SIZES = new Map([
  ["N", 7],
  ["n", 4],
  ["M", 4],
  ["P", 0],
]);

describe("IR of the examples", () => {
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".iter")).sort()) {
    it(f, async () => {
      const source = readFileSync(join(dir, f), "utf8");
      const compiled = compileSource(source, { file: f, sizes: SIZES, verify: true });
      expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      await expect(printModule(compiled.module!) + "\n").toMatchFileSnapshot(join("__snapshots__", f.replace(/\.iter$/, ".ir")));
    });
  }
});
