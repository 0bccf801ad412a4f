// Reading a text data file once, in chunks, so a file of hundreds of megabytes never sits in
// memory as one string (V8 cannot even make a string that long). The consumer takes whole
// records from each chunk and says how many bytes it used; the rest is carried into the next.
import { closeSync, openSync, readSync } from "node:fs";

export const CHUNK_BYTES = 1 << 22;

/**
 * Calls `consume(buffer, final)` with successive pieces of the file; `buffer` starts with the
 * bytes the previous call left unused. The last call has `final` set and holds only what was
 * left (possibly nothing). A leading UTF-8 byte-order mark is dropped.
 */
export function streamFile(path: string, consume: (buf: Buffer, final: boolean) => number, chunkBytes = CHUNK_BYTES): void {
  const fd = openSync(path, "r");
  try {
    let position = hasBom(fd) ? 3 : 0;
    let carry: Buffer = Buffer.alloc(0);
    for (;;) {
      // The unfinished record carried over goes first, and the file is read in right after it.
      const buf = Buffer.allocUnsafe(carry.length + chunkBytes);
      carry.copy(buf);
      const n = readSync(fd, buf, carry.length, chunkBytes, position);
      if (n === 0) break;
      position += n;
      const filled = buf.subarray(0, carry.length + n);
      carry = filled.subarray(consume(filled, false));
    }
    consume(carry, true);
  } finally {
    closeSync(fd);
  }
}

function hasBom(fd: number): boolean {
  const head = Buffer.alloc(3);
  return readSync(fd, head, 0, 3, 0) === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
}
