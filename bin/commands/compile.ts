// `iterc compile`: a `.iter` file to a typed TypeScript module (`--emit ts`), to ESM
// JavaScript with its declarations and a source map (`--emit js`), or to the IR's text
// (`--emit ir`). `--watch` compiles again whenever the file changes.
import { watch } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, extname, relative, resolve } from "node:path";
import type { Command } from "commander";
import { compileSource } from "../../compiler/compile.js";
import { EXIT, hasErrors, printDiagnostics, readSource, UsageError } from "./io.js";
import { collect, parseSizes } from "./options.js";

type Emit = "ts" | "js" | "ir";

interface CompileFlags {
  out?: string;
  emit?: string;
  set?: string[];
  dumpAfter?: string;
  watch?: boolean;
}

const EMITS: readonly Emit[] = ["ts", "js", "ir"];

/** What to write: `--emit`, else what `-o`'s extension says, else TypeScript. */
function emitOf(flags: CompileFlags): Emit {
  if (flags.emit !== undefined) {
    if ((EMITS as readonly string[]).includes(flags.emit)) return flags.emit as Emit;
    throw new UsageError(`\`--emit ${flags.emit}\` is not something iterc writes.`, "choose ts (a TypeScript module), js (ESM, with .d.ts and a source map) or ir.");
  }
  if (flags.dumpAfter) return "ir";
  const ext = flags.out ? extname(flags.out) : ".ts";
  if ([".js", ".mjs"].includes(ext)) return "js";
  if ([".ts", ".mts"].includes(ext)) return "ts";
  throw new UsageError(`I can't tell what to write to \`${flags.out}\` from its extension.`, "name it .ts or .js, or say `--emit ts|js|ir`.");
}

/** The declarations file beside a `.js`: `out.js` → `out.d.ts`, `out.mjs` → `out.d.mts`. */
const dtsPath = (out: string) => (out.endsWith(".mjs") ? `${out.slice(0, -4)}.d.mts` : `${out.replace(/\.js$/, "")}.d.ts`);

/** One compilation: diagnostics printed, the output written (or printed). True when it succeeded. */
async function compileOnce(file: string, flags: CompileFlags, emit: Emit): Promise<boolean> {
  const source = readSource(file);
  const sizes = parseSizes(flags.set);
  if (flags.dumpAfter) return dumpIr(file, source, sizes, flags.dumpAfter);
  const { compile } = await import("../../compiler/codegen/index.js");
  const out = await compile(source, { filename: file, emit, sizes });
  printDiagnostics(out.diagnostics, file, source);
  if (out.code === undefined || hasErrors(out.diagnostics)) return false;
  if (!flags.out) {
    process.stdout.write(out.code);
    return true;
  }
  await mkdir(dirname(resolve(flags.out)), { recursive: true });
  if (emit === "js") {
    const map = `${flags.out}.map`;
    await writeFile(flags.out, `${out.code}//# sourceMappingURL=${basename(map)}\n`);
    // A map's sources are relative to the map itself.
    await writeFile(map, JSON.stringify({ ...out.map, file: basename(flags.out), sources: [relative(dirname(resolve(map)), resolve(file))] }));
    await writeFile(dtsPath(flags.out), out.dts ?? "");
  } else await writeFile(flags.out, out.code);
  return true;
}

/** `--dump-after PASS`: the IR as that stage left it. */
function dumpIr(file: string, source: string, sizes: Map<string, number>, pass: string): boolean {
  const compiled = compileSource(source, { file, sizes, dumpAfter: pass, dump: (p: string, text: string) => void process.stdout.write(`// after ${p}\n${text}\n`) });
  printDiagnostics(compiled.diagnostics, file, source);
  return compiled.module !== undefined;
}

/** Compiles again on every change of the file (editors that save by renaming included), until interrupted. */
async function watchFile(file: string, flags: CompileFlags, emit: Emit): Promise<void> {
  const stamp = () => new Date().toTimeString().slice(0, 8);
  const report = (ok: boolean) => process.stderr.write(`[${stamp()}] ${file}: ${ok ? `compiled${flags.out ? ` to ${flags.out}` : ""}` : "not compiled (errors above)"}; watching for changes\n`);
  let running = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const again = () =>
    (running = running.then(async () => {
      try {
        report(await compileOnce(file, flags, emit));
      } catch (e) {
        process.stderr.write(`[${stamp()}] ${(e as Error).message}\n`);
      }
    }));
  again();
  const name = basename(file);
  const watcher = watch(dirname(resolve(file)), (_event, changed) => {
    if (changed !== null && changed.toString() !== name) return;
    clearTimeout(timer);
    timer = setTimeout(again, 50);
  });
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  watcher.close();
  clearTimeout(timer);
  await running;
}

export function registerCompile(program: Command, setCode: (c: number) => void): void {
  program
    .command("compile")
    .description("compile a .iter file to a typed TypeScript module (or ESM JavaScript, or the IR)")
    .argument("<file>", "the .iter file")
    .option("-o, --out <file>", "write the module here (.ts, or .js with .d.ts and .js.map beside it); default: print it")
    .option("--emit <what>", "ts (default), js, or ir")
    .option("--set <size=value>", "give a size a value, e.g. --set N=63 (repeatable); a module has fixed sizes", collect, [])
    .option("--dump-after <pass>", "print the IR after this stage: lower, specialise, autodiff, fold, licm, cse, dce")
    .option("--watch", "compile again whenever the file changes, printing diagnostics; stop with Ctrl-C")
    .action(async (file: string, flags: CompileFlags) => {
      const emit = emitOf(flags);
      if (flags.watch) return watchFile(file, flags, emit);
      if (!(await compileOnce(file, flags, emit))) setCode(EXIT.user);
    });
}
