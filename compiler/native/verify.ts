// Checks a KernelSet before code generation. Every failure is a bug in whoever built the set
// (the lowering), never a user error, so messages name the kernel and step precisely.
import { stmtExprs, walkExpr } from "./analysis.js";
import type { BufferDecl, KernelSet, LoopStep, MatmulStep, MatvecStep, ScalarStep, Step, TransferStep } from "./kernel-ir.js";

export function verifyKernelSet(set: KernelSet): string[] {
  const errors: string[] = [];
  const buffers = new Map<string, BufferDecl>();
  const scalars = new Set<string>();
  for (const b of set.buffers) {
    if (buffers.has(b.name)) errors.push(`buffer \`${b.name}\` declared twice`);
    buffers.set(b.name, b);
    if (b.dtype !== "f32" && b.dtype !== "f64")
      errors.push(`buffer \`${b.name}\`: dtype ${String(b.dtype)} is not f32 or f64`);
    if (!b.shape.every((d) => Number.isInteger(d) && d >= 1))
      errors.push(`buffer \`${b.name}\`: shape [${b.shape}] needs positive whole sizes`);
  }
  for (const s of set.scalars) {
    if (scalars.has(s.name)) errors.push(`scalar \`${s.name}\` declared twice`);
    scalars.add(s.name);
  }
  const kernelNames = new Set<string>();
  for (const k of set.kernels) {
    if (kernelNames.has(k.name)) errors.push(`kernel \`${k.name}\` declared twice`);
    kernelNames.add(k.name);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k.name)) errors.push(`kernel \`${k.name}\`: the name must be an identifier`);
    verifySteps(k.steps, `kernel \`${k.name}\``, buffers, scalars, errors);
  }
  return errors;
}

type Report = (message: string) => void;

function verifySteps(
  steps: readonly Step[],
  where: string,
  buffers: Map<string, BufferDecl>,
  scalars: Set<string>,
  errors: string[],
): void {
  steps.forEach((step, i) => {
    const at = `${where}, step ${i} (${step.kind})`;
    const report = (m: string) => errors.push(`${at}: ${m}`);
    switch (step.kind) {
      case "loop":
        verifyLoop(step, buffers, scalars, report);
        return;
      case "matmul":
      case "matvec":
        verifyProduct(step, buffers, report);
        return;
      case "scalar":
        verifyScalarStep(step, scalars, report);
        return;
      case "restrict":
      case "prolong":
        verifyTransfer(step, buffers, report);
        return;
      case "repeat":
        if (!Number.isInteger(step.count) || step.count < 1) report(`count ${step.count} must be a whole number ≥ 1`);
        verifySteps(step.steps, at, buffers, scalars, errors);
        return;
    }
  });
}

function verifyTransfer(step: TransferStep, buffers: Map<string, BufferDecl>, report: Report): void {
  const [input, out] = [buffers.get(step.input), buffers.get(step.out)];
  if (!input) report(`\`${step.input}\` is not declared`);
  if (!out) report(`\`${step.out}\` is not declared`);
  if (!input || !out) return;
  if (input.dtype !== out.dtype) report(`mixed dtypes ${input.dtype}, ${out.dtype}`);
  if (input.name === out.name) report(`the output \`${out.name}\` aliases the input`);
  if (input.shape.length !== 2 || out.shape.length !== 2) return report(`transfers need 2-D grids, got [${input.shape}] → [${out.shape}]`);
  const [fine, coarse] = step.kind === "restrict" ? [input.shape, out.shape] : [out.shape, input.shape];
  if (fine[0] !== 2 * coarse[0] + 1 || fine[1] !== 2 * coarse[1] + 1)
    report(`the fine grid [${fine}] does not nest the coarse grid [${coarse}] (n = 2m + 1)`);
}

