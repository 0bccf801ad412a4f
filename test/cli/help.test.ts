// `--help`, docs/cli.md and README.md agree with each other and with the code: every command's
// help ends with examples and exit codes; every flag a help lists is documented in the
// command's section of docs/cli.md and in its row of README's table, and every flag those
// mention exists; the stages `--dump-after` takes are the compiler's; the exit codes are EXIT's.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../bin/commands/io.js";
import { STAGES } from "../../compiler/compile.js";
import { iterc } from "../monitor/in-process.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI_MD = readFileSync(join(ROOT, "docs", "cli.md"), "utf8");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const COMMANDS = ["run", "check", "compile", "fmt", "parse"] as const;

async function help(command?: string): Promise<string> {
  const r = await iterc(command ? [command, "--help"] : ["--help"]);
  expect(r.code).toBe(0);
  return r.stdout;
}

/** The long flags in a text: `--set`, `--dump-after`, … (not `--help`). */
function flags(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]).filter((f) => f !== "--help" && f !== "--version"));
}

/** The options part of a command's help (before its examples). */
const optionsOf = (text: string) => text.slice(0, text.indexOf("Examples:"));

/** docs/cli.md's section for a command: from its `## \`iterc CMD` heading to the next `## `. */
function cliSection(command: string): string {
  const start = CLI_MD.indexOf(`## \`iterc ${command}`);
  expect(start, `docs/cli.md has a section for ${command}`).toBeGreaterThan(0);
  const next = CLI_MD.indexOf("\n## ", start + 1);
  // Another tool's command line (`prettier --plugin …`) has flags of its own.
  return CLI_MD.slice(start, next < 0 ? undefined : next).replace(/`prettier [^`]*`/g, "");
}

/** README's command-table row for a command. */
function readmeRow(command: string): string {
  const row = README.split("\n").find((l) => l.startsWith(`| \`iterc ${command} `));
  expect(row, `README's table has a row for ${command}`).toBeDefined();
  return row!;
}

describe("--help", () => {
  it.each(["", ...COMMANDS])("iterc %s --help: ends with examples that use its own flags and files that exist, and its exit codes", async (command) => {
    const text = await help(command || undefined);
    const examples = text.slice(text.indexOf("Examples:"), text.indexOf("Exit codes:"));
    const lines = examples.split("\n").filter((l) => l.trim().startsWith("$ iterc "));
    expect(lines.length).toBeGreaterThan(0);
    if (command) {
      for (const l of lines) expect(l).toMatch(new RegExp(`^ {2}\\$ iterc ${command} `));
      const own = flags(optionsOf(text));
      for (const f of flags(examples)) expect(own, `${f} in an example of ${command}`).toContain(f);
    }
    for (const m of examples.matchAll(/examples\/[\w-]+\.iter/g)) expect(existsSync(join(ROOT, m[0])), m[0]).toBe(true);
    const codes = [...text.slice(text.indexOf("Exit codes:")).matchAll(/^ {2}(\d) {2}\S/gm)].map((m) => Number(m[1]));
    expect(codes.length).toBeGreaterThan(1);
    for (const c of codes) expect(Object.values(EXIT)).toContain(c);
  });

  it("run's exit codes are all of EXIT's but fmt's, as docs/cli.md says them", async () => {
    const text = await help("run");
    const codes = [...text.slice(text.indexOf("Exit codes:")).matchAll(/^ {2}(\d) /gm)].map((m) => Number(m[1]));
    expect(codes.sort()).toEqual(Object.values(EXIT).filter((c) => c !== EXIT.notFormatted).sort());
    for (const c of Object.values(EXIT)) expect(CLI_MD.slice(0, CLI_MD.indexOf("## "))).toContain(`**${c}**`);
  });
});

describe("docs/cli.md and README agree with --help", () => {
  it.each(COMMANDS)("%s: every flag in its help is in its section of docs/cli.md and its README row, and back", async (command) => {
    const own = flags(optionsOf(await help(command)));
    const doc = flags(cliSection(command));
    const row = flags(readmeRow(command));
    for (const f of own) {
      expect(doc, `docs/cli.md, iterc ${command}`).toContain(f);
      expect(row, `README, iterc ${command}`).toContain(f);
    }
    // What the docs mention of a command exists (a flag of `run` named in `check`'s section, as
    // `--set` is, is fine: it exists there too).
    const all = new Set<string>();
    for (const c of COMMANDS) for (const f of flags(optionsOf(await help(c)))) all.add(f);
    for (const f of row) expect(own, `README's row of ${command} names ${f}`).toContain(f);
    for (const f of doc) expect(all, `docs/cli.md's ${command} names ${f}`).toContain(f);
  });

  it("--dump-after takes the compiler's stages, and the help, docs/cli.md and README list them all", async () => {
    expect(STAGES).toEqual(["lower", "specialise", "autodiff", "fold", "licm", "cse", "dce"]);
    const text = (await help("compile")).replace(/\s+/g, " ");
    expect(text).toContain(`print the IR after this stage: ${STAGES.join(", ")}`);
    const doc = cliSection("compile");
    const row = readmeRow("compile");
    for (const s of STAGES) {
      expect(doc).toContain(`\`${s}\``);
      expect(row).toContain(`\`${s}\``);
    }
  });

  it("every command has a section in docs/cli.md, a row in README and a line in the top-level help", async () => {
    const top = await help();
    for (const c of COMMANDS) {
      cliSection(c);
      readmeRow(c);
      expect(top).toMatch(new RegExp(`^ {2}${c} `, "m"));
    }
  });
});
