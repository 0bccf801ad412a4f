// A QR factorisation ΔF = Q R kept up to date as columns come and go: the stable least squares
// of Anderson acceleration (Walker & Ni 2011, §4: "QR with column updates", dropping the oldest
// columns when R becomes ill-conditioned). Q's columns are tensors on the device, orthonormalised
// by modified Gram–Schmidt (with one more pass when the first cancelled too much, as in GMRES);
// R is small and lives on the host in float64. Each column carries a companion tensor (Anderson's
// ΔG = ΔX + βΔF) that is dropped with it.
//
// With y = Qᵀf kept alongside, min ‖f − ΔF γ‖ is R γ = y: no normal equations, so the accuracy
// is that of cond(ΔF), not its square.
import { givens } from "./small-lstsq.js";
import { flatDot, type Tensor, type Tf } from "./stopping.js";

/** A new column, orthogonalised against Q: what `append` needs, computed with the caller's other inner products. */
export interface Orthogonalised<T extends Tensor = Tensor> {
  /** The column after Gram–Schmidt (not yet normalised), owned by the caller until appended. */
  w: T;
  /** ⟨q_i, column⟩ for the current columns. */
  coeffs: number[];
  /** ‖column‖² before and ‖w‖² after. */
  before: number;
  after: number;
}

/** w ≤ this × the column's norm: the column lies in the span of the others and is not stored. */
export const DEPENDENT = 1e-6;
const REORTH = Math.SQRT1_2;

export class ColumnQR<T extends Tensor = Tensor> {
  readonly Q: T[] = [];
  readonly companions: T[] = [];
  /** R[i][j] for j ≥ i (upper triangular), p × p. */
  R: number[][] = [];

  constructor(private readonly tf: Tf<T>) {}

  get size(): number {
    return this.Q.length;
  }

  /**
   * Inside a tidy: the scalars to read back for a new column v — ‖v‖², then ⟨q_i, w⟩ as Gram–
   * Schmidt goes — and w itself. `read` turns the read-back values into an Orthogonalised<T>.
   */
  orthogonalise(v: T): { w: T; stats: T[] } {
    const tf = this.tf;
    let w = v;
    const stats: T[] = [flatDot(tf, v, v)];
    for (const q of this.Q) {
      const c = flatDot(tf, q, w);
      w = tf.sub(w, tf.mul(c, q));
      stats.push(c);
    }
    stats.push(flatDot(tf, w, w));
    return { w, stats };
  }

  /** The Orthogonalised<T> from the read-back `stats` (and a second pass on the device when needed). */
  finish(w: T, values: readonly number[]): Orthogonalised<T> {
    const p = this.Q.length;
    const before = values[0];
    const coeffs = values.slice(1, 1 + p);
    let after = values[1 + p];
    if (p > 0 && Number.isFinite(after) && after > 0 && after < REORTH * REORTH * before) {
      const second = this.tf.tidy(() => {
        const o = this.orthogonalise(w);
        return { w: o.w, stats: this.tf.stack(o.stats) };
      });
      const more = [...second.stats.dataSync()];
      second.stats.dispose();
      w.dispose();
      w = second.w;
      for (let i = 0; i < p; i++) coeffs[i] += more[1 + i];
      after = more[1 + p];
    }
    return { w, coeffs, before, after };
  }

  /** Whether the orthogonalised column adds a direction (finite, not in the span of Q). */
  static usable<U extends Tensor>(o: Orthogonalised<U>): boolean {
    return [o.before, o.after, ...o.coeffs].every(Number.isFinite) && o.after > DEPENDENT * DEPENDENT * o.before && o.before > 0;
  }

  /** Appends the column (normalising w, which it takes over) with its companion; returns ⟨q_new, f⟩ from ⟨w, f⟩. */
  append(o: Orthogonalised<T>, companion: T, wf: number): number {
    const rho = Math.sqrt(o.after);
    this.Q.push(this.tf.tidy(() => this.tf.div(o.w, rho)));
    o.w.dispose();
    this.companions.push(companion);
    for (let i = 0; i < this.R.length; i++) this.R[i].push(o.coeffs[i]);
    this.R.push([...new Array<number>(this.R.length).fill(0), rho]);
    return wf / rho;
  }

  /**
   * Removes the oldest column: R without its first column is upper Hessenberg; Givens rotations
   * on consecutive rows make it triangular again, and the same rotations applied to Q's columns
   * (and to y = Qᵀf, given and returned) keep Q R = ΔF and y = Qᵀ f.
   */
  dropOldest(y: number[]): number[] {
    const tf = this.tf;
    const p = this.Q.length;
    const H = this.R.map((row) => row.slice(1));
    const Q = [...this.Q];
    const out = [...y];
    for (let i = 0; i < p - 1; i++) {
      const { c, s } = givens(H[i][i], H[i + 1][i]);
      for (let j = i; j < p - 1; j++) {
        const [a, b] = [H[i][j], H[i + 1][j]];
        H[i][j] = c * a + s * b;
        H[i + 1][j] = -s * a + c * b;
      }
      H[i + 1][i] = 0; // what the rotation eliminates, exactly (not a rounding residue)
      [out[i], out[i + 1]] = [c * out[i] + s * out[i + 1], -s * out[i] + c * out[i + 1]];
      const [qa, qb] = [Q[i], Q[i + 1]];
      Q[i] = tf.tidy(() => tf.add(tf.mul(c, qa), tf.mul(s, qb)));
      Q[i + 1] = tf.tidy(() => tf.sub(tf.mul(c, qb), tf.mul(s, qa)));
      // Each tensor is replaced once: qa was made by the previous rotation (or is q_0), qb is q_{i+1}.
      tf.dispose([qa, qb]);
    }
    // The last column of Q·Gᵀ and the last row of G·R (now zero) go.
    Q.pop()?.dispose();
    this.Q.splice(0, this.Q.length, ...Q);
    this.R = H.slice(0, p - 1).map((row) => row.slice(0, p - 1));
    this.companions.shift()?.dispose();
    return out.slice(0, p - 1);
  }

  clear(): void {
    this.tf.dispose([...this.Q, ...this.companions]);
    this.Q.length = 0;
    this.companions.length = 0;
    this.R = [];
  }
}
