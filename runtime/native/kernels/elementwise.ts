// Native kernels of the elementwise ops. The scalar function of each op is its record's `fold`
// (compiler/ops/elementwise.ts): the same semantics the constant folder uses, so folding and
// running never disagree. The output's typed array does the rounding (float32 storage) and the
// conversion (int32 truncates, bool is 0/1). The hot arithmetic has loops of its own; the rest
// goes through the record's function.
import { getOp } from "../../../compiler/ops/index.js";
import type { NativeArray, NativeData } from "../array.js";
import { convertInto } from "../storage.js";
import { accessFor, expanded, input, type KernelContext, type NativeKernel, type OutType, output } from "./common.js";

type Scalar = (...x: number[]) => number;

function foldOf(name: string): Scalar {
  const fold = getOp(name)?.fold;
  if (!fold) throw new Error(`internal error: the op \`${name}\` has no scalar function`);
  return fold;
}

/** out[i] = f(x[i]). */
export function mapUnary(ctx: KernelContext, f: (x: number) => number, x: NativeArray, out: OutType): NativeArray {
  const y = output(ctx, out);
  const a = x.data;
  const o = y.data;
  const n = o.length;
  if (o instanceof Uint8Array) for (let i = 0; i < n; i++) o[i] = f(a[i]) !== 0 ? 1 : 0;
  else for (let i = 0; i < n; i++) o[i] = f(a[i]);
  return y;
}

const FAST: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

/** out[i] = f(a[i], b[i]) with NumPy broadcasting. */
export function mapBinary(ctx: KernelContext, name: string, f: (a: number, b: number) => number, a: NativeArray, b: NativeArray, out: OutType): NativeArray {
  const y = output(ctx, out);
  const o = y.data;
  const [pa, pb] = [accessFor(a, out.shape), accessFor(b, out.shape)];
  if (!(o instanceof Uint8Array) && FAST[name] && fastBinary(name, a.data, b.data, pa.kind, pb.kind, o)) return y;
  const [x, z] = [pa.kind === "same" ? a.data : expanded(a, out.shape), pb.kind === "same" ? b.data : expanded(b, out.shape)];
  const n = o.length;
  if (o instanceof Uint8Array) for (let i = 0; i < n; i++) o[i] = f(x[i], z[i]) !== 0 ? 1 : 0;
  else for (let i = 0; i < n; i++) o[i] = f(x[i], z[i]);
  return y;
}

/** The four arithmetic ops on equal shapes or with a single-entry operand; false when neither. */
function fastBinary(name: string, a: NativeData, b: NativeData, ka: string, kb: string, o: NativeData): boolean {
  const n = o.length;
  if (ka === "same" && kb === "same") {
    if (name === "add") for (let i = 0; i < n; i++) o[i] = a[i] + b[i];
    else if (name === "sub") for (let i = 0; i < n; i++) o[i] = a[i] - b[i];
    else if (name === "mul") for (let i = 0; i < n; i++) o[i] = a[i] * b[i];
    else for (let i = 0; i < n; i++) o[i] = a[i] / b[i];
    return true;
  }
  if (ka === "same" && kb === "one") {
    const s = b[0];
    if (name === "add") for (let i = 0; i < n; i++) o[i] = a[i] + s;
    else if (name === "sub") for (let i = 0; i < n; i++) o[i] = a[i] - s;
    else if (name === "mul") for (let i = 0; i < n; i++) o[i] = a[i] * s;
    else for (let i = 0; i < n; i++) o[i] = a[i] / s;
    return true;
  }
  if (ka === "one" && kb === "same") {
    const s = a[0];
    if (name === "add") for (let i = 0; i < n; i++) o[i] = s + b[i];
    else if (name === "sub") for (let i = 0; i < n; i++) o[i] = s - b[i];
    else if (name === "mul") for (let i = 0; i < n; i++) o[i] = s * b[i];
    else for (let i = 0; i < n; i++) o[i] = s / b[i];
    return true;
  }
  return false;
}

const UNARY = ["neg", "abs", "sqrt", "exp", "log", "sin", "cos", "tanh", "sigmoid", "relu", "sign", "floor", "ceil", "round", "square", "reciprocal", "logical_not", "tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "log1p", "expm1", "log2", "log10", "exp2", "cbrt", "rsqrt", "softplus", "trunc"];
const BINARY = ["add", "sub", "mul", "div", "pow", "mod", "maximum", "minimum", "lt", "le", "gt", "ge", "eq", "ne", "logical_and", "logical_or", "arctan2", "hypot"];

function unaryKernel(name: string): NativeKernel {
  const f = foldOf(name);
  return (ctx, inputs, _s, out) => mapUnary(ctx, f, input(inputs, 0), out);
}

function binaryKernel(name: string): NativeKernel {
  const f = foldOf(name);
  return (ctx, inputs, _s, out) => mapBinary(ctx, name, f, input(inputs, 0), input(inputs, 1), out);
}

/** cond ? a : b with all three broadcast; a NaN condition counts as true, as in a cast to bool. */
const where: NativeKernel = (ctx, inputs, _s, out) => {
  const y = output(ctx, out);
  const [c, a, b] = [0, 1, 2].map((i) => expanded(input(inputs, i), out.shape));
  const o = y.data;
  for (let i = 0; i < o.length; i++) o[i] = c[i] !== 0 ? a[i] : b[i];
  if (o instanceof Uint8Array) for (let i = 0; i < o.length; i++) o[i] = o[i] !== 0 ? 1 : 0;
  return y;
};

const cast: NativeKernel = (ctx, inputs, _s, out) => {
  const y = output(ctx, out);
  convertInto(input(inputs, 0).data, y.data);
  return y;
};

export const ELEMENTWISE_KERNELS: Record<string, NativeKernel> = {
  ...Object.fromEntries(UNARY.map((name) => [name, unaryKernel(name)])),
  ...Object.fromEntries(BINARY.map((name) => [name, binaryKernel(name)])),
  where,
  cast,
};
