// A fast path for the commonest cell: a plain decimal number read straight from the bytes,
// without making a string. It takes the mantissa's digits as an integer m and the exponent e;
// when m < 2^53 and |e| ≤ 22, both m and 10^|e| are exact doubles, so m × 10^e (or m / 10^-e)
// is one correctly rounded operation — the same double `Number(text)` gives (Clinger's fast
// path). Anything else returns undefined and takes the general path.

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const SPACE = 0x20;
const TAB = 0x09;

export function fastDecimal(buf: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  while (i < end && (buf[i] === SPACE || buf[i] === TAB)) i++;
  while (end > i && (buf[end - 1] === SPACE || buf[end - 1] === TAB)) end--;
  const negative = buf[i] === 0x2d;
  if (negative || buf[i] === 0x2b) i++;
  let m = 0;
  let digits = 0;
  let scale = 0;
  for (; i < end && isDigit(buf[i]); i++, digits++) m = m * 10 + (buf[i] - 0x30);
  if (i < end && buf[i] === 0x2e) {
    for (i++; i < end && isDigit(buf[i]); i++, digits++, scale--) m = m * 10 + (buf[i] - 0x30);
  }
  if (digits === 0 || digits > 15) return undefined;
  let e = 0;
  if (i < end && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    const expNegative = buf[i] === 0x2d;
    if (expNegative || buf[i] === 0x2b) i++;
    const from = i;
    for (; i < end && isDigit(buf[i]) && i - from < 4; i++) e = e * 10 + (buf[i] - 0x30);
    if (i === from) return undefined;
    if (expNegative) e = -e;
  }
  if (i !== end) return undefined;
  const p = e + scale;
  if (p < -22 || p > 22) return undefined;
  const v = p >= 0 ? m * POW10[p] : m / POW10[-p];
  return negative ? -v : v;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
