import { decodeAt } from './der';
import type { ByteRange } from './pdf-placeholder';
import { parseValue, PdfValue } from './pdf-lexer';
import { decodePdfTextBytes, parsePdfDate } from './pdf-text';

// Signature dictionaries are found by scanning the raw bytes for /ByteRange. They can never sit
// in compressed object streams (their /Contents offsets must be real file offsets), so a byte
// scan sees every one of them, across all incremental updates, including ones no field links to.

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
}

const OBJ_HEADER = /(\d+)\s+(\d+)\s+$/;

/** The "N G obj" header enclosing `pos` and where its body starts; -1 when `pos` is outside any object. */
function enclosingObject(pdf: Buffer, pos: number): { header: number; body: number } {
  let at = pos;
  for (;;) {
    // guard: a negative offset would make lastIndexOf search from the end of the buffer
    if (at <= 0) return { header: -1, body: -1 };
    at = pdf.lastIndexOf('obj', at - 1, 'latin1');
    if (at < 0) return { header: -1, body: -1 };
    if (pdf[at - 1] === 0x64 /* d: endobj */) return { header: -1, body: -1 };
    const before = pdf.toString('latin1', Math.max(0, at - 24), at);
    const m = OBJ_HEADER.exec(before);
    if (m) return { header: at - m[0].length, body: at + 3 };
  }
}

function signatureDicts(value: PdfValue, out: Map<string, PdfValue>[], depth = 0): void {
  if (depth > 4) return;
  if (value.kind === 'dict') {
    if (value.entries.has('ByteRange') && value.entries.has('Contents')) out.push(value.entries);
    for (const v of value.entries.values()) signatureDicts(v, out, depth + 1);
  } else if (value.kind === 'array') {
    for (const v of value.items) signatureDicts(v, out, depth + 1);
  }
}

const nameOf = (v: PdfValue | undefined): string | null => (v?.kind === 'name' ? v.value : null);
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
  };
}

/** Every signature dictionary in the file, in file order (so the last one is the newest). */
export function findSignatures(pdf: Uint8Array): FoundSignature[] {
  const buf = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const found: FoundSignature[] = [];
  const seen = new Set<number>();
  for (let hit = buf.indexOf('/ByteRange'); hit >= 0; hit = buf.indexOf('/ByteRange', hit + 1)) {
    const { header, body } = enclosingObject(buf, hit);
    if (header < 0 || seen.has(header)) continue;
    seen.add(header);
    let value: PdfValue;
    try {
      value = parseValue(buf, body).value;
    } catch {
      continue; // not a parseable object: not a signature we can report on
    }
    const dicts: Map<string, PdfValue>[] = [];
    signatureDicts(value, dicts);
    for (const entries of dicts) found.push(describe(entries, header));
  }
  return found;
}
