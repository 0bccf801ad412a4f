// The derivatives of the iterative constructs.
//
// A solve A_θ(u) = b and a fixpoint z = T_θ(z) are differentiated by the implicit function
// theorem, never through their iterations: the derivative is another construct — an adjoint
// solve with the transposed operator (derived by reverse mode from the operator's own ops), an
// adjoint fixpoint w = Jᵀw + z̄ — run by the same drivers, with a report of its own, so memory
// does not grow with the forward iterations and a backward solve that does not converge is seen
// (runtime/constructs.ts applies the policy). A fixpoint asked `grad unrolled`, and every
// `loop`, are differentiated through their iterations by an `unroll` construct that replays
// them from checkpoints. Forward mode is the same theorem the other way: a tangent solve or
// fixpoint, and a loop carrying its tangents.
import { InternalError } from "../../base/diagnostics.js";
import { type AdjointOf, type MethodChoice, RAISE, type StopRule } from "../constructs.js";
import { freeInRegion } from "../ir/free.js";
import { type ConstructOp, type FixpointOp, type LoopOp, ownOutputs, type Region, type SolveOp, type Value } from "../ir/ir.js";
import { cloneRegion } from "../ir/substitute.js";
import { findMethod } from "../methods.js";
import type { Emitter } from "./emitter.js";
import { NotDifferentiable } from "./errors.js";
import { forward } from "./forward.js";
import { reverse } from "./reverse.js";

/** The cotangents a construct passes back: to its inputs, and to the values its regions capture. */
export interface ConstructCotangents {
  inputs: (Value | undefined)[];
  free: Map<number, Value>;
}

export function reverseConstruct(e: Emitter, op: ConstructOp, outCts: (Value | undefined)[], activeIn: boolean[], activeFree: ReadonlySet<number>): ConstructCotangents {
  switch (op.kind) {
    case "solve":
      return reverseSolve(e, op, outCts[0], activeIn, activeFree);
    case "fixpoint":
      return op.grad.mode === "unrolled" ? reverseUnrolledFixpoint(e, op, outCts[0], activeIn, activeFree) : reverseFixpoint(e, op, outCts[0], activeFree);
    case "loop":
      return reverseLoop(e, op, outCts, activeIn, activeFree);
    case "unroll":
      throw new NotDifferentiable("unroll", op.span, "a gradient of a gradient through a loop is not written yet");
    case "minimize":
    case "train":
      throw new NotDifferentiable(op.kind, op.span, `differentiating through a \`${op.kind}\` is not written yet`);
  }
}

export function forwardConstruct(e: Emitter, op: ConstructOp, ins: (Value | undefined)[], free: ReadonlyMap<number, Value>): (Value | undefined)[] {
  switch (op.kind) {
    case "solve":
      return [forwardSolve(e, op, ins[0], free)];
    case "fixpoint":
      return [forwardFixpoint(e, op, free)];
    case "loop":
      return forwardLoop(e, op, ins, free);
    case "unroll":
      throw new NotDifferentiable("unroll", op.span, "a derivative of a gradient through a loop is not written yet");
    case "minimize":
    case "train":
      throw new NotDifferentiable(op.kind, op.span, `differentiating through a \`${op.kind}\` is not written yet`);
  }
}

const NONE: ConstructCotangents = { inputs: [], free: new Map() };

/** The free values of `region` that are active, as reverse mode wants them. */
const activeIn = (region: Region, active: ReadonlySet<number>) => new Set([...freeInRegion(region)].filter((id) => active.has(id)));

// ---- solve ------------------------------------------------------------------------------

/**
 * Symmetric positive definite methods stay conjugate gradients for the adjoint (Aᵀ = A); every
 * other solve's adjoint is solved by GMRES, which needs neither symmetry nor definiteness.
 */
function adjointMethod(forward: MethodChoice, stop: StopRule): MethodChoice {
  const name = forward.name === "cg" || forward.name === "chebyshev" ? "cg" : "gmres";
  const spec = findMethod("solve", name);
  if (!spec) throw new InternalError(`no solve method \`${name}\` for an adjoint`);
  const options = Object.fromEntries(spec.options.filter((o) => o.kind !== "tensor").map((o) => [o.name, o.default]));
  return { name, construct: "solve", options: { ...options, rtol: stop.rtol, atol: stop.atol, maxiter: stop.maxIter } };
}

