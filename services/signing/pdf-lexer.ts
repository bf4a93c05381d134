// Just enough of the PDF object syntax (ISO 32000-1 §7.3) to read a signature dictionary in
// place, with byte offsets. The verifier must look at the bytes that were signed, not at an
// object model rebuilt by a lenient parser.

export type PdfValue =
  | { kind: 'number'; value: number }
  | { kind: 'name'; value: string }
  | { kind: 'string'; value: Buffer; start: number; end: number }
  | { kind: 'array'; items: PdfValue[] }
  /**
   * `duplicates`: keys written more than once in this dictionary (not in the ones nested in it).
   * `entries` keeps the last occurrence, but readers disagree (poppler's lookup, once a dictionary
   * has 32 entries or more, may return an earlier one), so a caller that must see what a viewer
   * sees cannot trust such a dictionary (duplicate-keys.ts).
   */
  | { kind: 'dict'; entries: Map<string, PdfValue>; duplicates?: string[] }
  | { kind: 'ref'; objectNumber: number; generation: number }
  | { kind: 'keyword'; value: string };

export const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
export const DELIMITERS = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

export class PdfSyntaxError extends Error {
  override name = 'PdfSyntaxError';
}

export function skipWhitespace(buf: Buffer, pos: number): number {
  while (pos < buf.length) {
    const c = buf[pos] ?? 0;
    if (WHITESPACE.has(c)) pos++;
    else if (c === 0x25) while (pos < buf.length && buf[pos] !== 0x0a && buf[pos] !== 0x0d) pos++; // comment
    else break;
  }
  return pos;
}

function regularRun(buf: Buffer, pos: number): number {
  while (pos < buf.length && !WHITESPACE.has(buf[pos] ?? 0) && !DELIMITERS.has(buf[pos] ?? 0)) pos++;
  return pos;
}

const ESCAPES: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, b: 0x08, f: 0x0c };

function literalString(buf: Buffer, start: number): { value: Buffer; end: number } {
  const out: number[] = [];
  let depth = 1;
  let pos = start + 1;
  while (pos < buf.length) {
    const c = buf[pos++] ?? 0;
    if (c === 0x5c) {
      const n = buf[pos++] ?? 0;
      const ch = String.fromCharCode(n);
      if (ch in ESCAPES) out.push(ESCAPES[ch] ?? 0);
      else if (n >= 0x30 && n <= 0x37) {
        let oct = ch;
        while (oct.length < 3 && (buf[pos] ?? 0) >= 0x30 && (buf[pos] ?? 0) <= 0x37) oct += String.fromCharCode(buf[pos++] ?? 0);
        out.push(parseInt(oct, 8) & 0xff);
      } else if (n === 0x0d) {
        if (buf[pos] === 0x0a) pos++; // line continuation
      } else if (n !== 0x0a) out.push(n);
    } else if (c === 0x28) {
      depth++;
      out.push(c);
    } else if (c === 0x29) {
      if (--depth === 0) return { value: Buffer.from(out), end: pos };
      out.push(c);
    } else out.push(c);
  }
  throw new PdfSyntaxError(`unterminated string at offset ${start}`);
}

function hexString(buf: Buffer, start: number): { value: Buffer; end: number } {
  const close = buf.indexOf(0x3e, start);
  if (close < 0) throw new PdfSyntaxError(`unterminated hex string at offset ${start}`);
  let hex = buf.toString('latin1', start + 1, close).replace(/[\s\0]/g, '');
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new PdfSyntaxError(`bad hex string at offset ${start}`);
  if (hex.length % 2) hex += '0';
  return { value: Buffer.from(hex, 'hex'), end: close + 1 };
}

/** Parses one value starting at `pos` (after whitespace). Indirect references are recognised. */
export function parseValue(buf: Buffer, pos: number, depth = 0): { value: PdfValue; end: number } {
  if (depth > 32) throw new PdfSyntaxError('objects nested too deeply');
  pos = skipWhitespace(buf, pos);
  const c = buf[pos];
  if (c === undefined) throw new PdfSyntaxError('unexpected end of file');
  if (c === 0x2f) {
    const end = regularRun(buf, pos + 1);
    const name = buf.toString('latin1', pos + 1, end).replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return { value: { kind: 'name', value: name }, end };
  }
  if (c === 0x28) {
    const s = literalString(buf, pos);
    return { value: { kind: 'string', value: s.value, start: pos, end: s.end }, end: s.end };
  }
  if (c === 0x3c && buf[pos + 1] === 0x3c) {
    const entries = new Map<string, PdfValue>();
    let duplicates: string[] | undefined;
    let p = pos + 2;
    for (;;) {
      p = skipWhitespace(buf, p);
      if (buf[p] === 0x3e && buf[p + 1] === 0x3e) return { value: { kind: 'dict', entries, ...(duplicates ? { duplicates } : {}) }, end: p + 2 };
      const key = parseValue(buf, p, depth + 1);
      if (key.value.kind !== 'name') throw new PdfSyntaxError(`dictionary key expected at offset ${p}`);
      const val = parseValue(buf, key.end, depth + 1);
      if (entries.has(key.value.value) && !duplicates?.includes(key.value.value)) (duplicates ??= []).push(key.value.value);
      entries.set(key.value.value, val.value);
      p = val.end;
    }
  }
  if (c === 0x3c) {
    const s = hexString(buf, pos);
    return { value: { kind: 'string', value: s.value, start: pos, end: s.end }, end: s.end };
  }
  if (c === 0x5b) {
    const items: PdfValue[] = [];
    let p = pos + 1;
    for (;;) {
      p = skipWhitespace(buf, p);
      if (buf[p] === 0x5d) return { value: { kind: 'array', items }, end: p + 1 };
      const item = parseValue(buf, p, depth + 1);
      items.push(item.value);
      p = item.end;
    }
  }
  const end = regularRun(buf, pos);
  if (end === pos) throw new PdfSyntaxError(`unexpected character at offset ${pos}`);
  const token = buf.toString('latin1', pos, end);
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(token)) {
    // "N G R" is a reference: look ahead without consuming when it is not
    const ref = /^\s+(\d+)\s+R(?![^\s\[\]<>()\/%])/.exec(buf.toString('latin1', end, end + 24));
    if (/^\d+$/.test(token) && ref) {
      return { value: { kind: 'ref', objectNumber: Number(token), generation: Number(ref[1]) }, end: end + ref[0].length };
    }
    return { value: { kind: 'number', value: Number(token) }, end };
  }
  return { value: { kind: 'keyword', value: token }, end };
}
