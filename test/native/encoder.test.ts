// The binary encoder on its own: LEB128 edge cases, and small hand-built modules that the
// engine validates and runs (scalar, control flow, SIMD lanes, memory import limits).
import { describe, expect, it } from "vitest";
import { ByteWriter } from "../../compiler/native/wasm/bytes.js";
import { FunctionCode } from "../../compiler/native/wasm/code.js";
import { ModuleBuilder } from "../../compiler/native/wasm/module.js";
import { Op, Simd, ValType } from "../../compiler/native/wasm/opcodes.js";
import { wasmApi } from "../../runtime/native/wasm-api.js";

const wasm = wasmApi();

function instantiate(
  m: ModuleBuilder,
  pages = 1,
): { exports: Record<string, unknown>; memory: ReturnType<typeof memoryOf> } {
  const memory = memoryOf(pages);
  const inst = new wasm.Instance(new wasm.Module(m.encode()), { env: { memory } });
  return { exports: inst.exports, memory };
}
const memoryOf = (pages: number) => new wasm.Memory({ initial: pages, maximum: pages });

describe("LEB128", () => {
  it("encodes unsigned values at the 7-bit boundaries", () => {
    const hex = (v: number) => [...new ByteWriter().u32(v).finish()];
    expect(hex(0)).toEqual([0]);
    expect(hex(127)).toEqual([0x7f]);
    expect(hex(128)).toEqual([0x80, 0x01]);
    expect(hex(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(hex(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it("encodes signed values, including the sign bit of the last group", () => {
    const hex = (v: number) => [...new ByteWriter().s32(v).finish()];
    expect(hex(0)).toEqual([0]);
    expect(hex(63)).toEqual([0x3f]);
    expect(hex(64)).toEqual([0xc0, 0x00]);
    expect(hex(-1)).toEqual([0x7f]);
    expect(hex(-64)).toEqual([0x40]);
    expect(hex(-65)).toEqual([0xbf, 0x7f]);
    expect(hex(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it("refuses values that are not u32", () => {
    expect(() => new ByteWriter().u32(-1)).toThrow(/u32/);
    expect(() => new ByteWriter().u32(1.5)).toThrow(/u32/);
  });
});

describe("modules", () => {
  it("runs a counted loop that sums 1..n in f64", () => {
    const m = new ModuleBuilder();
    m.importMemory({ module: "env", name: "memory", pages: 1 });
    const f = new FunctionCode([ValType.i32], [ValType.f64]);
    const n = f.param(0);
    const acc = f.local(ValType.f64);
    f.doWhile(
      () => {
        f.get(acc).get(n).op(0xb7 /* f64.convert_i32_s */).op(Op.f64Add).set(acc);
        f.get(n).i32(1).op(Op.i32Sub).tee(n);
      },
      () => {},
    );
    f.get(acc);
    m.addFunction(f, "sum");
    const { exports } = instantiate(m);
    expect((exports.sum as (n: number) => number)(100)).toBe(5050);
  });

  it("stores and loads v128 lanes at memarg offsets, f32x4 and f64x2", () => {
    const m = new ModuleBuilder();
    m.importMemory({ module: "env", name: "memory", pages: 1 });
    const f = new FunctionCode([], []);
    // mem[32..48) = mem[0..16) * mem[16..32) as f32x4; mem[48..64) = sqrt of f64x2 at 64.
    f.i32(0).i32(0).load("v128", 0).i32(0).load("v128", 16).simd(Simd.f32x4Mul).store("v128", 32);
    f.i32(0).i32(0).load("v128", 64).simd(Simd.f64x2Sqrt).store("v128", 48);
    m.addFunction(f, "run");
    const { exports, memory } = instantiate(m);
    const f32 = new Float32Array(memory.buffer);
    const f64 = new Float64Array(memory.buffer);
    f32.set([1, 2, 3, 4, 5, 6, 7, 8]);
    f64.set([9, 16], 8);
    (exports.run as () => void)();
    expect([...f32.subarray(8, 12)]).toEqual([5, 12, 21, 32]);
    expect([...f64.subarray(6, 8)]).toEqual([3, 4]);
  });

  it("promotes the high f32 lanes through a shuffle and extracts f64 lanes", () => {
    const m = new ModuleBuilder();
    m.importMemory({ module: "env", name: "memory", pages: 1 });
    const f = new FunctionCode([], [ValType.f64]);
    const v = f.local(ValType.v128);
    f.i32(0).load("v128", 0).set(v);
    f.get(v).get(v).shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
    f.simd(Simd.f64x2PromoteLowF32x4).lane(Simd.f64x2ExtractLane, 1);
    m.addFunction(f, "high");
    const { exports, memory } = instantiate(m);
    new Float32Array(memory.buffer).set([1, 2, 3, 0.1]);
    expect((exports.high as () => number)()).toBe(Math.fround(0.1));
  });

  it("declares a memory that cannot grow, and calls an imported function", () => {
    const m = new ModuleBuilder();
    m.importMemory({ module: "env", name: "memory", pages: 2 });
    const imp = m.importFunction("math", "exp", [ValType.f64], [ValType.f64]);
    const f = new FunctionCode([ValType.f64], [ValType.f64]);
    f.get(f.param(0)).call(imp);
    m.addFunction(f, "e");
    const memory = memoryOf(2);
    const inst = new wasm.Instance(new wasm.Module(m.encode()), { env: { memory }, math: { exp: Math.exp } });
    expect((inst.exports.e as (x: number) => number)(1)).toBe(Math.E);
    expect(() => memory.grow(1)).toThrow();
    expect(memory.buffer.byteLength).toBe(2 * 65536);
  });

  it("re-exports the imported memory", () => {
    const m = new ModuleBuilder();
    m.importMemory({ module: "env", name: "memory", pages: 1 });
    m.exportMemory("mem");
    m.addFunction(new FunctionCode([], []), "noop");
    const memory = memoryOf(1);
    const inst = new wasm.Instance(new wasm.Module(m.encode()), { env: { memory } });
    expect(inst.exports.mem).toBe(memory);
  });

  it("refuses a memory import smaller than the module declares", () => {
    const m = new ModuleBuilder();
    m.importMemory({ module: "env", name: "memory", pages: 2 });
    m.addFunction(new FunctionCode([], []), "noop");
    expect(() => new wasm.Instance(new wasm.Module(m.encode()), { env: { memory: memoryOf(1) } })).toThrow();
  });
});