function adjointOf(op: SolveOp | FixpointOp, role: AdjointOf["role"]): AdjointOf {
  return { label: op.label, forward: op.outputs[0].id, role, onFail: op.onBackwardFail };
}

/**
 * u = A⁻¹ b: b̄ = A⁻ᵀ ū (an adjoint solve; Aᵀ is the operator's vjp at the solution, exact for
 * a nonlinear F too, where it is Jᵀ at u), and the values A captures get −(∂(A u)/∂θ)ᵀ b̄.
 */
function reverseSolve(e: Emitter, op: SolveOp, ubar: Value | undefined, active: boolean[], activeFree: ReadonlySet<number>): ConstructCotangents {
  if (!ubar) return NONE;
  const [b] = op.inputs;
  const u = op.outputs[0];
  const { operator, precond } = op.regions;
  const AT = e.region([{ type: b.type, hint: "w" }], (inner, [w]) => [reverse(inner, operator, [u], [w], [true], new Set()).params[0] ?? inner.zerosLike(u)]);
  // Mᵀ, likewise: the preconditioner is linear in its argument, so its vjp at 0 is its transpose.
  // (A Newton driver's preconditioner depends on its iterate, and its adjoint solve goes without.)
  const MT =
    precond &&
    precond.params.length === 1 &&
    e.region([{ type: u.type, hint: "r" }], (inner, [r]) => [reverse(inner, precond, [inner.zerosLike(b)], [r], [true], new Set()).params[0] ?? inner.zerosLike(b)]);
  const [bbar] = e.addOp([b.type], (outputs) => ({
    kind: "solve",
    inputs: [ubar],
    outputs,
    regions: { operator: AT, ...(MT ? { precond: MT } : {}) },
    method: adjointMethod(op.method, op.stop),
    stop: op.stop,
    precond: op.precond,
    onBackwardFail: op.onBackwardFail,
    adjointOf: adjointOf(op, "adjoint"),
    label: `${op.label}ᵀ`,
    ...(op.span ? { span: op.span } : {}),
  }));
  const theta = activeIn(operator, activeFree);
  const free = theta.size ? reverse(e, operator, [u], [e.op("neg", [bbar])], [false], theta).free : new Map<number, Value>();
  return { inputs: [active[0] ? bbar : undefined], free };
}

/**
 * du = A⁻¹(db − (∂(A u)/∂θ) dθ): a tangent solve with the forward's own regions on a new right
 * side. For a nonlinear F the tangent solve is linear, J(u) du = db − (∂F/∂θ) dθ, with J(u) by
 * forward mode through F's region, solved by GMRES.
 */
function forwardSolve(e: Emitter, op: SolveOp, db: Value | undefined, free: ReadonlyMap<number, Value>): Value | undefined {
  const [b] = op.inputs;
  const u = op.outputs[0];
  const dA = free.size ? forward(e, op.regions.operator, [u], [undefined], free).tangents[0] : undefined;
  const rhs = dA ? (db ? e.op("sub", [db, dA]) : e.op("neg", [dA])) : db;
  if (!rhs) return undefined;
  if (findMethod("solve", op.method.name)?.nonlinear) return tangentOfNonlinear(e, op, rhs);
  // The method's regions capture the right-hand side (the protocol's `b`): the copy takes the new one.
  const map = new Map<number, Value>([[b.id, rhs]]);
  const regions = Object.fromEntries(Object.entries(op.regions).map(([k, r]) => [k, cloneRegion(r as Region, new Map(map), e.values)])) as SolveOp["regions"];
  // A null space's projections are ops around the solve, differentiated on their own; the tangent solve takes only its right side.
  const { reportFields: _, nullspace: _projected, ...forwardOp } = op;
  return e.addOp([u.type], (outputs) => ({ ...forwardOp, inputs: [rhs], outputs, regions, adjointOf: adjointOf(op, "tangent"), label: `${op.label}'` }))[0];
}

