// The training driver: epochs of batches in a seeded order, the loss and the gradient of every
// trained param (one region, reverse-mode autodiff), clipping by the global gradient norm, the
// learning-rate schedule, one optimiser step per param (stdlib/optim.iter's protocol, on each
// param's matrix view), a validation loss after each epoch, and exact-resume checkpoints.
//
// Exactness: everything a step computes is a function of the state a checkpoint holds (the
// optimiser states, bit for bit in float32; the step count, the epoch and the batch within it;
// the shuffler's key), so a run of 2n steps and a run of n steps resumed for n more give the
// same bits.
import type { Schedule, TrainSettings } from "../../compiler/training.js";
import { scheduleFactor } from "../../compiler/training.js";
// The files, not the folders' index: this module is on generated modules' browser-safe import
// graph (through runtime/constructs.ts), and the indexes reach the file-reading code.
import type { Checkpoint, TensorRecord } from "../checkpoint/types.js";
import type { Dataset } from "../data/types.js";
import { batchesPerEpoch, gather } from "../data/batch.js";
import { Shuffler } from "../data/shuffle.js";
import type { Reason, Report } from "../report.js";
import { ResidualHistory } from "../report.js";
import { matrixShape } from "./minimize.js";
import { fmt, type ResidualListener, secondsSince, type Tensor, type Tf } from "./stopping.js";

/** How far a training run is: the total number of steps, and the step it started from (0, or a resumed one). */
export interface StepProgress {
  total: number;
  first: number;
}

export interface TrainOptions<T extends Tensor = Tensor> {
  name: string;
  method: string;
  /** The params' names (checkpoint keys) and values before training. */
  paramNames: string[];
  params: T[];
  /** Field names in the order the regions take them. */
  fields: string[];
  data: Dataset;
  validation?: Dataset;
  settings: TrainSettings;
  /** The optimiser's `lr` option, which the schedule scales. */
  lr: number;
  /** How many state tensors each param's optimiser keeps (its view first). */
  stateCounts: number[];
  loss: (params: T[], fields: T[]) => T;
  gradient: (params: T[], fields: T[]) => T[];
  start: (views: T[]) => T[];
  step: (grads: T[], k: T, lr: T, states: T[]) => T[];
  /** Writes a checkpoint (the caller knows the program's hash and the folder). */
  save?: (c: Omit<Checkpoint, "version" | "programHash">) => string;
  /** A checkpoint to continue from. */
  resume?: Checkpoint;
  /** Called after every step with the step number (from 1), the epoch (from 0) and the loss. */
  /** After each step: where it is, the loss, the seconds since this run started, and the progress (steps to do, the step this run started from). */
  onStep?: (step: number, epoch: number, loss: number, seconds: number, progress: StepProgress) => void;
  /** Who watches the run (--monitor, the API's onIteration): hears each step's loss; "stop" ends the run there. */
  listener?: ResidualListener;
}

/** Where a run is: steps done, and the position of the next batch. */
interface Position {
  step: number;
  epoch: number;
  batch: number;
}

