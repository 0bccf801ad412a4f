// `iterc compile`: a `.iter` file to a typed TypeScript module (`--emit ts`), to ESM
// JavaScript with its declarations and a source map (`--emit js`), or to the IR's text
// (`--emit ir`). `--watch` compiles again whenever the file changes.
import { watch } from "node:fs";
import { basename, dirname, extname, relative, resolve } from "node:path";
import type { Command } from "commander";
import { compileSource, STAGES } from "../../compiler/compile.js";
import { writeFileAtomic } from "../../runtime/fs/atomic-write.js";
import { MakeDirError, makeDir } from "../../runtime/fs/make-dir.js";
import { HELP } from "./help.js";
import { EXIT, hasErrors, printDiagnostics, readSource, UsageError } from "./io.js";
import { collect, sizesFor } from "./options.js";

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
  const sizes = sizesFor(source, file, flags.set);
  if (flags.dumpAfter) return dumpIr(file, source, sizes, flags.dumpAfter);
  const { compile } = await import("../../compiler/codegen/index.js");
  const out = await compile(source, { filename: file, emit, sizes });
  printDiagnostics(out.diagnostics, file, source);
  if (out.code === undefined || hasErrors(out.diagnostics)) return false;
  if (!flags.out) {
    process.stdout.write(out.code);
    return true;
  }
  outDir(flags.out);
  // Each file is written whole or not at all (runtime/fs/atomic-write.ts).
  if (emit === "js") {
    const map = `${flags.out}.map`;
    writeFileAtomic(flags.out, `${out.code}//# sourceMappingURL=${basename(map)}\n`);
    // A map's sources are relative to the map itself.
    writeFileAtomic(map, JSON.stringify({ ...out.map, file: basename(flags.out), sources: [relative(dirname(resolve(map)), resolve(file))] }));
    writeFileAtomic(dtsPath(flags.out), out.dts ?? "");
  } else writeFileAtomic(flags.out, out.code);
  return true;
}

/** The folder `-o` writes into, made when missing. */
function outDir(out: string): void {
  const dir = dirname(resolve(out));
  try {
    makeDir(dir);
  } catch (e) {
    if (!(e instanceof MakeDirError)) throw e;
    throw new UsageError(`I can't create the folder \`${dir}\` for \`-o\`: ${e.message}.`, "give a path you can write to.");
  }
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
    .option("--dump-after <pass>", `print the IR after this stage: ${STAGES.join(", ")}`)
    .option("--watch", "compile again whenever the file changes, printing diagnostics; stop with Ctrl-C")
    .addHelpText("after", HELP.compile)
    .action(async (file: string, flags: CompileFlags) => {
      const emit = emitOf(flags);
      if (flags.watch) return watchFile(file, flags, emit);
      if (!(await compileOnce(file, flags, emit))) setCode(EXIT.user);
    });
}