/** J(u) du = rhs by GMRES, J(u) v the forward-mode tangent of F's region at the solution. */
function tangentOfNonlinear(e: Emitter, op: SolveOp, rhs: Value): Value {
  const u = op.outputs[0];
  const J = e.region([{ type: u.type, hint: "v" }], (inner, [v]) => [forward(inner, op.regions.operator, [u], [v]).tangents[0] ?? inner.zerosLike(rhs)]);
  return e.addOp([u.type], (outputs) => ({
    kind: "solve",
    inputs: [rhs],
    outputs,
    regions: { operator: J },
    method: adjointMethod({ name: "gmres", construct: "solve", options: {} }, op.stop),
    stop: op.stop,
    precond: null,
    onBackwardFail: op.onBackwardFail,
    adjointOf: adjointOf(op, "tangent"),
    label: `${op.label}'`,
    ...(op.span ? { span: op.span } : {}),
  }))[0];
}

// ---- fixpoint ---------------------------------------------------------------------------

/** w ↦ (∂T/∂z)ᵀ w + z̄ at the fixed point: the adjoint map. */
function adjointMap(e: Emitter, op: FixpointOp, zbar: Value): Region {
  const z = op.outputs[0];
  return e.region([{ type: z.type, hint: "w" }], (inner, [w]) => [inner.add(reverse(inner, op.regions.map, [z], [w], [true], new Set()).params[0], zbar)!]);
}

/**
 * z = T(z, θ): w = (∂T/∂z)ᵀ w + z̄ (an adjoint fixpoint, by plain iteration), then θ̄ = (∂T/∂θ)ᵀ w.
 * `grad phantom(k: n)` takes n steps of that iteration instead of iterating to convergence.
 */
function reverseFixpoint(e: Emitter, op: FixpointOp, zbar: Value | undefined, activeFree: ReadonlySet<number>): ConstructCotangents {
  if (!zbar) return NONE;
  const z = op.outputs[0];
  const B = adjointMap(e, op, zbar);
  const w = op.grad.mode === "phantom" ? phantomSteps(e, op, B, zbar) : adjointFixpoint(e, op, B, zbar);
  const theta = activeIn(op.regions.map, activeFree);
  const free = theta.size ? reverse(e, op.regions.map, [z], [w], [false], theta).free : new Map<number, Value>();
  return { inputs: [undefined], free };
}

/** The adjoint fixed point, by the solver `grad implicit(solver: …)` names (plain iteration by default). */
function adjointFixpoint(e: Emitter, op: FixpointOp, B: Region, zbar: Value): Value {
  const solver = op.grad.options.solver ?? "picard";
  if (solver === "gmres") return adjointByGmres(e, op, zbar);
  const method = solver === "anderson" ? defaultChoice("fixpoint", "anderson") : { name: "picard", construct: "fixpoint" as const, options: { lipschitz: null } };
  return e.addOp([zbar.type], (outputs) => ({
    kind: "fixpoint",
    inputs: [zbar],
    outputs,
    regions: { map: B },
    method,
    stop: op.stop,
    grad: { mode: "implicit", options: {} },
    onBackwardFail: op.onBackwardFail,
    adjointOf: adjointOf(op, "adjoint"),
    label: `${op.label}ᵀ`,
    ...(op.span ? { span: op.span } : {}),
  }))[0];
}

/** (I − Jᵀ) w = z̄ by GMRES: for a map whose Jacobian is not a contraction (Anderson's forward may still converge). */
function adjointByGmres(e: Emitter, op: FixpointOp, zbar: Value): Value {
  const z = op.outputs[0];
  const operator = e.region([{ type: z.type, hint: "w" }], (inner, [w]) => {
    const jtw = reverse(inner, op.regions.map, [z], [w], [true], new Set()).params[0];
    return [jtw ? inner.op("sub", [w, jtw]) : w];
  });
  return e.addOp([zbar.type], (outputs) => ({
    kind: "solve",
    inputs: [zbar],
    outputs,
    regions: { operator },
    method: adjointMethod({ name: "gmres", construct: "solve", options: {} }, op.stop),
    stop: op.stop,
    precond: null,
    onBackwardFail: op.onBackwardFail,
    adjointOf: adjointOf(op, "adjoint"),
    label: `${op.label}ᵀ`,
    ...(op.span ? { span: op.span } : {}),
  }))[0];
}

/** A method's choice with every option at its registry default. */
function defaultChoice(construct: "fixpoint" | "solve", name: string): MethodChoice {
  const spec = findMethod(construct, name);
  if (!spec) throw new InternalError(`no ${construct} method \`${name}\``);
  return { name, construct, options: Object.fromEntries(spec.options.filter((o) => o.kind !== "tensor").map((o) => [o.name, o.default])) };
}

