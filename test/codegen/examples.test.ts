// Every example compiled to a module: it compiles, its TypeScript passes a strict `tsc` with
// no skipped library checks (so no tfjs type leaks into what a user compiles against), and it
// computes what `iterc run` computes — the same values, bit for bit, and the same reports.
//
// Why bit for bit, not a tolerance: the module runs the same IR (after the same passes), calls
// the same kernel table with the same arguments in the same order, and runs each construct
// through the same runtime/constructs.ts and drivers, on the same backend (cpu). float32
// arithmetic is deterministic there, so any difference at all is a bug, not rounding.
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/codegen/index.js";
import { evaluate } from "../../runtime/load.js";
import { runSource } from "../../runtime/run.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";
import type { Report } from "../../runtime/report.js";
import { EXAMPLES, readExample, removeScratch, requireBuilt, ROOT, scratch, STRICT_TSCONFIG, TEST_SIZES, tsc } from "./helpers.js";

const files = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".iter"))
  .sort();

const generated = new Map<string, string>();

/**
 * Examples a compiled module cannot run yet, and why: `iterc compile` refuses them with a
 * located diagnostic saying so (docs/codegen.md, "What a module cannot do yet").
 */
const NOT_COMPILED: Readonly<Record<string, RegExp>> = {
  "mlp.iter": /cannot run `train mlp` yet/,
  "deq-train.iter": /cannot run `train deq` yet/,
  "neural-operator.iter": /cannot run `train net` yet/,
};
const compiled = files.filter((f) => !(f in NOT_COMPILED));

beforeAll(async () => {
  await selectBackend("cpu");
});

afterAll(() => {
  generated.clear();
  removeScratch();
});

/** What two runs must agree on in a report (its wall time aside). */
const comparable = ({ seconds: _, ...r }: Report) => r;

describe.sequential("every example, compiled to a module", () => {
  it.each(Object.keys(NOT_COMPILED))("%s is refused, at its `train` block, with a diagnostic saying what is not supported yet", async (name) => {
    const source = readExample(name);
    const out = await compile(source, { filename: `examples/${name}`, sizes: TEST_SIZES[name] ?? {} });
    expect(out.code).toBeUndefined();
    const errors = out.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => d.code)).toEqual(["not-yet"]);
    expect(errors[0].message).toMatch(NOT_COMPILED[name]);
    expect(source.split("\n")[errors[0].span.start.line - 1]).toMatch(/^train /);
  });

  it.each(compiled)("%s compiles to TypeScript with no diagnostics", async (name) => {
    const out = await compile(readExample(name), { filename: `examples/${name}`, sizes: TEST_SIZES[name] ?? {} });
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(out.code).toMatch(/^export function run\(/m);
    generated.set(name, out.code!);
  });

  it("the generated modules pass `tsc --strict` with skipLibCheck off, and so do a user's files that call one or import a .iter file", async () => {
    requireBuilt();
    const dir = scratch("tsc-examples");
    for (const [name, code] of generated) writeFileSync(join(dir, name.replace(/\.iter$/, ".ts")), code);
    writeFileSync(
      join(dir, "user.ts"),
      [
        'import { run, signature, type Outputs } from "./poisson.js";',
        "const [n, m] = signature.inputs[0].shape;",
        "const f = new Float32Array(n * m).fill(1);",
        "const { values, reports } = await run({ f: { shape: [n, m], data: f } });",
        "const u: Float32Array = values.u.data;",
        "const shape: [number, number] = values.u.shape;",
        "const error: Outputs['error'] = values.error;",
        "const reason: string | undefined = reports[0]?.reason;",
        "export const seen = [u, shape, error, reason];",
        "// @ts-expect-error the rank is in the type",
        "void run({ f: { shape: [n], data: f } });",
        "// @ts-expect-error the dtype is in the type",
        "void run({ f: { shape: [n, m], data: new Int32Array(n * m) } });",
        "// @ts-expect-error an input the file does not declare",
        "void run({ g: { shape: [n, m], data: f } });",
        "",
      ].join("\n"),
    );
    // What a bundler plugin user writes, typed by `iterlang/modules` (iterlang installed: a link to this package).
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(ROOT, join(dir, "node_modules", "iterlang"), "dir");
    writeFileSync(
      join(dir, "plugin-user.ts"),
      ['/// <reference types="iterlang/modules" />', 'import { run, signature } from "./poisson.iter";', "const { values, reports } = await run();", "export const seen = [values['u']?.shape, reports.length, signature.outputs.length];", ""].join("\n"),
    );
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ ...STRICT_TSCONFIG, compilerOptions: { ...STRICT_TSCONFIG.compilerOptions, noEmit: true } }));
    const r = await tsc(dir);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it.each(compiled)("%s: the module's values and reports equal the interpreter's, and it leaves no tensor behind", async (name) => {
    const code = generated.get(name);
    expect(code).toBeDefined();
    const sizes = TEST_SIZES[name] ?? {};
    const reference = await runSource(readExample(name), { file: `examples/${name}`, sizes: new Map(Object.entries(sizes)), backend: "cpu" });
    const module = await evaluate(code!);
    const before = tf.memory().numTensors;
    const out = await module.run({}, { backend: "cpu" });
    expect(tf.memory().numTensors).toBe(before);
    expect(out.backend).toBe("cpu");
    expect(Object.keys(out.values)).toEqual(reference.exports.map((e) => e.name));
    for (const e of reference.exports) {
      const got = out.values[e.name];
      expect(got.shape, e.name).toEqual(e.shape);
      expect(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength).equals(Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength)), `${e.name} differs`).toBe(true);
    }
    expect(out.reports.map(comparable)).toEqual(reference.reports.map(comparable));
  });
});
