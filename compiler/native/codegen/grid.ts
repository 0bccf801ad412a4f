// Grids: loops with stencil offsets or row-skewed stages. Row by row over the last two axes
// (leading axes are a batch of grids), one row step t at a time, each stage processing its
// row t - rowLag. A row that some read would leave through the top or bottom is a boundary
// row (checked scalar lanes: each offset read tests its row and column and reads 0 outside);
// any other row is checked only in the columns a read would leave sideways, and its middle
// is an unchecked flat run (simd main loop, leftovers), its pointer biased by the stencil's
// reach so that every memarg offset stays non-negative.
import { gridOf, type Reach } from "../analysis.js";
import type { LoopStep } from "../kernel-ir.js";
import type { FunctionCode, Local } from "../wasm/code.js";
import { Op, ValType } from "../wasm/opcodes.js";
import { type Addressing, checked } from "./addressing.js";
import type { CodegenContext } from "./context.js";
import type { ScratchLocals } from "./lane-env.js";

/** What row emission needs from the loop's emitter. */
export interface RowEmitter {
  readonly f: FunctionCode;
  readonly scratch: ScratchLocals;
  readonly loop: LoopStep;
  readonly ctx: CodegenContext;
  /** Bytes per element. */
  readonly size: number;
  emitBody(stage: number, at: Addressing, chunk: number): void;
  emitRun(stage: number, count: number, ptr: Local, bias: number, cols: number): void;
}

export function emitGrid(e: RowEmitter, reach: Reach[]): void {
  const { f, loop, size } = e;
  const { batch, rows, cols } = gridOf(loop.shape);
  const maxLag = loop.stages[loop.stages.length - 1].rowLag;
  const gridBytes = rows * cols * size;
  const batchBase = f.local(ValType.i32);
  const t = f.local(ValType.i32);
  const row = f.local(ValType.i32);
  const rowStart = f.local(ValType.i32);
  f.i32(0).set(batchBase);
  const oneGrid = () => {
    f.i32(0).set(t);
    f.doWhile(
      () => {
        loop.stages.forEach((stage, s) => {
          f.get(t).i32(stage.rowLag).op(Op.i32Sub).tee(row);
          f.get(batchBase)
            .get(row)
            .i32(cols * size)
            .op(Op.i32Mul)
            .op(Op.i32Add)
            .set(rowStart);
          const body = () => emitStageRow(e, s, reach[s], row, rowStart, rows, cols);
          if (maxLag === 0) {
            f.op(Op.drop);
            body();
          } else {
            f.i32(rows).op(Op.i32LtU);
            f.ifElse(body);
          }
        });
        f.get(t).i32(1).op(Op.i32Add).tee(t);
      },
      () => f.i32(rows + maxLag).op(Op.i32LtU),
    );
  };
  if (batch === 1) oneGrid();
  else
    f.doWhile(
      () => {
        oneGrid();
        f.get(batchBase).i32(gridBytes).op(Op.i32Add).tee(batchBase);
      },
      () => f.i32(batch * gridBytes).op(Op.i32LtU),
    );
}

/** One row of stage `s`: checked if a read leaves through the top or bottom, else split. */
function emitStageRow(
  e: RowEmitter,
  s: number,
  r: Reach,
  row: Local,
  rowStart: Local,
  rows: number,
  cols: number,
): void {
  const { f } = e;
  const left = Math.min(r.left, cols);
  const rightStart = Math.max(left, cols - r.right);
  const interior = () => {
    emitCheckedColumns(e, s, row, rowStart, 0, left, rows, cols);
    if (rightStart > left) {
      const bias = (r.up * cols + left) * e.size;
      const ptr = e.scratch.take(ValType.i32);
      f.get(rowStart)
        .i32(left * e.size - bias)
        .op(Op.i32Add)
        .set(ptr);
      e.emitRun(s, rightStart - left, ptr, bias, cols);
      e.scratch.give(ptr);
    }
    emitCheckedColumns(e, s, row, rowStart, rightStart, cols, rows, cols);
  };
  if (r.up === 0 && r.down === 0) {
    interior();
    return;
  }
  f.get(row).i32(r.up).op(Op.i32LtS);
  f.get(row)
    .i32(rows - r.down)
    .op(Op.i32GeS);
  f.op(Op.i32Or);
  f.ifElse(() => emitCheckedColumns(e, s, row, rowStart, 0, cols, rows, cols), interior);
}

/** Columns [from, to) of the current row as checked scalar lanes. */
function emitCheckedColumns(
  e: RowEmitter,

  s: number,
  row: Local,
  rowStart: Local,
  from: number,
  to: number,
  rows: number,
  cols: number,
): void {
  if (to <= from) return;
  const { f, size } = e;
  const col = e.scratch.take(ValType.i32);
  const ptr = e.scratch.take(ValType.i32);
  f.i32(from).set(col);
  f.get(rowStart)
    .i32(from * size)
    .op(Op.i32Add)
    .set(ptr);
  const at = checked(f, e.ctx.plan, { dtype: e.loop.dtype, ptr, row, col, rows, cols });
  f.doWhile(
    () => {
      e.emitBody(s, at, 0);
      f.get(ptr).i32(size).op(Op.i32Add).set(ptr);
      f.get(col).i32(1).op(Op.i32Add).tee(col);
    },
    () => f.i32(to).op(Op.i32LtU),
  );
  e.scratch.give(col);
  e.scratch.give(ptr);
}
