import * as fs from 'node:fs';
import { PDFArray, PDFContext, PDFDict, PDFName, PDFNumber, PDFObject, PDFRef } from 'pdf-lib';
import { PdfUnreadableError } from './errors';
import { Cursor, WINDOW_TOO_SMALL, WindowParser } from './pdf-file-window';
import { decodeStreamData } from './pdf-stream-decode';
import type { XrefKind, XrefTail } from './pdf-xref';

// The first half of the lazy PDF file reader (pdf-file-reader.ts): bounded reads of the file
// (objects parsed in windows of growing size), the tail, and the cross-reference sections
// (tables, streams and hybrid files, following /Prev) merged into one entry per object number.
// PdfFileReader extends it with the objects themselves.

/** Caps that turn a hostile or absurd file into a clear error instead of a memory or time sink. */
export const READER_LIMITS = {
  /** Bytes read at once for a trailer: the last `startxref` must be inside them. */
  tailWindow: 4096,
  /** First read for one object; doubled (×8) until the object fits, up to maxObjectBytes. */
  initialWindow: 4096,
  maxObjectBytes: 8 * 1024 * 1024,
  /** Compressed and decoded size of one cross-reference stream or object stream. */
  maxStreamBytes: 32 * 1024 * 1024,
  maxDecodedBytes: 64 * 1024 * 1024,
  /** Cross-reference sections in the /Prev chain, and entries across all of them. */
  maxSections: 4096,
  maxEntries: 4_000_000,
  /** Page tree. */
  maxTreeDepth: 256,
  maxTreeNodes: 2_000_000,
  /** Parsed objects and decoded object streams kept for reuse. */
  objectCache: 4096,
  objectStreamCache: 4,
};

export interface Entry {
  /** 0 free, 1 at an offset, 2 inside an object stream */
  type: 0 | 1 | 2;
  /** offset (type 1) or object stream number (type 2) */
  a: number;
  /** generation (type 1) or index in the object stream (type 2) */
  b: number;
}

interface Section {
  kind: XrefKind;
  entries: Map<number, Entry>;
  trailer: PDFDict;
}

export interface TrailerInfo {
  Root?: PDFObject;
  Info?: PDFObject;
  ID?: PDFObject;
  Encrypt?: PDFObject;
}

export const asNumber = (o: PDFObject | undefined): number | undefined => (o instanceof PDFNumber ? o.asNumber() : undefined);
export const isName = (o: PDFObject | undefined, name: string): boolean => o instanceof PDFName && o === PDFName.of(name);

/** A PDF file open at a descriptor, its cross-reference chain read: what PdfFileReader looks objects up in. */
export abstract class PdfFileXref {
  readonly context = PDFContext.create();
  /** The newest cross-reference section, as the incremental update has to continue it. */
  readonly tail: XrefTail;
  /** Newest value of each entry along the /Prev chain. */
  readonly trailer: TrailerInfo;
  /** Highest object number with an in-use entry. */
  readonly largestObjectNumber: number;
  protected readonly entries: Map<number, Entry>;

  protected constructor(readonly fd: number, readonly size: number) {
    const startxref = this.findStartxref();
    const sections = this.readChain(startxref);
    const newest = sections[0];
    if (!newest) throw new PdfUnreadableError('no cross-reference section');
    const trailer: TrailerInfo = {};
    for (const s of sections) {
      for (const key of ['Root', 'Info', 'ID', 'Encrypt'] as const) trailer[key] ??= s.trailer.get(PDFName.of(key));
    }
    const declared = asNumber(newest.trailer.get(PDFName.of('Size')));
    if (declared === undefined || !Number.isSafeInteger(declared) || declared < 1) throw new PdfUnreadableError('the trailer has no valid /Size');
    this.trailer = trailer;
    this.tail = { startxref, kind: newest.kind, size: declared };
    // newest entry wins: sections come newest first
    this.entries = new Map();
    for (const s of sections) {
      for (const [num, e] of s.entries) if (!this.entries.has(num)) this.entries.set(num, e);
    }
    let largest = 0;
    for (const [num, e] of this.entries) if (e.type !== 0 && num > largest) largest = num;
    this.largestObjectNumber = largest;
  }

  /** The object `ref` names (PdfFileReader); the xref streams' filter parameters may refer to objects. */
  abstract lookup(ref: PDFRef): PDFObject | undefined;

  /** Follows a reference (and only then reads); anything else is returned as it is. */
  deref(o: PDFObject | undefined): PDFObject | undefined {
    return o instanceof PDFRef ? this.lookup(o) : o;
  }

