// Grids: loops with stencil offsets or row-skewed stages. Row by row over the last two axes
// (leading axes are a batch of grids), one row step t at a time, each stage processing its
// row t - rowLag. The zero boundary is resolved at compile time: each boundary row and each
// edge column gets its own straight code in which the reads that leave the grid are the
// constant 0, so no lane tests bounds at run time, and every row's middle is a flat SIMD run
// (its pointer biased by the stencil's reach so that every memarg offset stays ≥ 0).
import { gridOf, type Reach } from "../analysis.js";
import type { LoopStep } from "../kernel-ir.js";
import type { FunctionCode, Local } from "../wasm/code.js";
import { Op, ValType } from "../wasm/opcodes.js";
import { type Addressing, addressing } from "./addressing.js";
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
  emitRun(
    stage: number,
    count: number,
    ptr: Local,
    bias: number,
    cols: number,
    outside?: (di: number, dj: number) => boolean,
    row?: Local,
    startColumn?: number,
  ): void;
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

/**
 * One row of stage `s`. Rows a read leaves through the top or bottom (at most up + down of
 * them) each get their own code, selected by comparing the row index, in which the reads that
 * leave are the constant 0; all other rows share one piece of code. Within a row, the columns
 * a read leaves sideways are emitted one by one, the same way, and the middle is a flat run.
 */
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
  const special: number[] = [];
  for (let i = 0; i < Math.min(r.up, rows); i++) special.push(i);
  for (let i = Math.max(r.up, rows - r.down); i < rows; i++) special.push(i);
  const hasInterior = rows - r.down > r.up;
  const emitFrom = (k: number) => {
    if (k === special.length) {
      if (hasInterior) emitRowCode(e, s, r, undefined, row, rowStart, rows, cols);
      return;
    }
    if (k === special.length - 1 && !hasInterior) {
      emitRowCode(e, s, r, special[k], row, rowStart, rows, cols);
      return;
    }
    f.get(row).i32(special[k]).op(Op.i32Eq);
    f.ifElse(
      () => emitRowCode(e, s, r, special[k], row, rowStart, rows, cols),
      () => emitFrom(k + 1),
    );
  };
  emitFrom(0);
}

/** The code of one row: `known` is its index for a boundary row, undefined for interior rows. */
function emitRowCode(
  e: RowEmitter,
  s: number,
  r: Reach,
  known: number | undefined,
  row: Local,
  rowStart: Local,
  rows: number,
  cols: number,
): void {
  const { f, size } = e;
  const rowOutside = (di: number) => known !== undefined && (known + di < 0 || known + di >= rows);
  const left = Math.min(r.left, cols);
  const rightStart = Math.max(left, cols - r.right);
  // Rows above this one that reads may reach: all `up` of them inside the interior, fewer
  // near the top (the reads beyond are folded to 0, so the bias must not count them).
  const above = known === undefined ? r.up : Math.min(r.up, known);
  const bias = (above * cols + left) * size;
  const ptr = e.scratch.take(ValType.i32);
  f.get(rowStart)
    .i32(left * size - bias)
    .op(Op.i32Add)
    .set(ptr);
  const edge = (j: number) => {
    const outside = (di: number, dj: number) => rowOutside(di) || j + dj < 0 || j + dj >= cols;
    const at = addressing(f, e.ctx.plan, {
      mode: "scalar",
      dtype: e.loop.dtype,
      ptr,
      bias,
      extra: (j - left) * size,
      cols,
      outside,
      row,
      column: j,
    });
    e.emitBody(s, at, 0);
  };
  for (let j = 0; j < left; j++) edge(j);
  for (let j = rightStart; j < cols; j++) edge(j);
  if (rightStart > left) e.emitRun(s, rightStart - left, ptr, bias, cols, (di) => rowOutside(di), row, left);
  e.scratch.give(ptr);
}
