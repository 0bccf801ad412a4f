// The kernel IR: what the native backend compiles. It is the target of the IR-to-native
// lowering, deliberately independent of the main IR's op records: a region body, once its
// shapes are concrete, becomes a KernelSet (buffers, scalar registers, kernels), and each
// kernel is a straight list of steps the driver runs with one call.
//
// Semantics, in one place:
// - A buffer is a dense row-major array of f32 or f64 with a concrete shape, living at a fixed
//   address in one linear memory for the program's life.
// - A scalar register is one f64 slot in memory. Reductions write registers, scalar steps
//   compute with them, loops broadcast them (converted once to the loop's dtype), and the
//   driver reads them straight from memory.
// - A loop runs its body once per element of its shape (the lanes). A read without offset
//   is the element at the lane's own index; a read with offset [di, dj] is the neighbour
//   di rows and dj columns away on the last two axes (a rank-1 shape is one row), and is
//   zero outside the grid (a Dirichlet-zero stencil).
// - Statements of a body run in order per lane: `let` names a per-lane value, `store`
//   writes the lane's element (a read at offset [0, 0] after a store in the same stage sees
//   the stored value), `reduce` folds a per-lane value into a register (written once the
//   loop ends; sums, dots and squared norms accumulate in f64 whatever the data's dtype).
// - Stages skew a loop by rows: at row step t, stage s processes row t - rowLag(s) (stages
//   in order). A later stage may read, at row offsets up to its lag difference, what earlier
//   stages stored: it sees their new values. This fuses a producer with a stencil that reads
//   it into one pass (CG's p = r + βp followed by q = A p), see README.md.
// - matmul and matvec are dense products of row-major buffers, accumulating in their dtype
//   (like BLAS); the output may not alias an input.
// - restrict and prolong are multigrid's grid transfers between an n×n grid (n = 2m + 1) and
//   the m×m grid it nests (full weighting and bilinear interpolation, zero outside the grid);
//   the output may not alias the input.
// - repeat runs its steps `count` times in order (a counted loop of the region, such as a
//   smoother's sweeps); the steps see what the previous trip stored.

export type DType = "f32" | "f64";

export interface BufferDecl {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface ScalarDecl {
  readonly name: string;
  /** The register's value when the program is instantiated (default 0). */
  readonly init?: number;
}

/** Unary maths. The last group has no Wasm instruction: see codegen/math.ts for how they run. */
export type UnaryOp =
  | "neg"
  | "abs"
  | "sqrt"
  | "square"
  | "reciprocal"
  | "floor"
  | "ceil"
  | "trunc"
  | "round" // to nearest, ties to even (NumPy's rint; Wasm's nearest)
  | "relu"
  | "sign"
  | "exp"
  | "log"
  | "tanh"
  | "sigmoid"
  | "sin"
  | "cos";

/** Binary arithmetic; min and max propagate NaN (like NumPy's minimum/maximum). */
export type BinaryOp = "add" | "sub" | "mul" | "div" | "min" | "max";

export type CompareOp = "lt" | "le" | "gt" | "ge" | "eq" | "ne";

export type Expr =
  | { readonly kind: "read"; readonly buffer: string; readonly offset?: readonly [number, number] }
  | { readonly kind: "scalar"; readonly reg: string }
  | { readonly kind: "const"; readonly value: number }
  | { readonly kind: "temp"; readonly name: string }
  /** 1 where the lane's indices on the last two axes (a rank-1 loop: its one index) sum to an even number, else 0: the red–black colouring. */
  | { readonly kind: "parity" }
  | { readonly kind: "unary"; readonly op: UnaryOp; readonly x: Expr }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
  | { readonly kind: "select"; readonly cond: Compare; readonly then: Expr; readonly else: Expr };

/** A comparison, only as the condition of a select (where(cond, a, b)). */
export interface Compare {
  readonly op: CompareOp;
  readonly a: Expr;
  readonly b: Expr;
}

/** sum: Σx; sumsq: Σx² (norm²); max/min: the extreme value (NaN if any lane is NaN). */
export type FoldOp = "sum" | "sumsq" | "max" | "min";

export type LaneStmt =
  | { readonly kind: "let"; readonly name: string; readonly expr: Expr }
  | { readonly kind: "store"; readonly buffer: string; readonly expr: Expr }
  | { readonly kind: "reduce"; readonly op: FoldOp; readonly reg: string; readonly x: Expr }
  | { readonly kind: "reduce"; readonly op: "dot"; readonly reg: string; readonly a: Expr; readonly b: Expr };

export interface Stage {
  /** How many rows this stage runs behind the row step (0 for the first stage). */
  readonly rowLag: number;
  readonly body: readonly LaneStmt[];
}

export interface LoopStep {
  readonly kind: "loop";
  readonly dtype: DType;
  /** The lane domain; every buffer the body reads or stores has exactly this shape. */
  readonly shape: readonly number[];
  readonly stages: readonly Stage[];
}

/** out[m, n] = a[m, k] @ b[k, n]. */
export interface MatmulStep {
  readonly kind: "matmul";
  readonly a: string;
  readonly b: string;
  readonly out: string;
}

/** out[m] = a[m, k] @ x[k]. */
export interface MatvecStep {
  readonly kind: "matvec";
  readonly a: string;
  readonly x: string;
  readonly out: string;
}

/**
 * Multigrid transfers on the last two axes (rank 2): `restrict` maps input [2m+1, 2l+1] to
 * out [m, l] by full weighting, out[i, j] = Σ w[a]w[b] in[2i + a, 2j + b] / 16 with
 * w = [1, 2, 1]; `prolong` maps input [m, l] to out [2m+1, 2l+1] by bilinear interpolation
 * (4 × the transpose of restrict): coarse values at the odd fine points, averages of 2 or 4
 * coarse neighbours between them, zero beyond the boundary.
 */
export interface TransferStep {
  readonly kind: "restrict" | "prolong";
  readonly input: string;
  readonly out: string;
}

/** Runs `steps` `count` (≥ 1) times in order. */
export interface RepeatStep {
  readonly kind: "repeat";
  readonly count: number;
  readonly steps: readonly Step[];
}

/** Register assignments in order, computed in f64; expressions use scalars and constants only. */
export interface ScalarStep {
  readonly kind: "scalar";
  readonly assigns: readonly { readonly reg: string; readonly expr: Expr }[];
}

export type Step = LoopStep | MatmulStep | MatvecStep | ScalarStep | TransferStep | RepeatStep;

export interface Kernel {
  /** The exported function's name; the driver calls it with no arguments. */
  readonly name: string;
  readonly steps: readonly Step[];
}

export interface KernelSet {
  readonly buffers: readonly BufferDecl[];
  readonly scalars: readonly ScalarDecl[];
  readonly kernels: readonly Kernel[];
}

export const BYTES: Record<DType, 4 | 8> = { f32: 4, f64: 8 };

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
