// Values of unknown count gathered into one Float32Array: blocks while reading, one exact copy
// at the end, so the peak is the data plus one block-list of it, never a doubling array.

const BLOCK = 1 << 16;

export class FloatSink {
  private blocks: Float32Array[] = [];
  private current = new Float32Array(BLOCK);
  private used = 0;
  length = 0;

  push(v: number): void {
    if (this.used === BLOCK) {
      this.blocks.push(this.current);
      this.current = new Float32Array(BLOCK);
      this.used = 0;
    }
    this.current[this.used++] = v;
    this.length++;
  }

  /** All values, in order; the sink is empty afterwards. */
  finish(): Float32Array {
    const out = new Float32Array(this.length);
    let at = 0;
    for (const b of this.blocks) {
      out.set(b, at);
      at += b.length;
    }
    out.set(this.current.subarray(0, this.used), at);
    this.blocks = [];
    this.current = new Float32Array(0);
    this.used = 0;
    this.length = 0;
    return out;
  }
}
