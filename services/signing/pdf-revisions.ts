import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { parseValue, PdfValue, skipWhitespace } from './pdf-lexer';
import { pngUnpredict } from './pdf-stream-decode';

// The revisions of a PDF as the verifier needs them (ISO 32000-1 §7.5.6): every cross-reference
// section of the /Prev chain (tables, streams, hybrid files) with its file offset, and an object
// view of the file as it stood at any byte offset — the bytes a signature covers are a revision.
// Works on the bytes in memory, read-only, with caps so a hostile file costs bounded time.

export interface XrefEntry {
  /** 0 free, 1 at an offset, 2 inside an object stream */
  type: 0 | 1 | 2;
  a: number;
  b: number;
}

export interface XrefSection {
  offset: number;
  entries: Map<number, XrefEntry>;
  trailer: Map<string, PdfValue>;
  /** Keys the trailer (or the xref stream's dictionary) writes twice (duplicate-keys.ts). */
  trailerDuplicates?: string[];
}

/** A stream's `duplicates` are its dictionary's keys written twice (see the lexer's dict). */
export type PdfObject = PdfValue | { kind: 'stream'; dict: Map<string, PdfValue>; data: Buffer; duplicates?: string[] } | { kind: 'null' };

interface DecodedObjectStream {
  data: Buffer;
  offsets: Map<number, number>;
  pairs: Array<[number, number]>;
}

export class PdfRevisionError extends Error {
  override name = 'PdfRevisionError';
}

const LIMITS = { maxSections: 1024, maxEntries: 2_000_000, maxDecodedBytes: 64 * 1024 * 1024 };

const num = (v: PdfValue | undefined): number | null => (v?.kind === 'number' ? v.value : null);

function inflate(dict: Map<string, PdfValue>, raw: Buffer): Buffer {
  const filter = dict.get('Filter');
  const names = filter?.kind === 'array' ? filter.items : filter ? [filter] : [];
  if (names.length === 0) return raw;
  if (names.length > 1 || names[0]?.kind !== 'name' || names[0].value !== 'FlateDecode') throw new PdfRevisionError('unsupported filter on an xref or object stream');
  let data: Buffer = inflateSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: LIMITS.maxDecodedBytes });
  const parms = dict.get('DecodeParms');
  const p = parms?.kind === 'array' ? parms.items[0] : parms;
  if (p?.kind === 'dict') {
    const predictor = num(p.entries.get('Predictor')) ?? 1;
    if (predictor >= 10) {
      const colors = num(p.entries.get('Colors')) ?? 1;
      const bits = num(p.entries.get('BitsPerComponent')) ?? 8;
      const columns = num(p.entries.get('Columns')) ?? 1;
      data = pngUnpredict(data, Math.ceil((colors * bits * columns) / 8), Math.max(1, Math.ceil((colors * bits) / 8)));
    } else if (predictor !== 1) throw new PdfRevisionError(`unsupported predictor ${predictor}`);
  }
  return data;
}

/** An object stream's decoded data and where each member starts (pairs: by index, as the header lists them). */
function decodeObjectStream(stream: { dict: Map<string, PdfValue>; data: Buffer }): DecodedObjectStream {
  const data = inflate(stream.dict, stream.data);
  const first = num(stream.dict.get('First')) ?? 0;
  const count = num(stream.dict.get('N')) ?? 0;
  const offsets = new Map<number, number>();
  const pairs: Array<[number, number]> = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const a = parseValue(data, pos);
    const b = parseValue(data, a.end);
    pos = b.end;
    const objNum = num(a.value);
    const off = num(b.value);
    if (objNum !== null && off !== null) {
      offsets.set(objNum, first + off);
      pairs[i] = [objNum, first + off];
    }
  }
  return { data, offsets, pairs };
}

/** Every member of a decoded object stream, in stream order (one that does not parse: null). */
function membersFrom({ data, pairs }: DecodedObjectStream): Array<[number, PdfObject]> {
  return pairs.filter(Boolean).map(([n, at]): [number, PdfObject] => {
    try {
      return [n, parseValue(data, at).value];
    } catch {
      return [n, { kind: 'null' }];
    }
  });
}

export class PdfRevisions {
  /** Newest first, as the /Prev chain goes. */
  readonly sections: XrefSection[] = [];
  private readonly cache = new Map<string, PdfObject>();
  private readonly objStreams = new Map<number, DecodedObjectStream>();

