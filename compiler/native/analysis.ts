// Facts about kernel-IR bodies that the verifier and the code generator both need: which
// expressions a statement holds, what a loop reads and at which offsets, and how far its
// stencil reaches.
import type { Expr, LaneStmt, LoopStep, Stage, UnaryOp } from "./kernel-ir.js";

/** Every expression node under `e`, parents before children. */
export function* walkExpr(e: Expr): Generator<Expr> {
  yield e;
  switch (e.kind) {
    case "unary":
      yield* walkExpr(e.x);
      return;
    case "binary":
      yield* walkExpr(e.a);
      yield* walkExpr(e.b);
      return;
    case "select":
      yield* walkExpr(e.cond.a);
      yield* walkExpr(e.cond.b);
      yield* walkExpr(e.then);
      yield* walkExpr(e.else);
      return;
    case "read":
    case "scalar":
    case "const":
    case "parity":
    case "temp":
      return;
  }
}

/** The top-level expressions of a statement. */
export function stmtExprs(s: LaneStmt): Expr[] {
  switch (s.kind) {
    case "let":
    case "store":
      return [s.expr];
    case "reduce":
      return s.op === "dot" ? [s.a, s.b] : [s.x];
  }
}

/** Every expression node of a stage's body. */
export function* stageNodes(stage: Stage): Generator<Expr> {
  for (const s of stage.body) for (const e of stmtExprs(s)) yield* walkExpr(e);
}

/** How far a stage's reads reach beyond the lane: rows above/below, columns left/right. */
export interface Reach {
  up: number;
  down: number;
  left: number;
  right: number;
}

export function stageReach(stage: Stage): Reach {
  const r: Reach = { up: 0, down: 0, left: 0, right: 0 };
  for (const e of stageNodes(stage)) {
    if (e.kind !== "read" || !e.offset) continue;
    const [di, dj] = e.offset;
    r.up = Math.max(r.up, -di);
    r.down = Math.max(r.down, di);
    r.left = Math.max(r.left, -dj);
    r.right = Math.max(r.right, dj);
  }
  return r;
}

/** Whether a loop computes the red–black colouring (it then runs row by row: the colour needs the row). */
export const hasParity = (loop: LoopStep): boolean => [...loopNodes(loop)].some((e) => e.kind === "parity");

export const hasOffsets = (loop: LoopStep): boolean =>
  loop.stages.some((s) => {
    const r = stageReach(s);
    return r.up + r.down + r.left + r.right > 0;
  });

/** The grid a loop's shape is seen as: leading axes are a batch, the last two rows × columns. */
export function gridOf(shape: readonly number[]): { batch: number; rows: number; cols: number } {
  if (shape.length === 0) return { batch: 1, rows: 1, cols: 1 };
  if (shape.length === 1) return { batch: 1, rows: 1, cols: shape[0] };
  const rows = shape[shape.length - 2];
  const cols = shape[shape.length - 1];
  const batch = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { batch, rows, cols };
}

/** Unary ops with no Wasm instruction computed in the module, in f64 lane by lane (codegen/inline-math.ts). */
export const INLINE_MATH: ReadonlySet<UnaryOp> = new Set<UnaryOp>(["exp", "tanh"]);

/** Unary ops with no Wasm instruction computed by calling the host's Math functions. */
export const HOST_MATH: ReadonlySet<UnaryOp> = new Set<UnaryOp>(["log", "sin", "cos"]);

/** The host Math functions a set of expressions calls (exp, tanh and sigmoid run in the module). */
export function hostFunctionsOf(nodes: Iterable<Expr>): Set<UnaryOp> {
  const used = new Set<UnaryOp>();
  for (const e of nodes) if (e.kind === "unary" && HOST_MATH.has(e.op)) used.add(e.op);
  return used;
}

/** Every expression node of a loop, all stages. */
export function* loopNodes(loop: LoopStep): Generator<Expr> {
  for (const st of loop.stages) yield* stageNodes(st);
}
