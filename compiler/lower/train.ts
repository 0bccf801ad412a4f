// `train` to IR: the loss region and the gradient region (a `grad` with respect to every
// trained param at once, expanded by the autodiff pass) over (params…, batch fields…), and the
// optimiser's start and step regions for all params side by side. After the op, the params'
// symbols name the trained values, so what follows (exports, other constructs) sees them. The
// values of `tensors(...)` data sets follow the params as operands (compiler/training.ts).
import type { Region, Value } from "../ir/ir.js";
import type { Protocol, Sym, TTrain } from "../typed/program.js";
import { concreteType, lowerExpr, single } from "./expr.js";
import { hintOf, type Lowering } from "./lowering.js";

const results = (v: Value | Value[]) => (Array.isArray(v) ? v : [v]);
const paramOf = (s: Sym) => ({ type: concreteType(s.type), hint: hintOf(s) });

export function lowerTrain(L: Lowering, t: TTrain): void {
  const initial = t.params.map((p) => L.valueOf(p));
  const inputs = [...t.params, ...t.fields].map(paramOf);
  const bindAll = (syms: readonly Sym[], values: readonly Value[]) => {
    syms.forEach((s, i) => L.bind(s, values[i]));
    // Functions made for instances captured the params' earlier values.
    L.forgetInstances();
  };
  const lossOf = () => single(lowerExpr(L, t.loss), "a loss");
  const loss = L.fn.region(inputs, (values) => (bindAll([...t.params, ...t.fields], values), [lossOf()]));
  const gradient = L.fn.region(inputs, (values) => {
    bindAll([...t.params, ...t.fields], values);
    const f = lossOf();
    const points = values.slice(0, t.params.length);
    const fn = L.fn.region(t.params.map(paramOf), (ps) => (bindAll(t.params, ps), [lossOf()]));
    const grads = L.fn.emit(points, points.map((p) => p.type), (ins, outputs) => ({ kind: "diff", mode: "grad", inputs: ins, outputs, regions: { fn }, span: t.span }));
    return [f, ...grads];
  });
  const { start, step, stateCounts } = optimiserRegions(L, t.protocols);
  const operands = t.operands.map((s) => L.valueOf(s));
  const outs = L.fn.emit(
    [...initial, ...operands],
    initial.map((v) => v.type),
    (ins, outputs) => ({
      kind: "train",
      inputs: ins,
      outputs,
      regions: { loss, gradient, start, step },
      optimizer: t.optimizer,
      stateCounts,
      data: t.data,
      ...(t.validation ? { validation: t.validation } : {}),
      settings: t.settings,
      label: t.label,
      span: t.span,
    }),
    t.params.map((p) => p.name),
  );
  bindAll(t.params, outs);
}

/** start: (views…) → every param's state in a row; step: (∇ views…, k, lr, states…) → states. */
function optimiserRegions(L: Lowering, protocols: readonly Protocol[]): { start: Region; step: Region; stateCounts: number[] } {
  const stateCounts: number[] = [];
  const start = L.fn.region(
    protocols.map((p) => paramOf(p.start.param)),
    (views) =>
      protocols.flatMap((p, i) => {
        L.bind(p.start.param, views[i]);
        const state = results(lowerExpr(L, p.start.call));
        stateCounts.push(state.length);
        return state;
      }),
  );
  // Each protocol's step params are (g, k, lr, state…): k and lr are shared by all params.
  const [first] = protocols;
  const stateParams = protocols.flatMap((p) => p.step.params.slice(3));
  const step = L.fn.region([...protocols.map((p) => paramOf(p.step.params[0])), paramOf(first.step.params[1]), paramOf(first.step.params[2]), ...stateParams.map(paramOf)], (values) => {
    const n = protocols.length;
    const [k, lr] = [values[n], values[n + 1]];
    let at = n + 2;
    return protocols.flatMap((p, i) => {
      const [g, kSym, lrSym, ...state] = p.step.params;
      [g, kSym, lrSym].forEach((s, j) => L.bind(s, [values[i], k, lr][j]));
      state.forEach((s) => L.bind(s, values[at++]));
      return results(lowerExpr(L, p.step.call));
    });
  });
  return { start, step, stateCounts };
}
