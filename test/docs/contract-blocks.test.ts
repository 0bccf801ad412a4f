// The reference's Contracts section runs: every ```iter block between "## Contracts" and the
// next section of that level is checked and its contracts are run (few runs, cpu), and each
// must hold. (test/check/valid-programs.test.ts type-checks every block of the reference.)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runContracts } from "../contracts/helpers.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

function contractBlocks(): { line: number; source: string }[] {
  const lines = readFileSync(join(root, "docs", "language.md"), "utf8").split(/\r?\n/);
  const from = lines.indexOf("## Contracts");
  const to = lines.findIndex((l, i) => i > from && /^## /.test(l));
  const blocks: { line: number; source: string }[] = [];
  for (let i = from; i < to; i++) {
    if (lines[i] !== "```iter") continue;
    const body: string[] = [];
    let j = i + 1;
    while (!lines[j].startsWith("```")) body.push(lines[j++]);
    blocks.push({ line: i + 2, source: body.join("\n") + "\n" });
    i = j;
  }
  return blocks;
}

describe("docs/language.md, Contracts", () => {
  const blocks = contractBlocks();
  it("has blocks with contracts", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });
  for (const b of blocks)
    it(`docs/language.md:${b.line}: every contract holds`, async () => {
      const { diagnostics, outcomes } = await runContracts(b.source, { runs: 4 });
      expect(diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
      expect(outcomes.map((o) => `${o.contract.text}: ${o.status} ${o.diagnostics.map((d) => d.message).join("; ")}`.trim())).toEqual(outcomes.map((o) => `${o.contract.text}: holds`));
    }, 120_000);
});
