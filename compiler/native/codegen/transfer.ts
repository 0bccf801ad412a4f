// Multigrid's grid transfers, one Wasm function each, scalar lanes (they run once per level
// and cycle on grids a quarter the size of the level above: a small share of a V-cycle).
//
// restrict (full weighting): coarse (i, j) = [1 2 1; 2 4 2; 1 2 1]/16 over the fine points
//   (2i..2i+2, 2j..2j+2). Every one of them is inside the fine grid (n = 2m + 1), so no read
//   tests a bound: one pointer walks the fine grid two columns per lane and the nine reads are
//   constant offsets from it.
// prolong (bilinear): fine row 2i+1 is coarse row i, fine row 2i the average of coarse rows
//   i−1 and i (one of them alone, halved, at the top and bottom edges); within a fine row,
//   column 2j+1 is the row's value at coarse column j and column 2j the average of j−1 and j,
//   the same way. Each fine row is one pass over its coarse row(s), carrying the previous
//   column's value.
import { BYTES, type DType, type TransferStep } from "../kernel-ir.js";
import type { MemoryPlan } from "../plan.js";
import { FunctionCode, type Local } from "../wasm/code.js";
import { Op, ValType } from "../wasm/opcodes.js";
import { SCALAR_BINARY, VALTYPE } from "./opcode-tables.js";

interface Grid {
  offset: number;
  rows: number;
  cols: number;
  dtype: DType;
}

function grid(plan: MemoryPlan, name: string): Grid {
  const b = plan.buffers.get(name);
  if (!b) throw new Error(`internal error: buffer \`${name}\` has no placement`);
  return { offset: b.offset, rows: b.shape[0], cols: b.shape[1], dtype: b.dtype };
}

export function emitTransferFunction(step: TransferStep, plan: MemoryPlan): FunctionCode {
  const [input, out] = [grid(plan, step.input), grid(plan, step.out)];
  return step.kind === "restrict" ? emitRestrict(input, out) : emitProlong(input, out);
}

/** Scalar arithmetic in the grid's dtype. */
class Arith {
  readonly size: number;
  constructor(
    readonly f: FunctionCode,
    readonly dtype: DType,
  ) {
    this.size = BYTES[dtype];
  }
  load(ptr: Local, offset: number): this {
    this.f.get(ptr).load(this.dtype, offset);
    return this;
  }
  constant(v: number): this {
    if (this.dtype === "f32") this.f.f32(v);
    else this.f.f64(v);
    return this;
  }
  add(): this {
    this.f.op(SCALAR_BINARY[this.dtype].add);
    return this;
  }
  mul(): this {
    this.f.op(SCALAR_BINARY[this.dtype].mul);
    return this;
  }
  /** Sum of the loads at these element offsets from ptr, pairwise. */
  sum(ptr: Local, base: number, elems: readonly number[]): this {
    elems.forEach((e, i) => {
      this.load(ptr, base + e * this.size);
      if (i > 0) this.add();
    });
    return this;
  }
}

/** `for (v = 0; v < count; v++) body()`, run only when count > 0 (count known). */
function counted(f: FunctionCode, count: number, body: (v: Local) => void): void {
  if (count <= 0) return;
  const v = f.local(ValType.i32);
  f.i32(0).set(v);
  f.doWhile(
    () => {
      body(v);
      f.get(v).i32(1).op(Op.i32Add).tee(v);
    },
    () => f.i32(count).op(Op.i32LtU),
  );
}