  constructor(readonly pdf: Buffer) {
    const at = pdf.lastIndexOf('startxref');
    const m = at >= 0 ? /^startxref\s+(\d+)/.exec(pdf.toString('latin1', at, at + 40)) : null;
    if (!m) throw new PdfRevisionError('no startxref at the end of the file');
    const seen = new Set<number>();
    let next: number | null = Number(m[1]);
    while (next !== null) {
      if (seen.has(next) || this.sections.length >= LIMITS.maxSections) throw new PdfRevisionError('the /Prev chain loops or is too long');
      seen.add(next);
      const section = this.readSection(next);
      const stm = num(section.trailer.get('XRefStm'));
      if (stm !== null && !seen.has(stm)) {
        seen.add(stm);
        // hybrid file: the stream's entries complete the table's (the table wins)
        for (const [n, e] of this.readSection(stm).entries) if (!section.entries.has(n)) section.entries.set(n, e);
      }
      this.sections.push(section);
      next = num(section.trailer.get('Prev'));
    }
  }

  private readSection(offset: number): XrefSection {
    if (offset < 0 || offset >= this.pdf.length) throw new PdfRevisionError(`xref offset ${offset} outside the file`);
    const start = skipWhitespace(this.pdf, offset);
    if (this.pdf.toString('latin1', start, start + 4) === 'xref') return this.readTable(start);
    const obj = this.parseObjectAt(start, null);
    if (obj.kind !== 'stream' || obj.dict.get('Type')?.kind !== 'name') throw new PdfRevisionError(`no cross-reference section at offset ${offset}`);
    const section = this.readXrefStream(offset, obj.dict, inflate(obj.dict, obj.data));
    return obj.duplicates ? { ...section, trailerDuplicates: obj.duplicates } : section;
  }

  private readTable(start: number): XrefSection {
    const entries = new Map<number, XrefEntry>();
    const trailerAt = this.pdf.indexOf('trailer', start, 'latin1');
    if (trailerAt < 0) throw new PdfRevisionError('xref table without trailer');
    const lines = this.pdf.toString('latin1', start + 4, trailerAt).split(/\r\n|\r|\n/);
    let objNum = 0;
    for (const raw of lines) {
      const line = raw.trim();
      if (!line) continue;
      const sub = /^(\d+)\s+(\d+)$/.exec(line);
      if (sub) {
        objNum = Number(sub[1]);
        continue;
      }
      const e = /^(\d{1,10})\s+(\d{1,5})\s+([nf])/.exec(line);
      if (!e) throw new PdfRevisionError('bad xref table line');
      if (entries.size >= LIMITS.maxEntries) throw new PdfRevisionError('too many xref entries');
      if (!entries.has(objNum)) entries.set(objNum, { type: e[3] === 'n' ? 1 : 0, a: Number(e[1]), b: Number(e[2]) });
      objNum++;
    }
    const trailer = parseValue(this.pdf, trailerAt + 7).value;
    if (trailer.kind !== 'dict') throw new PdfRevisionError('trailer is not a dictionary');
    return { offset: start, entries, trailer: trailer.entries, ...(trailer.duplicates ? { trailerDuplicates: trailer.duplicates } : {}) };
  }

  private readXrefStream(offset: number, dict: Map<string, PdfValue>, data: Buffer): XrefSection {
    const w = dict.get('W');
    const widths = w?.kind === 'array' ? w.items.map((i) => num(i) ?? -1) : [];
    if (widths.length !== 3 || widths.some((x) => x < 0 || x > 8)) throw new PdfRevisionError('bad /W in an xref stream');
    const size = num(dict.get('Size')) ?? 0;
    const index = dict.get('Index');
    const ranges = index?.kind === 'array' ? index.items.map((i) => num(i) ?? 0) : [0, size];
    const rowLength = widths.reduce((x, y) => x + y, 0);
    const entries = new Map<number, XrefEntry>();
    const field = (pos: number, width: number, dflt: number): number => {
      if (width === 0) return dflt;
      let v = 0;
      for (let i = 0; i < width; i++) v = v * 256 + (data[pos + i] ?? 0);
      return v;
    };
    let pos = 0;
    for (let r = 0; r + 1 < ranges.length; r += 2) {
      const first = ranges[r] ?? 0;
      const count = ranges[r + 1] ?? 0;
      if (count > LIMITS.maxEntries) throw new PdfRevisionError('too many xref entries');
      for (let i = 0; i < count && pos + rowLength <= data.length; i++, pos += rowLength) {
        const type = field(pos, widths[0] ?? 1, 1);
        const a = field(pos + (widths[0] ?? 0), widths[1] ?? 0, 0);
        const b = field(pos + (widths[0] ?? 0) + (widths[1] ?? 0), widths[2] ?? 0, 0);
        if (type <= 2 && !entries.has(first + i)) entries.set(first + i, { type: type as 0 | 1 | 2, a, b });
      }
    }
    return { offset, entries, trailer: dict };
  }

