// Stencils and convolutions on grids.
//
// stencil5, stencil and laplacian act on the last two axes (n×m; leading axes are a batch).
// Boundary modes say what lies outside the grid: "zero" (Dirichlet zero), "periodic" (wraps),
// "reflect" (mirror about the edge point, edge not repeated: u[-1] = u[1], the centred
// Neumann condition). `stencil` is a correlation like scipy.ndimage.correlate:
// out[i, j] = Σ weights[a, b] · u[i + a - r, j + b - s] for a kh×kw (odd) weights tensor.
//
// conv layout (tfjs's): 1D x [batch, width, in] with k [kw, in, out]; 2D (NHWC) x [batch,
// height, width, in] with k [kh, kw, in, out]; the batch axis may be left out. It is a
// correlation too. padding "same" keeps ceil(size/stride) outputs (the boundary mode fills
// the pad); "valid" uses only inside points.
import { floatOf } from "../../base/dtype.js";
import { type Dim, dimAdd, dimConst, dimDivConst, dimEq, dimSub, dimValue } from "../shapes.js";
import type { TensorT } from "../types.js";
import { arg, op, show, staticInt, tensor } from "./common.js";
import { PAD_MODES, type PadMode, padFits } from "./layout.js";
import type { Value } from "../ir/ir.js";
import type { ParamSpec } from "./registry.js";
import { linearRules, NoRule } from "./rules.js";

const BOUNDARY: ParamSpec = {
  name: "boundary",
  kind: "string",
  default: "zero",
  choices: PAD_MODES,
  doc: '"zero" (Dirichlet), "periodic" (wrap) or "reflect" (mirror, Neumann)',
};

function gridShape(op: string, u: TensorT, mode: PadMode, r: number): TensorT | string {
  if (u.shape.length < 2) return `\`${op}\` needs a 2D grid (n×m, optionally batched), got ${show(u)}`;
  if (u.dtype === "bool") return `\`${op}\` needs numbers, got ${show(u)}`;
  for (const n of u.shape.slice(-2)) {
    const bad = padFits(mode, n, dimConst(r), dimConst(r));
    if (bad) return `\`${op}\` with boundary "${mode}" on ${show(u)}: ${bad}`;
  }
  return tensor(floatOf(u.dtype), u.shape);
}

op({
  name: "stencil5",
  kind: "stencil",
  offsets: [[-1, 0], [1, 0], [0, -1], [0, 1], [0, 0]],
  linear: "joint",
  doc: "5-point stencil on the last two axes: center·u[i,j] + side·(sum of the 4 neighbours).",
  params: [
    { name: "u", kind: "tensor" },
    { name: "center", kind: "float" },
    { name: "side", kind: "float" },
    BOUNDARY,
  ],
  shape: (q) => gridShape("stencil5", arg(q, 0), (q.statics.boundary ?? "zero") as PadMode, 1),
  // Symmetric with a zero or periodic boundary: its own adjoint. A reflecting boundary breaks
  // the symmetry at the edges.
  ...linearRules((b, a, c) => {
    if (a.statics.boundary === "reflect") throw new NoRule('the adjoint of a 5-point stencil with boundary "reflect" is not symmetric and not written yet');
    return [b.op(a.op, [c], { ...a.statics })];
  }),
});

op({
  name: "laplacian",
  kind: "stencil",
  offsets: [[-1, 0], [1, 0], [0, -1], [0, 1], [0, 0]],
  linear: "joint",
  doc: "Discrete Laplacian (u[i±1,j] + u[i,j±1] - 4u[i,j]) / h² on the last two axes.",
  params: [{ name: "u", kind: "tensor" }, { name: "h", kind: "float", default: 1 }, BOUNDARY],
  shape: (q) => gridShape("laplacian", arg(q, 0), (q.statics.boundary ?? "zero") as PadMode, 1),
  // Symmetric with a zero or periodic boundary: its own adjoint. A reflecting boundary breaks
  // the symmetry at the edges.
  ...linearRules((b, a, c) => {
    if (a.statics.boundary === "reflect") throw new NoRule('the adjoint of a 5-point stencil with boundary "reflect" is not symmetric and not written yet');
    return [b.op(a.op, [c], { ...a.statics })];
  }),
});

