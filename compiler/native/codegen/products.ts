// Dense products of row-major buffers, accumulating in their dtype (like BLAS's sgemm/dgemm).
//
// matmul: a register-blocked SIMD micro-kernel. A block of MR = 4 rows × 2 vectors of
// columns keeps 8 accumulators in registers; each step of the k loop loads 2 vectors of a B
// row and splats 4 entries of A (v128.load32/64_splat), 8 multiply-adds for 6 loads. Leftover
// rows use MR = 1, leftover columns one vector, then scalar columns. There is no cache
// blocking or packing yet: B's column strip (k × 8 f32) is re-read per row block, which is
// fine while B fits in L2 (n·k ≲ 64k entries) and the place to improve for large matrices.
//
// matvec: 4 rows at a time, one vector accumulator per row, x loaded once per 4 rows;
// leftover k entries are scalar, leftover rows one at a time.
import { BYTES, type DType, type MatmulStep, type MatvecStep } from "../kernel-ir.js";
import type { MemoryPlan } from "../plan.js";
import { FunctionCode, type Local } from "../wasm/code.js";
import { Op, ValType } from "../wasm/opcodes.js";
import { EXTRACT, LANES, SCALAR_BINARY, SIMD_BINARY, SPLAT, VALTYPE } from "./opcode-tables.js";

const MR = 4;

function placement(plan: MemoryPlan, name: string): { offset: number; shape: readonly number[]; dtype: DType } {
  const b = plan.buffers.get(name);
  if (!b) throw new Error(`internal error: buffer \`${name}\` has no placement`);
  return b;
}

function zero(f: FunctionCode, dtype: DType, simd: boolean): void {
  if (dtype === "f32") f.f32(0);
  else f.f64(0);
  if (simd) f.simd(SPLAT[dtype]);
}

/** acc = acc + x * y, operands pushed by the callbacks. */
function multiplyAdd(f: FunctionCode, dtype: DType, simd: boolean, acc: Local, x: () => void, y: () => void): void {
  f.get(acc);
  x();
  y();
  if (simd) f.simd(SIMD_BINARY[dtype].mul).simd(SIMD_BINARY[dtype].add);
  else f.op(SCALAR_BINARY[dtype].mul).op(SCALAR_BINARY[dtype].add);
  f.set(acc);
}

/** A counted loop `for (v = from; v < to; v += step)` over i32 byte offsets, if it runs at all. */
function forRange(f: FunctionCode, v: Local, from: number, to: number, step: number, body: () => void): void {
  if (to <= from) return;
  f.i32(from).set(v);
  f.doWhile(
    () => {
      body();
      f.get(v).i32(step).op(Op.i32Add).tee(v);
    },
    () => f.i32(to).op(Op.i32LtU),
  );
}

