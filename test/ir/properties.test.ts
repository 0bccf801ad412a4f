// Property tests of the simplification passes: on random programs of elementwise ops over
// small constants and inputs, fold+cse+dce keep every exported value (checked with the
// test's own interpreter, not the fold's table) and every pass's output verifies.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Builder, builtinType } from "../../compiler/ir/builder.js";
import type { Module, Value } from "../../compiler/ir/ir.js";
import { printModule, printType } from "../../compiler/ir/print.js";
import { verifyModule } from "../../compiler/ir/verify.js";
import { DEFAULT_PASSES, runPipeline } from "../../compiler/passes/pipeline.js";
import { f32, fixpointOp, interpret, mainModule, REFERENCE_OPS, sameValues, type Arr } from "./helpers.js";

const SHAPES = [[], [3], [2, 3], [2, 1]] as const;
const NUMBERS = [0, 1, -1, 2, 0.5, 3, -0.25, 0.1, 1e-3, 7];

const constSpec = fc.record({
  shape: fc.constantFrom(...SHAPES),
  values: fc.array(fc.constantFrom(...NUMBERS), { minLength: 6, maxLength: 6 }),
  uniform: fc.boolean(), // all one value: gives the 0 and 1 the identities look for
});

const opSpec = fc.record({
  op: fc.constantFrom(...REFERENCE_OPS),
  args: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
  again: fc.boolean(), // emit the same op twice, for cse
  unit: fc.constantFrom(undefined, 0, 1), // one operand a fresh 0 or 1, for the identities
  unitLeft: fc.boolean(),
  swapAgain: fc.boolean(), // the repeat with its two operands swapped
});

const programSpec = fc.record({
  consts: fc.array(constSpec, { minLength: 1, maxLength: 5 }),
  inputs: fc.array(fc.constantFrom(...SHAPES), { minLength: 1, maxLength: 3 }),
  ops: fc.array(opSpec, { minLength: 1, maxLength: 20 }),
  /** Ops from this index on, `regionLength` of them, go inside a fixpoint's map region. */
  regionFrom: fc.nat({ max: 25 }),
  regionLength: fc.nat({ max: 10 }),
  /** Exported values, counted back from the last one (where the chains end). */
  exports: fc.array(fc.nat({ max: 8 }), { minLength: 1, maxLength: 3 }),
});

type Program = typeof programSpec extends fc.Arbitrary<infer T> ? T : never;

const count = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

function nested(values: number[], shape: readonly number[]): number | unknown[] {
  if (shape.length === 0) return values[0];
  const step = values.length / shape[0];
  return Array.from({ length: shape[0] }, (_, i) => nested(values.slice(i * step, (i + 1) * step), shape.slice(1)));
}

const UNARY = new Set(["neg", "abs", "sqrt", "exp", "log", "tanh", "square"]);

/**
 * Emits the ops (those the shape rules accept) into `b`. The first operand is one of the
 * last few values, so chains form; the others come from anywhere in `pool`.
 */
function emitOps(b: Builder, ops: Program["ops"], pool: Value[]): void {
  for (const { op, args, again, unit, unitLeft, swapAgain } of ops) {
    const arity = op === "where" ? 3 : UNARY.has(op) ? 1 : 2;
    const recent = pool[pool.length - 1 - (args[0] % Math.min(4, pool.length))];
    const inputs = [recent, ...args.slice(1, arity).map((i) => pool[i % pool.length])];
    if (arity === 2 && unit !== undefined) inputs[unitLeft ? 0 : 1] = b.const(unit);
    if (arity === 2 && unit !== undefined && unitLeft) inputs[1] = recent;
    if (typeof builtinType(op, inputs, {}) === "string") continue;
    pool.push(b.builtin(op, inputs, {}));
    const swapped = arity === 2 && swapAgain ? [inputs[1], inputs[0]] : inputs;
    if (again && typeof builtinType(op, swapped, {}) !== "string") pool.push(b.builtin(op, swapped, {}));
  }
}

function build(p: Program): { module: Module; inputs: Map<string, Arr> } {
  const inputs = new Map<string, Arr>();
  const module = mainModule((b) => {
    const pool: Value[] = [];
    for (const c of p.consts) {
      const n = count(c.shape);
      const values = c.uniform ? Array(n).fill(c.values[0]) : c.values.slice(0, n);
      pool.push(b.const(nested(values, c.shape) as number, f32(...c.shape)));
    }
    p.inputs.forEach((shape, i) => {
      const name = `in${i}`;
      inputs.set(name, { shape: [...shape], data: Array.from({ length: count(shape) }, (_, k) => Math.fround(NUMBERS[(i * 7 + k * 3) % NUMBERS.length])) });
      pool.push(b.input(name, f32(...shape)));
    });
    emitOps(b, p.ops.slice(0, p.regionFrom), pool);
    const inner = p.ops.slice(p.regionFrom, p.regionFrom + p.regionLength);
    if (inner.length) {
      // A fixpoint over the last value: its map runs the remaining ops (which may use outer
      // values and the iterate) and yields a value of the iterate's type.
      const init = pool[pool.length - 1];
      const map = b.region([init.type], ([z]) => {
        const local = [...pool, z];
        emitOps(b, inner, local);
        const last = local[local.length - 1];
        return [sameType(builtinType("add", [z, last], {}), z) ? b.builtin("add", [z, last], {}) : z];
      });
      pool.push(fixpointOp(b, init, map, 2));
    }
    emitOps(b, p.ops.slice(p.regionFrom + p.regionLength), pool);
    return Object.fromEntries(p.exports.map((i, k) => [`out${k}`, pool[Math.max(0, pool.length - 1 - i)]]));
  });
  return { module, inputs };
}

function sameType(t: ReturnType<typeof builtinType>, v: Value): boolean {
  return typeof t !== "string" && printType(t) === printType(v.type);
}

describe("fold + cse + dce on random elementwise programs", () => {
  test("keep every exported value and verify after every pass", () => {
    let shrank = 0;
    fc.assert(
      fc.property(programSpec, (p) => {
        const { module, inputs } = build(p);
        expect(verifyModule(module)).toEqual([]);
        const after = runPipeline(module, DEFAULT_PASSES, { verify: true });
        const want = interpret(module, inputs);
        const got = interpret(after, inputs);
        for (const [name, arr] of want) {
          if (!sameValues(arr, got.get(name)!)) throw new Error(`export ${name} changed:\n${printModule(module)}\n--- after ---\n${printModule(after)}\nwant ${arr.data}\ngot ${got.get(name)!.data}`);
        }
        if (printModule(after).length < printModule(module).length) shrank++;
      }),
      { seed: 20240611, numRuns: 300 },
    );
    expect(shrank).toBeGreaterThan(100); // the passes had something to do in most programs
  });

  test("are idempotent: running them again changes nothing", () => {
    fc.assert(
      fc.property(programSpec, (p) => {
        const once = runPipeline(build(p).module, DEFAULT_PASSES, { verify: true });
        expect(printModule(runPipeline(once, DEFAULT_PASSES, { verify: true }))).toBe(printModule(once));
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});
