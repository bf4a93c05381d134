import { decodeAt } from '../asn1/der';
import type { ByteRange } from './pdf-placeholder';
import { parseValue, PdfValue } from './pdf-lexer';
import { decodePdfTextBytes, parsePdfDate } from './pdf-text';

// Signature dictionaries are found by scanning the raw bytes for /ByteRange. They can never sit
// in compressed object streams (their /Contents offsets must be real file offsets), so a byte
// scan sees every one of them, across all incremental updates, including ones no field links to.
// The scan is linear in the file size: object headers are listed in one forward pass, each hit
// is placed in its object by binary search, and each object is parsed once, never past the next
// object's header — a file of repeated "/ByteRange" costs one pass, not one pass per hit.

export interface FoundSignature {
  /** Offset of the "N G obj" header of the object holding the signature dictionary. */
  objectOffset: number;
  byteRange: ByteRange | null;
  /** Offsets of the /Contents string including its delimiters: [start, end). */
  contentsSpan: [number, number] | null;
  /** The CMS, with the zero padding after its DER encoding removed. */
  contents: Buffer;
  type: string | null;
  filter: string | null;
  subFilter: string | null;
  /** /M — the signer's claimed signing time. */
  signingTime: Date | null;
  reason: string | null;
  location: string | null;
  signerName: string | null;
  contactInfo: string | null;
  /** /P of a DocMDP transform in /Reference (a certification signature), else null. */
  docMdpPermissions: number | null;
  /** Set when the object holding the signature dictionary cannot be parsed (e.g. /Contents is not a hex string): reported, never dropped. */
  unreadable?: string;
}

/** Thrown when locating signatures runs past its time budget. */
export class ScanBudgetError extends Error {
  override name = 'ScanBudgetError';
}

const OBJ_HEADER = /(\d+)\s+(\d+)\s+$/;

interface ObjectMarks {
  /** Offsets of "N G obj" headers and where their bodies start, ascending. */
  headers: number[];
  bodies: number[];
  /** Offsets just after each "endobj", ascending. */
  ends: number[];
}

function objectMarks(pdf: Buffer, deadline: number): ObjectMarks {
  const marks: ObjectMarks = { headers: [], bodies: [], ends: [] };
  let n = 0;
  for (let at = pdf.indexOf('obj', 0, 'latin1'); at >= 0; at = pdf.indexOf('obj', at + 3, 'latin1')) {
    if ((++n & 0xffff) === 0 && Date.now() > deadline) throw new ScanBudgetError('locating signatures ran out of time');
    if (at >= 3 && pdf[at - 1] === 0x64 && pdf[at - 2] === 0x6e && pdf[at - 3] === 0x65) {
      marks.ends.push(at + 3);
      continue;
    }
    const m = OBJ_HEADER.exec(pdf.toString('latin1', Math.max(0, at - 24), at));
    if (m) {
      marks.headers.push(at - m[0].length);
      marks.bodies.push(at + 3);
    }
  }
  return marks;
}

/** Index of the last value <= pos in an ascending array, -1 when none. */
function lastAtOrBefore(sorted: number[], pos: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) <= pos) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function signatureDicts(value: PdfValue, out: Map<string, PdfValue>[], depth = 0): void {
  if (depth > 4) return;
  if (value.kind === 'dict') {
    // a /ByteRange without a readable /Contents is still a signature (one we cannot read)
    if (value.entries.has('ByteRange') && (value.entries.has('Contents') || isSignatureType(value.entries))) out.push(value.entries);
    for (const v of value.entries.values()) signatureDicts(v, out, depth + 1);
  } else if (value.kind === 'array') {
    for (const v of value.items) signatureDicts(v, out, depth + 1);
  }
}

const nameOf = (v: PdfValue | undefined): string | null => (v?.kind === 'name' ? v.value : null);
const isSignatureType = (e: Map<string, PdfValue>): boolean => ['Sig', 'DocTimeStamp'].includes(nameOf(e.get('Type')) ?? '');
const textOf = (v: PdfValue | undefined): string | null => (v?.kind === 'string' ? decodePdfTextBytes(v.value) : null);

function byteRangeOf(v: PdfValue | undefined): ByteRange | null {
  if (v?.kind !== 'array' || v.items.length !== 4) return null;
  const nums = v.items.map((i) => (i.kind === 'number' && Number.isSafeInteger(i.value) && i.value >= 0 ? i.value : -1));
  return nums.every((n) => n >= 0) ? (nums as ByteRange) : null;
}

function trimDer(contents: Buffer): Buffer {
  try {
    return decodeAt(contents).raw;
  } catch {
    return contents; // left for the CMS parser to reject with a precise message
  }
}