/** The phantom gradient: k steps of the adjoint iteration from z̄, a counted loop. */
function phantomSteps(e: Emitter, op: FixpointOp, B: Region, zbar: Value): Value {
  const k = op.grad.options.k;
  if (typeof k !== "number") throw new InternalError("`grad phantom` reached autodiff without its step count");
  return e.addOp([zbar.type], (outputs) => ({ kind: "loop", inputs: [zbar], outputs, regions: { body: B }, maxIter: k, counter: null, counted: true, checkpoint: 1, label: `${op.label}ᵀ`, adjointOf: adjointOf(op, "adjoint") }))[0];
}

/** dz = (∂T/∂z) dz + (∂T/∂θ) dθ at the fixed point: a tangent fixpoint. */
function forwardFixpoint(e: Emitter, op: FixpointOp, free: ReadonlyMap<number, Value>): Value | undefined {
  if (free.size === 0) return undefined;
  const z = op.outputs[0];
  const dT = forward(e, op.regions.map, [z], [undefined], free).tangents[0];
  if (!dT) return undefined;
  const map = e.region([{ type: z.type, hint: "v" }], (inner, [v]) => [inner.add(forward(inner, op.regions.map, [z], [v]).tangents[0], dT)!]);
  return e.addOp([z.type], (outputs) => ({
    kind: "fixpoint",
    inputs: [dT],
    outputs,
    regions: { map },
    method: { name: "picard", construct: "fixpoint", options: { lipschitz: null } },
    stop: op.stop,
    grad: { mode: "implicit", options: {} },
    onBackwardFail: op.onBackwardFail,
    adjointOf: adjointOf(op, "tangent"),
    label: `${op.label}'`,
    ...(op.span ? { span: op.span } : {}),
  }))[0];
}

// ---- loop and unrolled fixpoint ---------------------------------------------------------

/**
 * The step backwards of a loop body: (counter?, carried_k…, ct_{k+1}…) ↦ (ct_k…, ct_θ…), by
 * reverse mode through one application of the body at the carried values.
 */
function backRegion(e: Emitter, body: Region, counted: boolean, theta: readonly number[]): Region {
  const carried = counted ? body.params.slice(1) : body.params;
  const params = [...body.params.map((p) => ({ type: p.type, ...(p.hint ? { hint: p.hint } : {}) })), ...carried.map((p) => ({ type: p.type, hint: "ct" }))];
  return e.region(params, (inner, ps) => {
    const at = ps.slice(0, body.params.length);
    const seeds = ps.slice(body.params.length);
    const r = reverse(inner, body, at, seeds, body.params.map((_, i) => !(counted && i === 0)), new Set(theta));
    const inputs = (counted ? r.params.slice(1) : r.params).map((ct, i) => ct ?? inner.zerosLike(carried[i]));
    return [...inputs, ...theta.map((id) => r.free.get(id) ?? zerosOfFree(inner, body, id))];
  });
}

/** Zeros shaped like the free value `id` of `body` (found among the uses). */
function zerosOfFree(e: Emitter, body: Region, id: number): Value {
  for (const op of body.ops) for (const v of op.inputs) if (v.id === id) return e.zerosLike(v);
  for (const v of body.results) if (v.id === id) return e.zerosLike(v);
  throw new InternalError(`the captured value %${id} is not used by the loop body`);
}

/** A region copied with fresh values: the replay of a forward region is a region of its own. */
function copy(e: Emitter, r: Region): Region {
  return cloneRegion(r, new Map(), e.values);
}

/** The captured values of `body` that are active, with a value of each (for its type). */
function activeCaptures(body: Region, active: ReadonlySet<number>): Value[] {
  const out = new Map<number, Value>();
  const see = (v: Value) => {
    if (active.has(v.id) && !out.has(v.id) && freeInRegion(body).has(v.id)) out.set(v.id, v);
  };
  const walk = (r: Region) => {
    for (const op of r.ops) op.inputs.forEach(see);
    r.results.forEach(see);
  };
  walk(body);
  return [...out.values()];
}

