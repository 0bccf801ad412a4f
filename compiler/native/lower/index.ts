// The IR-to-native lowering: a specialised region body (a method's step, a fixpoint's map, a
// V-cycle) with concrete shapes → a kernel set and the plan of a call. The passes, in order:
//
//   graph      values with shapes and origins; one-trip loops inlined, longer ones repeats;
//              what cannot be fused is refused here, naming the op
//   rules      each op's emit rule (rules.ts), or a refusal naming the op
//   prepare    result copies where a result is not stored by an op; reductions moved next
//              to their input; invariant ops to `init`
//   schedule   fusion into loops, staged loops, scalar steps, products, transfers, repeats
//   liveness   where each value is computed and read
//   storage    registers, buffers, in-place pairs, variants, the call's slots
//   emit       kernel-IR steps per variant (and the init kernel)
import type { Region } from "../../ir/ir.js";
import { stmtExprs, walkExpr } from "../analysis.js";
import type { BufferDecl, Expr, KernelSet, Step } from "../kernel-ir.js";
import { LowerContext } from "./context.js";
import { Emitter } from "./emit.js";
import { buildGraph, type Graph } from "./graph.js";
import { Liveness } from "./liveness.js";
import { findRemat, hoistReductions, prepareResults, removeDead, splitInvariant } from "./prepare.js";
import { type Node, schedule } from "./schedule.js";
import { StoragePlan, type Variant } from "./storage.js";
import { type Item, type LowerOptions, type LoweredRegion, Refusal } from "./types.js";

export { Refusal } from "./types.js";
export type { LowerOptions, LoweredRegion, ParamSlot, ResultSlot, CaptureSlot } from "./types.js";

/** Lowers a region, or throws a Refusal saying why it cannot be fused. */
export function lowerRegion(region: Region, options: LowerOptions): LoweredRegion {
  const graph = buildGraph(region, options);
  const ctx = new LowerContext(graph, options);
  forEachOp(graph.items, (item) => ctx.rule(item));
  checkBoundaryTypes(graph, ctx);
  const copies = prepareResults(graph, ctx);
  const items = hoistReductions(removeDead(graph.items, graph.results), ctx);
  const split = splitInvariant(items, ctx, copies);
  const init = findRemat(split.init, ctx);
  const main = split.main;
  const initNodes = schedule(init, ctx);
  const mainNodes = schedule(main, ctx);
  const plan = new StoragePlan(ctx, new Liveness(ctx, initNodes, mainNodes), mainNodes);
  return { ...assemble(ctx, plan, initNodes, mainNodes), tallies: graph.tallies };
}

function forEachOp(items: readonly Item[], f: (item: Extract<Item, { kind: "op" }>) => void): void {
  for (const item of items) {
    if (item.kind === "repeat") forEachOp(item.body, f);
    else f(item);
  }
}

/** Tensors cross the call boundary as floats: an i32 tensor argument or a bool/i32 tensor result is refused. */
function checkBoundaryTypes(graph: Graph, ctx: LowerContext): void {
  for (const id of [...graph.params, ...graph.captures]) {
    const v = ctx.value(id);
    if (v.shape.length > 0 && v.elem === "i32") throw new Refusal("an i32 tensor argument cannot be passed to a fused region (only i32 scalars)");
  }
  for (const id of graph.results) {
    const v = ctx.value(id);
    if (v.shape.length > 0 && v.elem !== "float") throw new Refusal(`a ${v.elem} tensor result cannot come out of a fused region (only float tensors)`);
  }
}