export function runTrain<T extends Tensor>(tf: Tf<NoInfer<T>>, o: TrainOptions<T>): { values: T[]; report: Report } {
  const t0 = performance.now();
  const s = o.settings;
  const perEpoch = batchesPerEpoch(o.data, s.batch);
  const total = s.steps ?? (s.epochs ?? 1) * perEpoch;
  const shuffler = new Shuffler(o.data.rows, s.seed, { shuffle: s.shuffle });
  const shapes = o.params.map((p) => p.shape);
  const losses = new ResidualHistory();
  const validation: number[] = [];
  let states = o.start(o.params.map((p, i) => tf.reshape(tf.clone(p), matrixShape(shapes[i]))));
  const at: Position = { step: 0, epoch: 0, batch: 0 };
  if (o.resume) states = resumeFrom(tf, o, o.resume, shuffler, states, at, total);
  const firstStep = at.step;
  let order = shuffler.order(at.epoch);
  let stopped: { reason: Reason; detail: string } | undefined;
  const saved: string[] = [];
  while (at.step < total) {
    const fields = batchTensors(tf, o, gather(o.data, order, at.batch * s.batch, s.batch));
    const params = paramsOf(tf, states, o.stateCounts, shapes);
    const [loss, ...grads] = o.gradient(params, fields);
    const lossValue = loss.dataSync()[0];
    dispose(loss, ...fields, ...params.filter((p) => !states.includes(p)));
    losses.push(lossValue);
    if (!Number.isFinite(lossValue)) {
      dispose(...grads);
      stopped = { reason: "diverged_nan", detail: `the loss is ${lossValue} at step ${at.step + 1} (epoch ${at.epoch + 1}, batch ${at.batch + 1}); the params are those before that step` };
      break;
    }
    const clipped = s.clip !== undefined ? clip(tf, grads, s.clip) : grads;
    const views = clipped.map((g, i) => tf.reshape(g, matrixShape(shapes[i])));
    const [k, lr] = [tf.scalar(at.step + 1), tf.scalar(o.lr * scheduleFactor(s.schedule, at.step + 1, total))];
    const next = o.step(views, k, lr, states);
    dispose(k, lr, ...views, ...clipped, ...grads, ...states.filter((t) => !next.includes(t)));
    states = next;
    advance(at, perEpoch);
    if (at.batch === 0) {
      if (o.validation) validation.push(validationLoss(tf, o, states, shapes));
      order = shuffler.order(at.epoch);
    }
    // The checkpoint first: whatever stops the run after this step, it can resume from here.
    if (o.save && due(s.checkpoint, at, perEpoch)) saved.push(o.save(checkpointOf(states, o, at, shuffler, total)));
    o.onStep?.(at.step, at.epoch, lossValue, secondsSince(t0), { total, first: firstStep });
    if (o.listener?.(at.step, lossValue, NaN, NaN) === "stop") {
      stopped = { reason: "aborted", detail: `stopped by the caller after step ${at.step}` };
      break;
    }
  }
  const values = paramsOf(tf, states, o.stateCounts, shapes).map((p) => tf.clone(p));
  dispose(...states);
  return { values, report: trainReport(o, losses, validation, at, total, perEpoch, firstStep, saved, t0, stopped) };
}

function dispose<T extends Tensor>(...ts: T[]): void {
  for (const t of new Set(ts)) if (!t.isDisposed) t.dispose();
}

function advance(at: Position, perEpoch: number): void {
  at.step++;
  at.batch++;
  if (at.batch === perEpoch) {
    at.batch = 0;
    at.epoch++;
  }
}

function due(c: TrainSettings["checkpoint"], at: Position, perEpoch: number): boolean {
  if (!c) return false;
  if (c.unit === "steps") return at.step % c.every === 0;
  return at.batch === 0 && at.epoch % c.every === 0 && perEpoch > 0;
}

/** A batch's fields as [B, width] tensors, in the regions' order. */
function batchTensors<T extends Tensor>(tf: Tf<T>, o: TrainOptions<T>, batch: ReturnType<typeof gather>): T[] {
  return o.fields.map((name) => {
    const b = batch.get(name)!;
    const width = b.shape.slice(1).reduce((p, d) => p * d, 1);
    return tf.tensor(b.data, [b.shape[0], width], "float32");
  });
}

/** Each param in its own shape: item 0 of its optimiser state, reshaped (a free view). */
function paramsOf<T extends Tensor>(tf: Tf<T>, states: readonly T[], counts: readonly number[], shapes: readonly number[][]): T[] {
  let at = 0;
  return counts.map((n, i) => {
    const view = states[at];
    at += n;
    return tf.reshape(view, shapes[i]);
  });
}

/** Gradients rescaled so that their global norm is at most `limit` (unchanged below it). */
function clip<T extends Tensor>(tf: Tf<T>, grads: readonly T[], limit: number): T[] {
  const sq = tf.tidy(() => grads.map((g) => tf.sum(tf.mul(g, g))).reduce((a, b) => tf.add(a, b)));
  const norm = Math.sqrt(sq.dataSync()[0]);
  sq.dispose();
  if (!(norm > limit)) return grads.map((g) => tf.clone(g));
  return grads.map((g) => tf.mul(g, tf.scalar(limit / norm)));
}

/** The mean loss over every full batch of the validation set, in file order. */
function validationLoss<T extends Tensor>(tf: Tf<T>, o: TrainOptions<T>, states: readonly T[], shapes: readonly number[][]): number {
  const data = o.validation!;
  const n = batchesPerEpoch(data, o.settings.batch);
  const order = new Shuffler(data.rows, 0, { shuffle: false }).order(0);
  const params = paramsOf(tf, states, o.stateCounts, shapes);
  let sum = 0;
  for (let b = 0; b < n; b++) {
    const fields = batchTensors(tf, { ...o, data }, gather(data, order, b * o.settings.batch, o.settings.batch));
    const loss = o.loss(params, fields);
    sum += loss.dataSync()[0];
    dispose(loss, ...fields);
  }
  dispose(...params.filter((p) => !states.includes(p)));
  return sum / n;
}

