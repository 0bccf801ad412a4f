// Native kernels of the creation and random ops. Values come from the op records' own
// generators (compiler/ops/create.ts, random.ts), computed in float64 and stored in the
// output's dtype: rounded for float32 storage, exact for float64.
import { gridPoints, linspaceValues } from "../../../compiler/ops/create.js";
import { GENERATORS } from "../../../compiler/ops/random.js";
import { type NativeKernel, num, output } from "./common.js";

const filled =
  (value: (s: Record<string, unknown>) => number): NativeKernel =>
  (ctx, _i, s, out) => {
    const y = output(ctx, out);
    y.data.fill(value(s));
    return y;
  };

export const CREATE_KERNELS: Record<string, NativeKernel> = {
  zeros: filled(() => 0),
  ones: filled(() => 1),
  fill: (ctx, _i, s, out) => filled(() => num(s.value, 0))(ctx, [], s, out),
  arange: (ctx, _i, _s, out) => {
    const y = output(ctx, out);
    for (let i = 0; i < y.data.length; i++) y.data[i] = i;
    return y;
  },
  linspace: (ctx, _i, s, out) => {
    const y = output(ctx, out);
    y.data.set(linspaceValues(num(s.start, 0), num(s.stop, 1), out.shape[0]));
    return y;
  },
  grid: (ctx, _i, s, out) => {
    const n = out.shape[0];
    const line = gridPoints(n, num(s.lo, 0), num(s.hi, 1), s.interior !== false);
    const y = output(ctx, out);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y.data[i * n + j] = s.axis === 1 ? line[j] : line[i];
    return y;
  },
};

export const RANDOM_KERNELS: Record<string, NativeKernel> = Object.fromEntries(
  [...GENERATORS].map(([name, gen]): [string, NativeKernel] => [
    name,
    (ctx, _i, s, out) => {
      const y = output(ctx, out);
      y.data.set(gen(out.shape, num(s.seed, 0), s));
      return y;
    },
  ]),
);