function verifyLoop(loop: LoopStep, buffers: Map<string, BufferDecl>, scalars: Set<string>, report: Report): void {
  const sameShape = (b: BufferDecl) =>
    b.shape.length === loop.shape.length && b.shape.every((d, i) => d === loop.shape[i]);
  if (!loop.shape.every((d) => Number.isInteger(d) && d >= 1))
    report(`shape [${loop.shape}] needs positive whole sizes`);
  if (loop.stages.length === 0) report("a loop needs at least one stage");
  const checkBuffer = (name: string, use: string): BufferDecl | undefined => {
    const b = buffers.get(name);
    if (!b) report(`${use} of the undeclared buffer \`${name}\``);
    else if (b.dtype !== loop.dtype) report(`${use} of \`${name}\` (${b.dtype}) in a ${loop.dtype} loop`);
    else if (!sameShape(b)) report(`${use} of \`${name}\` [${b.shape}] in a loop over [${loop.shape}]`);
    return b;
  };

  // Who stores what, and which registers the loop reduces into.
  const storedIn = new Map<string, number>();
  const reduced = new Set<string>();
  loop.stages.forEach((stage, s) => {
    if (!Number.isInteger(stage.rowLag) || stage.rowLag < 0)
      report(`stage ${s}: rowLag ${stage.rowLag} must be a whole number ≥ 0`);
    if (s === 0 && stage.rowLag !== 0) report("stage 0 must have rowLag 0");
    if (s > 0 && stage.rowLag < loop.stages[s - 1].rowLag) report(`stage ${s}: lags must not decrease`);
    for (const st of stage.body) {
      if (st.kind === "store") {
        checkBuffer(st.buffer, "a store");
        if (storedIn.has(st.buffer)) report(`\`${st.buffer}\` is stored twice in one loop`);
        storedIn.set(st.buffer, s);
      }
      if (st.kind === "reduce") {
        if (!scalars.has(st.reg)) report(`a reduction into the undeclared scalar \`${st.reg}\``);
        if (reduced.has(st.reg)) report(`\`${st.reg}\` is reduced twice in one loop`);
        reduced.add(st.reg);
      }
    }
  });

  const rank = loop.shape.length;
  loop.stages.forEach((stage, s) => {
    const temps = new Set<string>();
    for (const st of stage.body) {
      for (const root of stmtExprs(st)) {
        for (const e of walkExpr(root)) {
          if (e.kind === "temp" && !temps.has(e.name))
            report(`stage ${s}: \`${e.name}\` is used before its let (or in another stage)`);
          if (e.kind === "scalar") {
            if (!scalars.has(e.reg)) report(`a read of the undeclared scalar \`${e.reg}\``);
            if (reduced.has(e.reg))
              report(`\`${e.reg}\` is read in the loop that reduces into it (it is written when the loop ends)`);
          }
          if (e.kind === "const" && typeof e.value !== "number") report("a constant must be a number");
          if (e.kind !== "read") continue;
          checkBuffer(e.buffer, "a read");
          const [di, dj] = e.offset ?? [0, 0];
          if (!Number.isInteger(di) || !Number.isInteger(dj))
            report(`a read of \`${e.buffer}\` at a non-integer offset`);
          if (rank < 2 && di !== 0)
            report(`a read of \`${e.buffer}\` at row offset ${di} in a loop of rank ${rank} (one row)`);
          const writer = storedIn.get(e.buffer);
          if (writer === undefined) continue;
          if (writer > s) report(`stage ${s} reads \`${e.buffer}\`, which the later stage ${writer} stores`);
          else if (writer === s && (di !== 0 || dj !== 0)) {
            report(
              `stage ${s} reads \`${e.buffer}\` at offset [${di}, ${dj}] and stores it: neighbours would be half updated`,
            );
          } else if (writer < s && di > stage.rowLag - loop.stages[writer].rowLag) {
            report(
              `stage ${s} reads \`${e.buffer}\` ${di} rows ahead, but runs only ${stage.rowLag - loop.stages[writer].rowLag} rows behind stage ${writer}, which stores it`,
            );
          }
        }
      }
      if (st.kind === "let") {
        if (temps.has(st.name)) report(`stage ${s}: \`${st.name}\` is let twice`);
        temps.add(st.name);
      }
    }
  });
}

function verifyProduct(step: MatmulStep | MatvecStep, buffers: Map<string, BufferDecl>, report: Report): void {
  const rhs = step.kind === "matmul" ? step.b : step.x;
  const [a, b, out] = [buffers.get(step.a), buffers.get(rhs), buffers.get(step.out)];
  for (const [name, decl] of [
    [step.a, a],
    [rhs, b],
    [step.out, out],
  ] as const)
    if (!decl) report(`\`${name}\` is not declared`);
  if (!a || !b || !out) return;
  if (a.dtype !== b.dtype || a.dtype !== out.dtype) report(`mixed dtypes ${a.dtype}, ${b.dtype}, ${out.dtype}`);
  if (out.name === a.name || out.name === b.name) report(`the output \`${out.name}\` aliases an input`);
  // matmul takes a row vector a[k] as the matrix [1, k]; its output is then the row out[n].
  const row = step.kind === "matmul" && a.shape.length === 1;
  if (a.shape.length !== 2 && !row) return report(`\`${a.name}\` must be a matrix, is [${a.shape}]`);
  const [m, k] = row ? [1, a.shape[0]] : a.shape;
  if (step.kind === "matmul") {
    if (b.shape.length !== 2 || b.shape[0] !== k) return report(`[${a.shape}] @ [${b.shape}] do not fit`);
    const want = row ? [b.shape[1]] : [m, b.shape[1]];
    if (out.shape.length !== want.length || out.shape.some((d, i) => d !== want[i]))
      report(`the output is [${out.shape}], the product [${want}]`);
  } else {
    if (b.shape.length !== 1 || b.shape[0] !== k) return report(`[${a.shape}] @ [${b.shape}] do not fit`);
    if (out.shape.length !== 1 || out.shape[0] !== m) report(`the output is [${out.shape}], the product [${m}]`);
  }
}

function verifyScalarStep(step: ScalarStep, scalars: Set<string>, report: Report): void {
  for (const { reg, expr } of step.assigns) {
    if (!scalars.has(reg)) report(`an assignment to the undeclared scalar \`${reg}\``);
    for (const e of walkExpr(expr)) {
      if (e.kind === "read" || e.kind === "temp")
        report(`a scalar step cannot use a ${e.kind} (\`${e.kind === "read" ? e.buffer : e.name}\`)`);
      if (e.kind === "parity") report("a scalar step has no lane colour (parity)");
      if (e.kind === "scalar" && !scalars.has(e.reg)) report(`a read of the undeclared scalar \`${e.reg}\``);
    }
  }
}