export function emitMatmulFunction(step: MatmulStep, plan: MemoryPlan): FunctionCode {
  const A = placement(plan, step.a);
  const B = placement(plan, step.b);
  const O = placement(plan, step.out);
  const dtype = A.dtype;
  const size = BYTES[dtype];
  const W = LANES[dtype];
  // A row vector a[k] is the matrix [1, k] (and the output the row [1, n]).
  const [m, k] = A.shape.length === 1 ? [1, A.shape[0]] : A.shape;
  const n = B.shape[1];
  const f = new FunctionCode([], []);
  const aRow = f.local(ValType.i32); // byte offset of A's row i
  const oRow = f.local(ValType.i32); // byte offset of out's row i
  const jb = f.local(ValType.i32); // byte offset of column j
  const pa = f.local(ValType.i32);
  const pb = f.local(ValType.i32);
  const pEnd = f.local(ValType.i32);
  const bv = [f.local(ValType.v128), f.local(ValType.v128)];
  const av = f.local(ValType.v128);
  const accV = Array.from({ length: MR * 2 }, () => f.local(ValType.v128));
  const accS = Array.from({ length: MR }, () => f.local(VALTYPE[dtype]));
  const aScalar = f.local(VALTYPE[dtype]);

  /** One block: `rows` rows × `vectors` vectors of columns (0 = one scalar column). */
  const micro = (rows: number, vectors: number) => {
    const simd = vectors > 0;
    const acc = (r: number, c: number) => (simd ? accV[r * 2 + c] : accS[r]);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < Math.max(vectors, 1); c++) {
        zero(f, dtype, simd);
        f.set(acc(r, c));
      }
    f.get(aRow).set(pa);
    f.get(jb).set(pb);
    f.get(aRow)
      .i32(k * size)
      .op(Op.i32Add)
      .set(pEnd);
    f.doWhile(
      () => {
        if (simd) {
          for (let c = 0; c < vectors; c++)
            f.get(pb)
              .load("v128", B.offset + c * 16)
              .set(bv[c]);
          for (let r = 0; r < rows; r++) {
            f.get(pa)
              .loadSplat(size, A.offset + r * k * size)
              .set(av);
            for (let c = 0; c < vectors; c++)
              multiplyAdd(
                f,
                dtype,
                true,
                acc(r, c),
                () => f.get(av),
                () => f.get(bv[c]),
              );
          }
        } else {
          for (let r = 0; r < rows; r++) {
            f.get(pa)
              .load(dtype, A.offset + r * k * size)
              .set(aScalar);
            multiplyAdd(
              f,
              dtype,
              false,
              acc(r, 0),
              () => f.get(aScalar),
              () => f.get(pb).load(dtype, B.offset),
            );
          }
        }
        f.get(pa).i32(size).op(Op.i32Add).set(pa);
        f.get(pb)
          .i32(n * size)
          .op(Op.i32Add)
          .set(pb);
        f.get(pa).get(pEnd).op(Op.i32LtU);
      },
      () => {},
    );
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < Math.max(vectors, 1); c++) {
        f.get(oRow).get(jb).op(Op.i32Add);
        f.get(acc(r, c));
        f.store(simd ? "v128" : dtype, O.offset + r * n * size + c * 16);
      }
    }
  };

  const columns = (rows: number) => {
    const pairs = Math.floor(n / (2 * W));
    forRange(f, jb, 0, pairs * 2 * W * size, 2 * W * size, () => micro(rows, 2));
    let j = pairs * 2 * W;
    if (n - j >= W) {
      f.i32(j * size).set(jb);
      micro(rows, 1);
      j += W;
    }
    for (; j < n; j++) {
      f.i32(j * size).set(jb);
      micro(rows, 0);
    }
  };

  const blocks = Math.floor(m / MR);
  const rowLoop = (from: number, to: number, rows: number) => {
    if (to <= from) return;
    f.i32(from * n * size).set(oRow);
    forRange(f, aRow, from * k * size, to * k * size, rows * k * size, () => {
      columns(rows);
      f.get(oRow)
        .i32(rows * n * size)
        .op(Op.i32Add)
        .set(oRow);
    });
  };
  rowLoop(0, blocks * MR, MR);
  rowLoop(blocks * MR, m, 1);
  return f;
}

export function emitMatvecFunction(step: MatvecStep, plan: MemoryPlan): FunctionCode {
  const A = placement(plan, step.a);
  const X = placement(plan, step.x);
  const O = placement(plan, step.out);
  const dtype = A.dtype;
  const size = BYTES[dtype];
  const W = LANES[dtype];
  const [m, k] = A.shape;
  const f = new FunctionCode([], []);
  const aRow = f.local(ValType.i32);
  const oPtr = f.local(ValType.i32);
  const px = f.local(ValType.i32);
  const xv = f.local(ValType.v128);
  const acc = Array.from({ length: MR }, () => f.local(ValType.v128));
  const sums = Array.from({ length: MR }, () => f.local(VALTYPE[dtype]));
  const add = SCALAR_BINARY[dtype].add;
  const kVec = Math.floor(k / W) * W;

  const rowsAt = (rows: number) => {
    for (let r = 0; r < rows; r++) {
      zero(f, dtype, true);
      f.set(acc[r]);
    }
    forRange(f, px, 0, kVec * size, 16, () => {
      f.get(px).load("v128", X.offset).set(xv);
      for (let r = 0; r < rows; r++) {
        multiplyAdd(
          f,
          dtype,
          true,
          acc[r],
          () =>
            f
              .get(aRow)
              .get(px)
              .op(Op.i32Add)
              .load("v128", A.offset + r * k * size),
          () => f.get(xv),
        );
      }
    });
    for (let r = 0; r < rows; r++) {
      // Horizontal sum of the lanes, then the leftover k entries in order.
      f.get(acc[r]).lane(EXTRACT[dtype], 0);
      for (let lane = 1; lane < W; lane++) f.get(acc[r]).lane(EXTRACT[dtype], lane).op(add);
      f.set(sums[r]);
      for (let p = kVec; p < k; p++) {
        multiplyAdd(
          f,
          dtype,
          false,
          sums[r],
          () => f.get(aRow).load(dtype, A.offset + (r * k + p) * size),
          () => f.i32(0).load(dtype, X.offset + p * size),
        );
      }
      f.get(oPtr)
        .get(sums[r])
        .store(dtype, O.offset + r * size);
    }
  };

  const blocks = Math.floor(m / MR);
  const rowLoop = (from: number, to: number, rows: number) => {
    if (to <= from) return;
    f.i32(from * size).set(oPtr);
    forRange(f, aRow, from * k * size, to * k * size, rows * k * size, () => {
      rowsAt(rows);
      f.get(oPtr)
        .i32(rows * size)
        .op(Op.i32Add)
        .set(oPtr);
    });
  };
  rowLoop(0, blocks * MR, MR);
  rowLoop(blocks * MR, m, 1);
  return f;
}