function stateName<T extends Tensor>(o: TrainOptions<T>, param: number, j: number): string {
  return j === 0 ? `param/${o.paramNames[param]}` : `state/${o.paramNames[param]}/${j}`;
}

function checkpointOf<T extends Tensor>(states: readonly T[], o: TrainOptions<T>, at: Position, shuffler: Shuffler, total: number): Omit<Checkpoint, "version" | "programHash"> {
  const tensors = new Map<string, TensorRecord>();
  let i = 0;
  o.stateCounts.forEach((n, p) => {
    for (let j = 0; j < n; j++, i++) tensors.set(stateName(o, p, j), { dtype: "f32", shape: [...states[i].shape], data: Float32Array.from(states[i].dataSync() as Float32Array) });
  });
  return { step: at.step, epoch: at.epoch, batchInEpoch: at.batch, rng: shuffler.state(), tensors, meta: { total, optimizer: o.method } };
}

/** The states a checkpoint holds, replacing the fresh ones; the position and the order's key. */
function resumeFrom<T extends Tensor>(tf: Tf<T>, o: TrainOptions<T>, c: Checkpoint, shuffler: Shuffler, fresh: T[], at: Position, total: number): T[] {
  if (c.meta.total !== total || c.meta.optimizer !== o.method)
    throw new ResumeMismatch(`the checkpoint was written for ${c.meta.total} steps with \`${c.meta.optimizer}\`, and this run takes ${total} with \`${o.method}\``);
  shuffler.restore(c.rng, o.data.source);
  let i = 0;
  const states = o.stateCounts.flatMap((n, p) =>
    Array.from({ length: n }, (_, j) => {
      const want = fresh[i++];
      const r = c.tensors.get(stateName(o, p, j));
      if (!r || r.shape.join(",") !== want.shape.join(",")) throw new ResumeMismatch(`the checkpoint has no ${stateName(o, p, j)} of shape [${want.shape.join(", ")}]`);
      return tf.tensor(r.data instanceof Int32Array ? Float32Array.from(r.data) : r.data, r.shape, "float32");
    }),
  );
  dispose(...fresh);
  Object.assign(at, { step: c.step, epoch: c.epoch, batch: c.batchInEpoch });
  return states;
}

/** A checkpoint that belongs to the same program but not to this run's settings (a user error). */
export class ResumeMismatch extends Error {
  readonly isUserError = true;
  constructor(why: string) {
    super(`Cannot resume: ${why}.`);
    this.name = "ResumeMismatch";
  }
}

function trainReport<T extends Tensor>(o: TrainOptions<T>, losses: ResidualHistory, validation: number[], at: Position, total: number, perEpoch: number, firstStep: number, saved: string[], t0: number, stopped?: { reason: Reason; detail: string }): Report {
  const last = losses.length ? losses.last : NaN;
  const s = o.settings;
  const story = [
    `${at.step - firstStep} steps${firstStep ? ` (resumed at step ${firstStep})` : ""} of ${total}: ${perEpoch} batches of ${s.batch} per epoch${o.data.rows % s.batch ? ` (${o.data.rows % s.batch} rows left out of each epoch's order, different ones each time)` : ""}`,
    losses.length ? `batch loss ${fmt(losses.first)} → ${fmt(last)}` : "",
    validation.length ? `validation loss ${fmt(validation[0])} → ${fmt(validation[validation.length - 1])}` : "",
    scheduleText(s.schedule),
    s.clip !== undefined ? `gradients clipped to norm ${fmt(s.clip)}` : "",
    saved.length ? `checkpoint written to ${saved[saved.length - 1]}` : "",
  ].filter(Boolean);
  const r: Report = {
    name: o.name,
    kind: "train",
    method: o.method,
    iterations: at.step,
    residual: last,
    relResidual: NaN,
    reason: stopped?.reason ?? "completed",
    converged: !stopped,
    history: losses.toArray(),
    seconds: secondsSince(t0),
    detail: [stopped?.detail, ...story].filter(Boolean).join("; "),
  };
  if (losses.truncated) r.historyTruncated = true;
  if (validation.length) r.validationHistory = validation;
  return r;
}

function scheduleText(s: Schedule): string {
  const warm = s.warmup ? `, ${s.warmup} warm-up steps` : "";
  if (s.name === "constant") return s.warmup ? `learning rate constant after ${s.warmup} warm-up steps` : "";
  if (s.name === "step") return `learning rate × ${s.gamma} every ${s.every} steps${warm}`;
  return `cosine learning rate down to ${s.floor} of it${warm}`;
}