function assemble(ctx: LowerContext, plan: StoragePlan, initNodes: readonly Node[], mainNodes: readonly Node[]): Omit<LoweredRegion, "tallies"> {
  const kernels: { name: string; steps: Step[] }[] = [];
  const buffers = new Map<string, readonly number[]>();
  let initBuffers: string[] = [];
  const emit = (name: string, nodes: readonly Node[], v: Variant) => {
    const e = new Emitter(ctx, plan, v, name !== "init");
    kernels.push({ name, steps: e.steps(nodes) });
    for (const [b, shape] of e.buffers) buffers.set(b, shape);
    if (name === "init") initBuffers = [...e.buffers.keys()];
  };
  const hasInit = initNodes.length > 0;
  if (hasInit) emit("init", initNodes, 0);
  emit("step0", mainNodes, 0);
  if (plan.variants === 2) emit("step1", mainNodes, 1);
  for (const slot of [...plan.params, ...plan.results]) if (slot.kind === "buffer") for (const b of slot.buffers) buffers.set(b, slot.shape);
  for (const slot of plan.captures) if (slot.kind === "buffer") buffers.set(slot.buffer, slot.shape);
  const dtype = ctx.options.precision;
  const bufferDecls: BufferDecl[] = [...buffers].map(([name, shape]) => ({ name, dtype, shape }));
  const registers = collectRegisters(kernels, plan);
  const set: KernelSet = { buffers: bufferDecls, scalars: [...registers].map((name) => ({ name })), kernels };
  const data = [...ctx.graph.values.values()].flatMap((v) =>
    v.def.kind === "data" && buffers.has(`d${v.id}`) ? [{ buffer: `d${v.id}`, values: v.def.values }] : [],
  );
  const live = plan.live;
  const invariants = [...live.homes.keys()]
    .filter((id) => live.home(id).pos < live.mainStart && ctx.rank(id) > 0 && plan.materialized(id) && live.lastUse(id) >= live.mainStart)
    .map((id) => ({ id, buffer: plan.buffer(id, 0) }));
  const initKernels = kernels.filter((k) => k.name === "init");
  const initSet: KernelSet | null = hasInit
    ? {
        buffers: bufferDecls.filter((b) => initBuffers.includes(b.name)),
        scalars: [...collectRegisters(initKernels, { params: [], results: [], captures: [] })].map((name) => ({ name })),
        kernels: initKernels,
      }
    : null;
  return {
    set,
    data,
    init: hasInit ? "init" : null,
    invariants,
    initSet,
    variants: plan.variants === 2 ? ["step0", "step1"] : ["step0", "step0"],
    params: plan.params,
    captures: plan.captures,
    results: plan.results,
    summary: summarize(mainNodes, plan, dtype),
  };
}

function collectRegisters(kernels: readonly { steps: readonly Step[] }[], plan: Pick<StoragePlan, "params" | "results" | "captures">): Set<string> {
  const names = new Set<string>();
  const expr = (e: Expr) => {
    for (const x of walkExpr(e)) if (x.kind === "scalar") names.add(x.reg);
  };
  const steps = (list: readonly Step[]): void => {
    for (const s of list) {
      if (s.kind === "loop")
        for (const st of s.stages)
          for (const stmt of st.body) {
            if (stmt.kind === "reduce") names.add(stmt.reg);
            stmtExprs(stmt).forEach(expr);
          }
      if (s.kind === "scalar")
        for (const a of s.assigns) {
          names.add(a.reg);
          expr(a.expr);
        }
      if (s.kind === "repeat") steps(s.steps);
    }
  };
  for (const k of kernels) steps(k.steps);
  for (const slot of [...plan.params, ...plan.results, ...plan.captures]) if (slot.kind === "register") names.add(slot.register);
  return names;
}

/** "3 loops (1 staged, 2 passes fused by stages), 1 product, f64, 2 variants". */
function summarize(nodes: readonly Node[], plan: StoragePlan, dtype: string): string {
  const count = { loops: 0, staged: 0, products: 0, transfers: 0, repeats: 0 };
  const walk = (list: readonly Node[]): void => {
    for (const n of list) {
      if (n.kind === "loop") {
        count.loops++;
        if (n.stages.length > 1) count.staged++;
      }
      if (n.kind === "step") {
        if (n.rule.kind === "matmul" || n.rule.kind === "matvec") count.products++;
        else count.transfers++;
      }
      if (n.kind === "repeat") {
        count.repeats++;
        walk(n.body);
      }
    }
  };
  walk(nodes);
  const parts = [`${count.loops} loop${count.loops === 1 ? "" : "s"}${count.staged ? ` (${count.staged} staged)` : ""}`];
  if (count.products) parts.push(`${count.products} product${count.products === 1 ? "" : "s"}`);
  if (count.transfers) parts.push(`${count.transfers} grid transfer${count.transfers === 1 ? "" : "s"}`);
  if (count.repeats) parts.push(`${count.repeats} repeat${count.repeats === 1 ? "" : "s"}`);
  const inPlace = plan.inPlaceCount ? `, ${plan.inPlaceCount} updated in place` : "";
  return `${parts.join(", ")}, ${dtype}${plan.variants === 2 ? ", 2 variants" : ""}${inPlace}`;
}
