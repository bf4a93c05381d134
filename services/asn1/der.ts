// A deliberately small DER encoder/decoder working on Buffers.
// node-forge's asn1 works on binary strings and loses byte offsets; the signer needs exact bytes
// (signed attributes are signed as encoded) and the verifier needs raw slices (issuer names,
// certificates), so both use this module instead.

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export class DerError extends Error {
  override name = 'DerError';
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

export const sequence = (...items: Buffer[]): Buffer => tlv(Tag.SEQUENCE, ...items);

/** DER requires SET OF members in ascending order of their encodings; signed attributes depend on it. */
export function setOf(items: Buffer[]): Buffer {
  return tlv(Tag.SET, ...[...items].sort(Buffer.compare));
}

/** Context-specific constructed tag: [n] EXPLICIT, or [n] IMPLICIT over a constructed type. */
export const contextTag = (n: number, ...content: Buffer[]): Buffer => tlv(0xa0 | n, ...content);

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map((p) => Number(p));
  const [first, second, ...rest] = parts;
  if (first === undefined || second === undefined || parts.some((p) => !Number.isSafeInteger(p) || p < 0)) {
    throw new DerError(`invalid OID "${dotted}"`);
  }
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const chunk: number[] = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(Tag.OID, Buffer.from(bytes));
}

/** Unsigned big-endian magnitude → minimal positive INTEGER. */
export function unsignedInteger(magnitude: Buffer | number): Buffer {
  let bytes = typeof magnitude === 'number' ? numberBytes(magnitude) : magnitude;
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(Tag.INTEGER, bytes);
}

function numberBytes(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new DerError(`cannot encode ${n} as an unsigned INTEGER`);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from(bytes.length ? bytes : [0]);
}

export const octetString = (b: Buffer): Buffer => tlv(Tag.OCTET_STRING, b);
export const bitString = (b: Buffer, unusedBits = 0): Buffer => tlv(Tag.BIT_STRING, Buffer.from([unusedBits]), b);
export const derNull = (): Buffer => Buffer.from([Tag.NULL, 0]);
export const boolean = (v: boolean): Buffer => tlv(Tag.BOOLEAN, Buffer.from([v ? 0xff : 0]));
export const utf8String = (s: string): Buffer => tlv(Tag.UTF8_STRING, Buffer.from(s, 'utf8'));
export const printableString = (s: string): Buffer => tlv(Tag.PRINTABLE_STRING, Buffer.from(s, 'ascii'));

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function x509Time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  return date.getUTCFullYear() < 2050
    ? tlv(Tag.UTC_TIME, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
    : tlv(Tag.GENERALIZED_TIME, Buffer.from(`${digits}Z`, 'ascii'));
}

/** GeneralizedTime in UTC; milliseconds only when non-zero, as DER forbids trailing zeros (RFC 3161 genTime). */
export function generalizedTime(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return tlv(Tag.GENERALIZED_TIME, Buffer.from(`${digits}${fraction ? `.${fraction}` : ''}Z`, 'ascii'));
}

// ---------------------------------------------------------------- decoding

export interface DerNode {
  tag: number;
  /** The whole TLV (for an indefinite length, up to and including its end-of-contents octets). */
  raw: Buffer;
  /** The value bytes only (without the end-of-contents octets). */
  content: Buffer;
  /** BER indefinite-length form (constructed only). */
  indefinite?: boolean;
}

const MAX_NESTING = 64;

/**
 * Decodes one TLV at `offset`. BER is accepted as well as DER: indefinite lengths (ended by two
 * zero octets) on constructed values, as older signing tools write them for CMS. Constructed
 * strings are kept as such; octetsOf() joins their segments.
 */
