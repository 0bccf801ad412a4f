// A growable byte buffer with the WebAssembly binary format's primitive encodings: LEB128
// integers, little-endian IEEE floats, length-prefixed names and vectors.
// (https://webassembly.github.io/spec/core/binary/values.html)

export class ByteWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  /** Scratch for float encodings (one allocation per writer, not per constant). */
  private readonly scratch = new DataView(new ArrayBuffer(8));

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): this {
    this.reserve(1);
    this.buf[this.len++] = b & 0xff;
    return this;
  }

  bytes(bs: ArrayLike<number>): this {
    this.reserve(bs.length);
    for (let i = 0; i < bs.length; i++) this.buf[this.len++] = bs[i] & 0xff;
    return this;
  }

  /** Unsigned LEB128 (u32: counts, indices, alignments, offsets). */
  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new Error(`internal error: u32 out of range: ${value}`);
    }
    let v = value;
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
    return this;
  }

  /** Signed LEB128 of a 32-bit integer (i32.const immediates). */
  s32(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
      throw new Error(`internal error: i32 constant out of range: ${value}`);
    }
    // Values in [2^31, 2^32) are written as their two's-complement i32 (an address above 2 GiB).
    let v = value | 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  f32(value: number): this {
    this.scratch.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.byte(this.scratch.getUint8(i));
    return this;
  }

  f64(value: number): this {
    this.scratch.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.byte(this.scratch.getUint8(i));
    return this;
  }

  /** A UTF-8 name, length-prefixed. */
  name(text: string): this {
    const encoded = new TextEncoder().encode(text);
    return this.u32(encoded.length).bytes(encoded);
  }

  /** Appends another writer's bytes, prefixed by their length (sections, function bodies). */
  sized(inner: ByteWriter): this {
    this.u32(inner.length);
    this.reserve(inner.length);
    this.buf.set(inner.buf.subarray(0, inner.len), this.len);
    this.len += inner.len;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