  read(position: number, length: number): Buffer {
    const len = Math.max(0, Math.min(length, this.size - position));
    const buf = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const n = fs.readSync(this.fd, buf, got, len - got, position + got);
      if (n <= 0) throw new PdfUnreadableError(`the file ended early at offset ${position + got}`);
      got += n;
    }
    return buf;
  }

  /** The last byte of the file (the newline rule of an appended update). */
  lastByte(): number | undefined {
    return this.size > 0 ? this.read(this.size - 1, 1)[0] : undefined;
  }

  private findStartxref(): number {
    const from = Math.max(0, this.size - READER_LIMITS.tailWindow);
    const tail = this.read(from, this.size - from);
    const at = tail.lastIndexOf('startxref');
    if (at < 0) throw new PdfUnreadableError('no startxref near the end of the file');
    const m = /^startxref\s+(\d+)/.exec(tail.toString('latin1', at, at + 40));
    const startxref = m ? Number(m[1]) : NaN;
    if (!Number.isSafeInteger(startxref) || startxref <= 0 || startxref >= from + at) {
      throw new PdfUnreadableError('startxref does not point inside the file');
    }
    return startxref;
  }

  /**
   * Parses at `position` with windows of growing size until `parse` succeeds with enough bytes
   * after what it consumed (so that a cut-off window cannot pass for a complete object).
   */
  protected parseAt<T>(position: number, what: string, parse: (p: WindowParser) => T): T {
    if (!Number.isSafeInteger(position) || position < 0 || position >= this.size) {
      throw new PdfUnreadableError(`${what}: offset ${position} is outside the file`);
    }
    for (let w = READER_LIMITS.initialWindow; ; w *= 8) {
      const window = Math.min(w, READER_LIMITS.maxObjectBytes);
      const bytes = this.read(position, window);
      const reachesEnd = position + bytes.length >= this.size;
      const last = reachesEnd || window >= READER_LIMITS.maxObjectBytes;
      try {
        const parser = new WindowParser(bytes, this.context);
        const result = parse(parser);
        if (!reachesEnd && parser.remaining() < 16) throw WINDOW_TOO_SMALL;
        return result;
      } catch (err) {
        // what the file says (a wrong object number…) does not change with a larger window
        if (err instanceof PdfUnreadableError) throw err;
        if (!last) continue;
        if (!reachesEnd) throw new PdfUnreadableError(`${what} at offset ${position} is larger than ${READER_LIMITS.maxObjectBytes} bytes or malformed`);
        throw new PdfUnreadableError(`${what} at offset ${position} cannot be parsed: ${(err as Error).message}`);
      }
    }
  }

  private readChain(startxref: number): Section[] {
    const sections: Section[] = [];
    const seen = new Set<number>();
    let total = 0;
    for (let offset: number | undefined = startxref; offset !== undefined; ) {
      if (seen.has(offset)) throw new PdfUnreadableError(`the /Prev chain of cross-reference sections loops back to offset ${offset}`);
      if (seen.size >= READER_LIMITS.maxSections) throw new PdfUnreadableError('too many cross-reference sections');
      seen.add(offset);
      const section = this.readSection(offset);
      const stm = section.kind === 'table' ? section.trailer.get(PDFName.of('XRefStm')) : undefined;
      if (stm !== undefined) {
        // Hybrid file: the hidden stream holds what the table leaves out (or marks free).
        const stmOffset = asNumber(stm);
        if (stmOffset === undefined || !Number.isSafeInteger(stmOffset)) throw new PdfUnreadableError('/XRefStm is not an offset');
        const hidden = this.readXrefStream(stmOffset);
        const merged = new Map<number, Entry>();
        for (const [num, e] of section.entries) if (e.type !== 0) merged.set(num, e);
        for (const [num, e] of hidden.entries) if (!merged.has(num)) merged.set(num, e);
        for (const [num, e] of section.entries) if (!merged.has(num)) merged.set(num, e);
        section.entries = merged;
      }
      total += section.entries.size;
      if (total > READER_LIMITS.maxEntries) throw new PdfUnreadableError(`more than ${READER_LIMITS.maxEntries} cross-reference entries`);
      sections.push(section);
      const prev = section.trailer.get(PDFName.of('Prev'));
      if (prev === undefined) break;
      const p = asNumber(prev);
      if (p === undefined || !Number.isSafeInteger(p) || p < 0) throw new PdfUnreadableError('/Prev is not an offset');
      offset = p;
    }
    return sections;
  }

  private readSection(offset: number): Section {
    const cursor = new Cursor(this.fd, this.size, offset);
    cursor.skipWhitespace();
    const start = cursor.pos;
    if (cursor.token() === 'xref') return this.readTable(cursor);
    return this.readXrefStream(start);
  }

  private readTable(cursor: Cursor): Section {
    const entries = new Map<number, Entry>();
    for (;;) {
      cursor.skipWhitespace();
      const before = cursor.pos;
      const t = cursor.token();
      if (t === 'trailer') break;
      cursor.pos = before;
      const first = cursor.int('a subsection start');
      const count = cursor.int('a subsection count');
      if (entries.size + count > READER_LIMITS.maxEntries) throw new PdfUnreadableError('the cross-reference table is absurdly large');
      for (let i = 0; i < count; i++) {
        const a = cursor.int('an entry offset');
        const b = cursor.int('an entry generation');
        const kind = cursor.token();
        if (kind !== 'n' && kind !== 'f') throw new PdfUnreadableError(`an entry type "n" or "f" expected, found "${kind}"`);
        const num = first + i;
        if (!entries.has(num)) entries.set(num, kind === 'n' ? { type: 1, a, b } : { type: 0, a: 0, b: 0 });
      }
    }
    const trailer = this.parseAt(cursor.pos, 'the trailer', (p) => p.dict());
    return { kind: 'table', entries, trailer };
  }

  private readXrefStream(offset: number): Section {
    const { dict, dataStart } = this.streamObjectAt(offset, 'a cross-reference stream');
    if (!isName(dict.get(PDFName.of('Type')), 'XRef')) throw new PdfUnreadableError(`no xref table or stream at offset ${offset}`);
    const length = asNumber(dict.get(PDFName.of('Length')));
    if (length === undefined) throw new PdfUnreadableError('a cross-reference stream needs a direct /Length');
    const data = decodeStreamData(dict, this.readStreamData(dataStart, length), (o) => this.deref(o), READER_LIMITS.maxDecodedBytes);
    const w = this.numbers(dict.get(PDFName.of('W')), '/W');
    if (w.length !== 3 || w.some((n) => n < 0 || n > 8)) throw new PdfUnreadableError('bad /W in a cross-reference stream');
    const size = asNumber(dict.get(PDFName.of('Size'))) ?? 0;
    const index = dict.has(PDFName.of('Index')) ? this.numbers(dict.get(PDFName.of('Index')), '/Index') : [0, size];
    if (index.length % 2 !== 0) throw new PdfUnreadableError('bad /Index in a cross-reference stream');
    const [w0, w1, w2] = w as [number, number, number];
    const row = w0 + w1 + w2;
    if (row === 0) throw new PdfUnreadableError('bad /W in a cross-reference stream');
    const field = (pos: number, width: number): number => {
      let v = 0;
      for (let i = 0; i < width; i++) v = v * 256 + (data[pos + i] ?? 0);
      return v;
    };
    const entries = new Map<number, Entry>();
    let pos = 0;
    for (let i = 0; i < index.length; i += 2) {
      const first = index[i] ?? 0;
      const count = index[i + 1] ?? 0;
      if (count > READER_LIMITS.maxEntries) throw new PdfUnreadableError('the cross-reference stream is absurdly large');
      for (let j = 0; j < count; j++) {
        if (pos + row > data.length) throw new PdfUnreadableError('the cross-reference stream is shorter than its /Index says');
        const type = w0 === 0 ? 1 : field(pos, w0);
        const a = field(pos + w0, w1);
        const b = field(pos + w0 + w1, w2);
        pos += row;
        if (!entries.has(first + j) && (type === 0 || type === 1 || type === 2)) entries.set(first + j, { type, a, b });
      }
    }
    return { kind: 'stream', entries, trailer: dict };
  }

  protected numbers(o: PDFObject | undefined, what: string): number[] {
    if (!(o instanceof PDFArray)) throw new PdfUnreadableError(`${what} is not an array`);
    return o.asArray().map((item) => {
      const n = asNumber(item);
      if (n === undefined || !Number.isSafeInteger(n) || n < 0) throw new PdfUnreadableError(`${what} holds something other than counts`);
      return n;
    });
  }

  /** The dictionary of the stream object at `offset` and where its data starts (absolute). */
  protected streamObjectAt(offset: number, what: string, expect?: PDFRef): { dict: PDFDict; dataStart: number } {
    return this.parseAt(offset, what, (p) => {
      const h = p.header();
      if (expect && h.num !== expect.objectNumber) throw new PdfUnreadableError(`expected object ${expect.objectNumber}, found ${h.num}`);
      const { object, streamStart } = p.body();
      if (!(object instanceof PDFDict) || streamStart === undefined) throw new PdfUnreadableError(`${what} is not a stream`);
      return { dict: object, dataStart: offset + streamStart };
    });
  }

  protected readStreamData(start: number, length: number): Buffer {
    if (!Number.isSafeInteger(length) || length < 0) throw new PdfUnreadableError('bad stream /Length');
    if (length > READER_LIMITS.maxStreamBytes) throw new PdfUnreadableError(`a ${length}-byte object or xref stream is larger than the ${READER_LIMITS.maxStreamBytes} bytes accepted`);
    if (start + length > this.size) throw new PdfUnreadableError('a stream runs past the end of the file');
    return this.read(start, length);
  }
}