  /**
   * The offset of the cross-reference section the revision ending at `end` names in its last
   * `startxref` (as a section's `offset` reads it), or null when those bytes have none.
   */
  startxrefBefore(end: number): number[] | null {
    const at = end > 9 ? this.pdf.lastIndexOf('startxref', end - 9, 'latin1') : -1;
    const m = at >= 0 ? /^startxref\s+(\d+)/.exec(this.pdf.toString('latin1', at, Math.min(end, at + 40))) : null;
    if (!m) return null;
    const n = Number(m[1]);
    return n < this.pdf.length ? [n, skipWhitespace(this.pdf, n)] : [n];
  }

  /** Sections whose offset is before `end` — the revision a signature covering [0, end) signed — newest first. */
  sectionsBefore(end: number): XrefSection[] {
    return this.sections.filter((s) => s.offset < end);
  }

  /** The entry of object `n` in the view made of `sections` (newest first). */
  entryIn(sections: XrefSection[], n: number): XrefEntry | null {
    for (const s of sections) {
      const e = s.entries.get(n);
      if (e) return e.type === 0 ? null : e;
    }
    return null;
  }

  /** Object `n` as the view made of `sections` has it; { kind: 'null' } when absent. */
  object(sections: XrefSection[], n: number): PdfObject {
    const entry = this.entryIn(sections, n);
    if (!entry) return { kind: 'null' };
    // an object inside an object stream is keyed by where that stream sits in this view: a later
    // revision that rewrites the stream under the same number must not share the signed view's reading
    const holder = entry.type === 2 ? this.entryIn(sections, entry.a) : null;
    if (entry.type === 2 && holder?.type !== 1) return { kind: 'null' };
    const key = holder ? `2:${holder.a}:${entry.a}:${entry.b}:${n}` : `1:${entry.a}:${entry.b}:${n}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    let obj: PdfObject;
    try {
      obj = entry.type === 1 ? this.parseObjectAt(entry.a, sections) : this.fromObjectStream(sections, entry.a, n, entry.b);
    } catch {
      obj = { kind: 'null' };
    }
    if (this.cache.size < 100_000) this.cache.set(key, obj);
    return obj;
  }

  /** Follows a reference in the view; other values come back as they are. */
  resolve(sections: XrefSection[], v: PdfValue | undefined, depth = 0): PdfObject {
    if (!v) return { kind: 'null' };
    if (v.kind === 'ref') return depth > 8 ? { kind: 'null' } : this.object(sections, v.objectNumber);
    return v;
  }

  /** Object stream `streamNumber` of the view, decoded once per file offset; null when it is not a stream there. */
  private decodeObjectStream(sections: XrefSection[], streamNumber: number): DecodedObjectStream | null {
    // keyed by the stream's file offset in this view, never by its number alone (see object())
    const holder = this.entryIn(sections, streamNumber);
    if (holder?.type !== 1) return null;
    let decoded = this.objStreams.get(holder.a);
    if (!decoded) {
      const stream = this.object(sections, streamNumber);
      if (stream.kind !== 'stream') return null;
      decoded = decodeObjectStream(stream);
      this.objStreams.set(holder.a, decoded);
    }
    return decoded;
  }

  private fromObjectStream(sections: XrefSection[], streamNumber: number, n: number, index: number): PdfObject {
    const decoded = this.decodeObjectStream(sections, streamNumber);
    if (!decoded) return { kind: 'null' };
    // the xref entry's index names the object, as viewers read it (a stream may list a number twice)
    const byIndex = decoded.pairs[index];
    const at = byIndex?.[0] === n ? byIndex[1] : decoded.offsets.get(n);
    return at === undefined ? { kind: 'null' } : parseValue(decoded.data, at).value;
  }

  /**
   * Every object object stream `streamNumber` of the view holds, in stream order, whatever the
   * cross-reference entries say (they may name other copies): what a reader that searched the
   * stream itself would find. Null when the object is not an object stream that decodes.
   */
  objectStreamMembers(sections: XrefSection[], streamNumber: number): Array<[number, PdfObject]> | null {
    let decoded: DecodedObjectStream | null;
    try {
      decoded = this.decodeObjectStream(sections, streamNumber);
    } catch {
      return null;
    }
    return decoded ? membersFrom(decoded) : null;
  }

  /**
   * The object whose header ("N G obj") is at `offset`, whatever the cross-reference says (what a
   * reader that rebuilds it would find there); an indirect /Length is read through `view`.
   */
  objectAt(offset: number, view: XrefSection[]): PdfObject {
    return this.parseObjectAt(offset, view);
  }

  /** The members of an object stream found anywhere (objectAt), in stream order: [number, object]. */
  membersOf(stream: PdfObject): Array<[number, PdfObject]> {
    return stream.kind === 'stream' ? membersFrom(decodeObjectStream(stream)) : [];
  }

  /** Parses "N G obj value [stream…endstream] endobj" at `offset`. */
  private parseObjectAt(offset: number, sections: XrefSection[] | null): PdfObject {
    const head = /^\s*(\d+)\s+(\d+)\s+obj/.exec(this.pdf.toString('latin1', offset, offset + 40));
    if (!head) throw new PdfRevisionError(`no object at offset ${offset}`);
    const { value, end } = parseValue(this.pdf, offset + head[0].length);
    const after = skipWhitespace(this.pdf, end);
    if (value.kind !== 'dict' || this.pdf.toString('latin1', after, after + 6) !== 'stream') return value;
    let dataStart = after + 6;
    if (this.pdf[dataStart] === 0x0d) dataStart++;
    if (this.pdf[dataStart] === 0x0a) dataStart++;
    const lengthValue = value.entries.get('Length');
    const declared = lengthValue?.kind === 'ref' && sections ? this.resolve(sections, lengthValue) : lengthValue;
    let length = declared?.kind === 'number' ? declared.value : -1;
    const check = dataStart + length;
    if (length < 0 || check > this.pdf.length || !/^\s*endstream/.test(this.pdf.toString('latin1', check, check + 20))) {
      const endAt = this.pdf.indexOf('endstream', dataStart, 'latin1');
      if (endAt < 0) throw new PdfRevisionError(`stream at offset ${offset} has no endstream`);
      length = endAt - dataStart;
    }
    return { kind: 'stream', dict: value.entries, data: this.pdf.subarray(dataStart, dataStart + length), ...(value.duplicates ? { duplicates: value.duplicates } : {}) };
  }
}

/** Structural equality of two objects (a rewrite of identical content is no change). */
export function sameObject(x: PdfObject, y: PdfObject): boolean {
  if (x.kind !== y.kind) return false;
  switch (x.kind) {
    case 'null':
      return true;
    case 'stream': {
      const o = y as typeof x;
      return x.data.equals(o.data) && sameEntries(x.dict, o.dict, new Set(['Length']));
    }
    case 'dict':
      return sameEntries(x.entries, (y as typeof x).entries, new Set());
    case 'array': {
      const o = y as typeof x;
      return x.items.length === o.items.length && x.items.every((v, i) => sameObject(v, o.items[i] as PdfValue));
    }
    case 'string':
      return x.value.equals((y as typeof x).value);
    case 'ref':
      return x.objectNumber === (y as typeof x).objectNumber && x.generation === (y as typeof x).generation;
    default:
      return (x as { value: unknown }).value === (y as { value: unknown }).value;
  }
}

export function sameEntries(a: Map<string, PdfValue>, b: Map<string, PdfValue>, ignore: Set<string>): boolean {
  const keys = new Set([...a.keys(), ...b.keys()]);
  for (const k of keys) {
    if (ignore.has(k)) continue;
    const x = a.get(k);
    const y = b.get(k);
    if (!x || !y || !sameObject(x, y)) return false;
  }
  return true;
}