function emitRestrict(fine: Grid, coarse: Grid): FunctionCode {
  const f = new FunctionCode([], []);
  const a = new Arith(f, fine.dtype);
  const { size } = a;
  const k = fine.cols;
  const pf = f.local(ValType.i32); // byte offset of fine (2i, 2j)
  const pc = f.local(ValType.i32); // byte offset of coarse (i, j)
  f.i32(0).set(pc);
  counted(f, coarse.rows, (i) => {
    f.get(i).i32(2 * k * size).op(Op.i32Mul).set(pf);
    counted(f, coarse.cols, () => {
      f.get(pc);
      // corners + 2·edges + 4·centre, then /16 (exact)
      a.sum(pf, fine.offset, [0, 2, 2 * k, 2 * k + 2]);
      a.sum(pf, fine.offset, [1, 2 * k + 1, k, k + 2]).constant(2).mul().add();
      a.load(pf, fine.offset + (k + 1) * size).constant(4).mul().add();
      a.constant(1 / 16).mul();
      f.store(fine.dtype, coarse.offset);
      f.get(pf).i32(2 * size).op(Op.i32Add).set(pf);
      f.get(pc).i32(size).op(Op.i32Add).set(pc);
    });
  });
  return f;
}

/** How a fine row's values come from the coarse rows: one row as is, one halved, two averaged. */
type RowSource = "one" | "half" | "average";

function emitProlong(coarse: Grid, fine: Grid): FunctionCode {
  const f = new FunctionCode([], []);
  const a = new Arith(f, coarse.dtype);
  const { size } = a;
  const [m, l] = [coarse.rows, coarse.cols];
  const k = fine.cols;
  const pc = f.local(ValType.i32); // byte offset of the (first) coarse row's column j
  const po = f.local(ValType.i32); // byte offset of the fine row's column 2j
  const prev = f.local(VALTYPE[coarse.dtype]);
  const v = f.local(VALTYPE[coarse.dtype]);
  /** One fine row: pc at the first source row's start, po at the fine row's start. */
  const row = (source: RowSource) => {
    a.constant(0);
    f.set(prev);
    counted(f, l, () => {
      a.load(pc, coarse.offset);
      if (source === "average") a.load(pc, coarse.offset + l * size).add();
      if (source !== "one") a.constant(0.5).mul();
      f.set(v);
      f.get(po).get(prev).get(v);
      a.add().constant(0.5).mul();
      f.store(fine.dtype, fine.offset);
      f.get(po).get(v).store(fine.dtype, fine.offset + size);
      f.get(v).set(prev);
      f.get(pc).i32(size).op(Op.i32Add).set(pc);
      f.get(po).i32(2 * size).op(Op.i32Add).set(po);
    });
    f.get(po).get(prev);
    a.constant(0.5).mul();
    f.store(fine.dtype, fine.offset);
  };
  const at = (coarseRow: number | Local, fineRow: number | Local, fineDelta: number) => {
    if (typeof coarseRow === "number") f.i32(coarseRow * l * size);
    else f.get(coarseRow).i32(l * size).op(Op.i32Mul);
    f.set(pc);
    if (typeof fineRow === "number") f.i32((fineRow + fineDelta) * k * size);
    else f.get(fineRow).i32(2 * k * size).op(Op.i32Mul).i32(fineDelta * k * size).op(Op.i32Add);
    f.set(po);
  };
  // fine row 0 (half of coarse row 0) and 1 (coarse row 0)
  at(0, 0, 0);
  row("half");
  at(0, 1, 0);
  row("one");
  // fine rows 2i (average of coarse rows i−1, i) and 2i+1 (coarse row i), i = 1 … m−1
  if (m > 1) {
    const i = f.local(ValType.i32);
    f.i32(1).set(i);
    f.doWhile(
      () => {
        f.get(i).i32(1).op(Op.i32Sub);
        f.set(pc);
        f.get(pc).i32(l * size).op(Op.i32Mul).set(pc);
        f.get(i).i32(2 * k * size).op(Op.i32Mul).set(po);
        row("average");
        at(i, i, 1);
        row("one");
        f.get(i).i32(1).op(Op.i32Add).tee(i);
      },
      () => f.i32(m).op(Op.i32LtU),
    );
  }
  // the last fine row 2m: half of coarse row m−1
  at(m - 1, 2 * m, 0);
  row("half");
  return f;
}