function docMdp(entries: Map<string, PdfValue>): number | null {
  const refs = entries.get('Reference');
  for (const r of refs?.kind === 'array' ? refs.items : []) {
    if (r.kind !== 'dict' || nameOf(r.entries.get('TransformMethod')) !== 'DocMDP') continue;
    const params = r.entries.get('TransformParams');
    const p = params?.kind === 'dict' ? params.entries.get('P') : undefined;
    return p?.kind === 'number' && [1, 2, 3].includes(p.value) ? p.value : 2; // ISO 32000-1 §12.8.2.2: default 2
  }
  return null;
}

function describe(entries: Map<string, PdfValue>, objectOffset: number): FoundSignature {
  const contents = entries.get('Contents');
  const m = textOf(entries.get('M'));
  return {
    objectOffset,
    byteRange: byteRangeOf(entries.get('ByteRange')),
    contentsSpan: contents?.kind === 'string' ? [contents.start, contents.end] : null,
    contents: contents?.kind === 'string' ? trimDer(contents.value) : Buffer.alloc(0),
    type: nameOf(entries.get('Type')),
    filter: nameOf(entries.get('Filter')),
    subFilter: nameOf(entries.get('SubFilter')),
    signingTime: m === null ? null : parsePdfDate(m),
    reason: textOf(entries.get('Reason')),
    location: textOf(entries.get('Location')),
    signerName: textOf(entries.get('Name')),
    contactInfo: textOf(entries.get('ContactInfo')),
    docMdpPermissions: docMdp(entries),
  };
}

const SIGNATURE_KEYS = /\/ByteRange\s*\[[\s\d]*\]/;

/** Whether an object that does not parse has a signature dictionary's /ByteRange array and a /Contents key. */
function looksLikeSignature(window: Buffer, body: number): boolean {
  const text = window.toString('latin1', body, Math.min(window.length, body + 256 * 1024));
  return SIGNATURE_KEYS.test(text) && text.includes('/Contents');
}

/** A signature whose dictionary cannot be parsed: what can be read of it, and why the rest cannot. */
function unreadableAt(header: number, window: Buffer, body: number, why: string): FoundSignature {
  const text = window.toString('latin1', body, Math.min(window.length, body + 256 * 1024));
  const range = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text);
  const name = (key: string): string | null => new RegExp(`/${key}\\s*/([A-Za-z0-9.#_-]+)`).exec(text)?.[1] ?? null;
  return {
    objectOffset: header,
    byteRange: range ? (range.slice(1, 5).map(Number) as ByteRange) : null,
    contentsSpan: null, contents: Buffer.alloc(0),
    type: name('Type'), filter: name('Filter'), subFilter: name('SubFilter'),
    signingTime: null, reason: null, location: null, signerName: null, contactInfo: null, docMdpPermissions: null,
    unreadable: `từ điển chữ ký không đọc được (${why})`,
  };
}

/** Every signature dictionary in the file, in file order (so the last one is the newest). */
export function findSignatures(pdf: Uint8Array, budgetMs = Number.POSITIVE_INFINITY): FoundSignature[] {
  const buf = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const deadline = Date.now() + budgetMs;
  const found: FoundSignature[] = [];
  const first = buf.indexOf('/ByteRange', 0, 'latin1');
  if (first < 0) return found;
  const marks = objectMarks(buf, deadline);
  const seen = new Set<number>();
  let n = 0;
  for (let hit = first; hit >= 0; hit = buf.indexOf('/ByteRange', hit + 1, 'latin1')) {
    if ((++n & 0x3ff) === 0 && Date.now() > deadline) throw new ScanBudgetError('locating signatures ran out of time');
    const i = lastAtOrBefore(marks.headers, hit);
    if (i < 0 || seen.has(i)) continue;
    const header = marks.headers[i] ?? 0;
    const body = marks.bodies[i] ?? 0;
    const endBefore = lastAtOrBefore(marks.ends, hit);
    if (endBefore >= 0 && (marks.ends[endBefore] ?? 0) > header) continue; // between objects
    seen.add(i);
    // never parse past the next object's header or this object's endobj
    const nextHeader = marks.headers[i + 1] ?? buf.length;
    const nextEnd = marks.ends[endBefore + 1] ?? buf.length;
    const window = buf.subarray(0, Math.min(nextHeader, nextEnd));
    let value: PdfValue;
    try {
      value = parseValue(window, body).value;
    } catch (err) {
      // an object with a signature's keys that cannot be read is an unreadable signature, not no
      // signature: one wrong character in /Contents must not turn a signed file into an unsigned one
      if (looksLikeSignature(window, body)) found.push(unreadableAt(header, window, body, (err as Error).message));
      continue;
    }
    const dicts: Map<string, PdfValue>[] = [];
    signatureDicts(value, dicts);
    for (const entries of dicts) found.push(describe(entries, header));
  }
  return found;
}