export function decodeAt(buf: Buffer, offset = 0, depth = 0): DerNode {
  if (depth > MAX_NESTING) throw new DerError('ASN.1 nested too deeply');
  const tag = buf[offset];
  const first = buf[offset + 1];
  if (tag === undefined || first === undefined) throw new DerError(`truncated DER at offset ${offset}`);
  if ((tag & 0x1f) === 0x1f) throw new DerError('high-tag-number form is not supported');
  let length = first;
  let header = 2;
  if (first === 0x80) {
    if (!(tag & 0x20)) throw new DerError(`indefinite length on a primitive value at offset ${offset}`);
    let pos = offset + 2;
    for (;;) {
      if (pos + 1 >= buf.length) throw new DerError(`indefinite-length value at offset ${offset} has no end-of-contents`);
      if (buf[pos] === 0 && buf[pos + 1] === 0) break;
      pos += decodeAt(buf, pos, depth + 1).raw.length;
    }
    return { tag, raw: buf.subarray(offset, pos + 2), content: buf.subarray(offset + 2, pos), indefinite: true };
  }
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count > 4) throw new DerError('DER length too large');
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = buf[offset + 2 + i];
      if (b === undefined) throw new DerError('truncated DER length');
      length = length * 256 + b;
    }
    header += count;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new DerError(`DER value at offset ${offset} runs past the end of its buffer`);
  return { tag, raw: buf.subarray(offset, end), content: buf.subarray(offset + header, end) };
}

export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let pos = 0; pos < node.content.length; ) {
    const child = decodeAt(node.content, pos);
    out.push(child);
    pos += child.raw.length;
  }
  return out;
}

/** The bytes of a string value, joining the segments of a BER constructed string. */
export function octetsOf(node: DerNode): Buffer {
  if (!(node.tag & 0x20)) return node.content;
  return Buffer.concat(children(node).map(octetsOf));
}

/** Re-encodes a BER value with definite lengths (DER-shaped), e.g. signed attributes whose signature covers their DER form. */
export function toDefinite(node: DerNode): Buffer {
  if (!(node.tag & 0x20) || !containsIndefinite(node)) return node.raw;
  return tlv(node.tag, ...children(node).map(toDefinite));
}

function containsIndefinite(node: DerNode): boolean {
  return !!node.indefinite || node.content.length > 0 && (node.tag & 0x20) !== 0 && children(node).some(containsIndefinite);
}

/** Children of a constructed node, asserting its tag; throws with `what` in the message. */
export function expectChildren(node: DerNode | undefined, tag: number, what: string): DerNode[] {
  if (!node || node.tag !== tag) {
    throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got ${node ? `0x${node.tag.toString(16)}` : 'nothing'}`);
  }
  return children(node);
}

export function decodeOid(node: DerNode | undefined): string {
  if (!node || node.tag !== Tag.OID) throw new DerError('expected an OBJECT IDENTIFIER');
  const arcs: number[] = [];
  let value = 0;
  for (const b of node.content) {
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (arcs.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        arcs.push(first, value - first * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
    }
  }
  return arcs.join('.');
}

/** Decodes the directory-string types that appear in certificate names. */
export function decodeString(node: DerNode): string {
  switch (node.tag) {
    case Tag.UTF8_STRING:
      return node.content.toString('utf8');
    case Tag.BMP_STRING:
      return Buffer.from(node.content).swap16().toString('utf16le');
    default:
      // PrintableString, IA5String, TeletexString (treated as Latin-1, as most toolkits do)
      return node.content.toString('latin1');
  }
}

/** UTCTime or GeneralizedTime (Z form, optional fraction) → Date; throws on anything else. */
export function decodeTime(node: DerNode | undefined): Date {
  const text = node?.content.toString('latin1') ?? '';
  const m =
    node?.tag === Tag.GENERALIZED_TIME
      ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/.exec(text)
      : node?.tag === Tag.UTC_TIME
        ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})()Z$/.exec(text)
        : null;
  if (!m) throw new DerError(`expected a UTC time, got "${text}"`);
  const year = m[1]!.length === 2 ? (Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]) : Number(m[1]);
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
}

/** A small non-negative INTEGER as a number (versions, status codes); throws when it is not one. */
export function decodeSmallInteger(node: DerNode | undefined): number {
  if (!node || node.tag !== Tag.INTEGER || node.content.length === 0 || node.content.length > 6 || (node.content[0] ?? 0) & 0x80) {
    throw new DerError('expected a small non-negative INTEGER');
  }
  return node.content.reduce((n, b) => n * 256 + b, 0);
}