op({
  name: "stencil",
  kind: "stencil",
  linear: { in: [0, 1] },
  doc: "Correlates the grid (last two axes) with a small odd-sized weights matrix, e.g. 3×3.",
  params: [{ name: "u", kind: "tensor" }, { name: "weights", kind: "tensor" }, BOUNDARY],
  shape(q) {
    const [u, w] = [arg(q, 0), arg(q, 1)];
    const sizes = w.shape.map(dimValue);
    if (sizes.length !== 2 || sizes.some((k) => k === undefined || k % 2 !== 1)) {
      return `\`stencil\` needs a weights matrix with odd constant sizes (3×3, 5×5), got ${show(w)}`;
    }
    return gridShape("stencil", u, (q.statics.boundary ?? "zero") as PadMode, Math.max(...(sizes as number[])) >> 1);
  },
  // Correlation with w: its adjoint in u correlates with w flipped (zero or periodic boundary).
  vjp: (b, a, c) => {
    const [, w] = a.inputs;
    if (a.active[1]) throw new NoRule("the derivative of `stencil` with respect to its weights is not written yet");
    if (a.statics.boundary === "reflect") throw new NoRule('the adjoint of `stencil` with boundary "reflect" is not written yet');
    return [b.op("stencil", [c, b.op("index", [w], { spec: "::#, ::#", bounds: [-1, -1] })], { ...a.statics }), undefined];
  },
  jvp: (b, a, [tu, tw]) => {
    const terms = [tu && b.op("stencil", [tu, a.inputs[1]], { ...a.statics }), tw && b.op("stencil", [a.inputs[0], tw], { ...a.statics })].filter((t): t is Value => t !== undefined);
    return terms.length === 2 ? b.op("add", terms) : terms[0];
  },
});

// ---------------------------------------------------------------------------------------
// conv

/** Output length along one axis: "same" → ceil(n/s), "valid" → floor((n-k)/s) + 1. */
function convLength(n: Dim, k: number, stride: number, same: boolean): Dim {
  const len = same ? n : dimSub(n, dimConst(k - 1));
  if (stride === 1) return len;
  const v = dimValue(len);
  if (v !== undefined) return dimConst(Math.ceil(v / stride));
  return dimDivConst(dimAdd(len, dimConst(stride - 1)), stride);
}

function convShape(x: TensorT, k: TensorT, stride: number, same: boolean): TensorT | string {
  const kr = k.shape.length;
  if (kr !== 3 && kr !== 4) return `\`conv\` needs a kernel [kw, in, out] (1D) or [kh, kw, in, out] (2D), got ${show(k)}`;
  const sp = kr - 2;
  const batched = x.shape.length === kr;
  if (!batched && x.shape.length !== kr - 1) {
    return `\`conv\` with the ${sp}D kernel ${show(k)} needs x as [batch, ${sp === 1 ? "width" : "height, width"}, in], got ${show(x)}`;
  }
  const ksz = k.shape.slice(0, sp).map(dimValue);
  if (ksz.some((v) => v === undefined)) return `\`conv\` needs a kernel with constant sizes, got ${show(k)}`;
  const cin = x.shape[x.shape.length - 1];
  const kin = k.shape[sp];
  if (!dimEq(cin, kin)) return `\`conv\` needs x's channels to match the kernel's inputs: ${show(x)} and ${show(k)}`;
  const space = x.shape.slice(batched ? 1 : 0, -1).map((n, i) => convLength(n, ksz[i]!, stride, same));
  return tensor(floatOf(x.dtype, k.dtype), [...(batched ? [x.shape[0]] : []), ...space, k.shape[kr - 1]]);
}

op({
  name: "conv",
  kind: "stencil",
  linear: { in: [0, 1] },
  doc: "1D (NWC) or 2D (NHWC) convolution (correlation) with kernel [..., in, out], tfjs layout.",
  params: [
    { name: "x", kind: "tensor" },
    { name: "k", kind: "tensor" },
    { name: "stride", kind: "int", default: 1 },
    { name: "padding", kind: "string", default: "same", choices: ["same", "valid"] },
    BOUNDARY,
  ],
  shape(q) {
    const stride = staticInt(q.statics.stride ?? 1);
    if (stride === undefined || stride < 1) return "`conv` needs a positive constant stride";
    return convShape(arg(q, 0), arg(q, 1), stride, q.statics.padding !== "valid");
  },
  vjp: () => {
    throw new NoRule("reverse mode through `conv` is not written yet");
  },
  jvp: (b, a, [tx, tk]) => {
    const terms = [tx && b.op("conv", [tx, a.inputs[1]], { ...a.statics }), tk && b.op("conv", [a.inputs[0], tk], { ...a.statics })].filter((t): t is Value => t !== undefined);
    return terms.length === 2 ? b.op("add", terms) : terms[0];
  },
});