function reverseLoop(e: Emitter, op: LoopOp, outCts: (Value | undefined)[], active: boolean[], activeFree: ReadonlySet<number>): ConstructCotangents {
  const counted = op.counter !== null;
  const theta = activeCaptures(op.regions.body, activeFree);
  const back = backRegion(e, op.regions.body, counted, theta.map((v) => v.id));
  // Report values (`u.iterations`) have no derivative: only the carried values pass cotangents.
  const cts = ownOutputs(op).map((o, i) => outCts[i] ?? e.zerosLike(o));
  const outs = e.addOp([...op.inputs.map((v) => v.type), ...theta.map((v) => v.type)], (outputs) => ({
    kind: "unroll",
    inputs: [...op.inputs, ...cts],
    outputs,
    regions: { body: copy(e, op.regions.body), ...(op.regions.until ? { until: copy(e, op.regions.until) } : {}), back },
    maxIter: op.maxIter,
    counter: op.counter,
    counted: op.counted,
    checkpoint: op.checkpoint,
    adjointOf: { label: op.label, forward: op.outputs[0].id, role: "adjoint", onFail: RAISE },
    label: `${op.label}ᵀ`,
    ...(op.span ? { span: op.span } : {}),
  }));
  return { inputs: op.inputs.map((_, i) => (active[i] ? outs[i] : undefined)), free: new Map(theta.map((v, i) => [v.id, outs[op.inputs.length + i]])) };
}

/** `grad unrolled`: through the forward's iterations of T from the initial value, replayed. */
function reverseUnrolledFixpoint(e: Emitter, op: FixpointOp, zbar: Value | undefined, active: boolean[], activeFree: ReadonlySet<number>): ConstructCotangents {
  if (!zbar) return NONE;
  const body = op.regions.map;
  const theta = activeCaptures(body, activeFree);
  const back = backRegion(e, body, false, theta.map((v) => v.id));
  const k = op.grad.options.checkpoint;
  const outs = e.addOp([op.inputs[0].type, ...theta.map((v) => v.type)], (outputs) => ({
    kind: "unroll",
    inputs: [op.inputs[0], zbar],
    outputs,
    regions: { body: copy(e, body), back },
    maxIter: op.stop.maxIter,
    counter: null,
    counted: true,
    checkpoint: typeof k === "number" ? k : 1,
    iterationsOf: op.outputs[0].id,
    adjointOf: { ...adjointOf(op, "adjoint"), onFail: RAISE },
    label: `${op.label}ᵀ`,
    ...(op.span ? { span: op.span } : {}),
  }));
  return { inputs: [active[0] ? outs[0] : undefined], free: new Map(theta.map((v, i) => [v.id, outs[1 + i]])) };
}

/** A loop carrying its tangents: (x, ẋ) ↦ (body(x), J_body ẋ + (∂body/∂θ) θ̇). */
function forwardLoop(e: Emitter, op: LoopOp, ins: (Value | undefined)[], free: ReadonlyMap<number, Value>): (Value | undefined)[] {
  const counted = op.counter !== null;
  const { body, until } = op.regions;
  if (until) throw new NotDifferentiable("loop", op.span, "forward mode through a loop that stops on `until` is not written yet");
  const n = op.inputs.length;
  const params = [...body.params.map((p) => ({ type: p.type, ...(p.hint ? { hint: p.hint } : {}) })), ...op.inputs.map((v) => ({ type: v.type, hint: "dot" }))];
  const both = e.region(params, (inner, ps) => {
    const at = ps.slice(0, body.params.length);
    const dirs = [...(counted ? [undefined] : []), ...ps.slice(body.params.length)];
    const r = forward(inner, body, at, dirs, free);
    return [...r.results, ...r.tangents.map((t, i) => t ?? inner.zerosLike(r.results[i]))];
  });

  const tangents = op.inputs.map((v, i) => ins[i] ?? e.zerosLike(v));
  const own = ownOutputs(op);
  const outs = e.addOp([...own.map((o) => o.type), ...own.map((o) => o.type)], (outputs) => ({
    kind: "loop",
    inputs: [...op.inputs, ...tangents],
    outputs,
    regions: { body: both },
    maxIter: op.maxIter,
    counter: op.counter,
    counted: op.counted,
    checkpoint: op.checkpoint,
    adjointOf: { label: op.label, forward: op.outputs[0].id, role: "tangent", onFail: RAISE },
    label: `${op.label}'`,
    ...(op.span ? { span: op.span } : {}),
  }));
  return outs.slice(n);
}

