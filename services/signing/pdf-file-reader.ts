import * as fs from 'node:fs';
import { PDFArray, PDFDict, PDFName, PDFObject, PDFRawStream, PDFRef } from 'pdf-lib';
import { PdfPageTreeError, PdfUnreadableError } from './errors';
import { WindowParser } from './pdf-file-window';
import { asNumber, Entry, isName, PdfFileXref, READER_LIMITS } from './pdf-file-xref-chain';
import { decodeStreamData } from './pdf-stream-decode';

export { PdfPageTreeError, PdfUnreadableError, READER_LIMITS };
export type { TrailerInfo } from './pdf-file-xref-chain';

// A lazy PDF object reader over a file descriptor: it reads the tail, the cross-reference
// sections (pdf-file-xref-chain.ts) and then only the objects it is asked for, each with a
// bounded read. Stream contents are never read, except those of object streams and
// cross-reference streams. Memory therefore depends on the number of objects looked at and on
// the size of the xref, not on the size of the file: a 500 MB scan costs what a 50 KB letter
// costs. Objects are parsed with pdf-lib's own object parser, so what comes out serializes
// exactly as pdf-lib's PDFDocument.load would give it.

interface DecodedObjectStream {
  data: Buffer;
  first: number;
  /** object number and offset (from /First) of each object */
  pairs: [number, number][];
}

/** Stream data is never read for a looked-up stream object: only its dictionary matters here. */
const EMPTY = new Uint8Array(0);

export class PdfFileReader extends PdfFileXref {
  private readonly cache = new Map<PDFRef, PDFObject | undefined>();
  private readonly streamStarts = new WeakMap<PDFRawStream, number>();
  private readonly objectStreams = new Map<number, DecodedObjectStream>();
  private resolving = 0;

  private constructor(fd: number, size: number) {
    super(fd, size);
  }

  /** Reads the xref of the file open at `fd` (`size` bytes long). The caller closes the descriptor. */
  static open(fd: number, size: number): PdfFileReader {
    return new PdfFileReader(fd, size);
  }

  /**
   * The object `ref` names, or undefined when it is free or absent. A stream comes back as a
   * PDFRawStream with empty contents (its dictionary is all this reader offers).
   */
  lookup(ref: PDFRef): PDFObject | undefined {
    if (this.cache.has(ref)) return this.cache.get(ref);
    if (this.resolving > 16) throw new PdfUnreadableError('references nested too deeply');
    this.resolving++;
    try {
      const object = this.resolve(ref);
      if (this.cache.size >= READER_LIMITS.objectCache) {
        const oldest = this.cache.keys().next().value;
        if (oldest) this.cache.delete(oldest);
      }
      this.cache.set(ref, object);
      return object;
    } finally {
      this.resolving--;
    }
  }

  private resolve(ref: PDFRef): PDFObject | undefined {
    const entry = this.entries.get(ref.objectNumber);
    if (!entry || entry.type === 0) return undefined;
    if (entry.type === 1) {
      if (entry.b !== ref.generationNumber) return undefined;
      return this.parseAt(entry.a, `object ${ref.objectNumber}`, (p) => {
        const h = p.header();
        if (h.num !== ref.objectNumber || h.gen !== ref.generationNumber) {
          throw new PdfUnreadableError(`the xref entry of object ${ref.objectNumber} points at object ${h.num} ${h.gen}`);
        }
        const { object, streamStart } = p.body();
        if (streamStart === undefined || !(object instanceof PDFDict)) return object;
        const stream = PDFRawStream.of(object, EMPTY);
        this.streamStarts.set(stream, entry.a + streamStart);
        return stream;
      });
    }
    if (ref.generationNumber !== 0) return undefined;
    const stream = this.objectStream(entry.a);
    let pair = stream.pairs[entry.b];
    if (!pair || pair[0] !== ref.objectNumber) pair = stream.pairs.find(([n]) => n === ref.objectNumber);
    if (!pair) throw new PdfUnreadableError(`object ${ref.objectNumber} is not in object stream ${entry.a}`);
    const start = stream.first + pair[1];
    if (start >= stream.data.length) throw new PdfUnreadableError(`object ${ref.objectNumber} lies outside object stream ${entry.a}`);
    try {
      return new WindowParser(stream.data.subarray(start), this.context).body().object;
    } catch (err) {
      throw new PdfUnreadableError(`object ${ref.objectNumber} in object stream ${entry.a} cannot be parsed: ${(err as Error).message}`);
    }
  }

  private objectStream(number: number): DecodedObjectStream {
    const cached = this.objectStreams.get(number);
    if (cached) return cached;
    const entry = this.entries.get(number);
    if (!entry || entry.type !== 1) throw new PdfUnreadableError(`object stream ${number} is not a plain object in the file`);
    const ref = PDFRef.of(number, entry.b);
    const { dict, dataStart } = this.streamObjectAt(entry.a, `object stream ${number}`, ref);
    if (!isName(dict.get(PDFName.of('Type')), 'ObjStm')) throw new PdfUnreadableError(`object ${number} is not an object stream`);
    const n = asNumber(this.deref(dict.get(PDFName.of('N'))));
    const first = asNumber(this.deref(dict.get(PDFName.of('First'))));
    const length = asNumber(this.deref(dict.get(PDFName.of('Length'))));
    if (n === undefined || first === undefined || length === undefined || !Number.isSafeInteger(n) || n < 0 || n > 1_000_000 || first < 0) {
      throw new PdfUnreadableError(`object stream ${number} lacks a valid /N, /First or /Length`);
    }
    const data = decodeStreamData(dict, this.readStreamData(dataStart, length), (o) => this.deref(o), READER_LIMITS.maxDecodedBytes);
    if (first > data.length) throw new PdfUnreadableError(`object stream ${number} has /First past its end`);
    // pairs of numbers; writers may put comments between them (qpdf --qdf does)
    const numbers = data.toString('latin1', 0, first).replace(/%[^\r\n]*/g, ' ').trim().split(/\s+/).filter(Boolean).slice(0, n * 2).map(Number);
    if (numbers.length < n * 2 || numbers.some((v) => !Number.isSafeInteger(v) || v < 0)) {
      throw new PdfUnreadableError(`object stream ${number} has a bad header`);
    }
    const pairs: [number, number][] = [];
    for (let i = 0; i < n; i++) pairs.push([numbers[2 * i] ?? 0, numbers[2 * i + 1] ?? 0]);
    const decoded = { data, first, pairs };
    if (this.objectStreams.size >= READER_LIMITS.objectStreamCache) {
      const oldest = this.objectStreams.keys().next().value;
      if (oldest !== undefined) this.objectStreams.delete(oldest);
    }
    this.objectStreams.set(number, decoded);
    return decoded;
  }

  /** The catalog, or a PdfUnreadableError. */
  catalog(): { ref: PDFRef; dict: PDFDict } {
    const root = this.trailer.Root;
    if (!(root instanceof PDFRef)) throw new PdfUnreadableError('the trailer has no indirect /Root');
    const dict = this.lookup(root);
    if (!(dict instanceof PDFDict) || dict instanceof PDFRawStream) throw new PdfUnreadableError('/Root is not a dictionary');
    return { ref: root, dict };
  }

  /**
   * Visits the page leaves in document order (depth first, as pdf-lib's page tree traversal does)
   * until `visit` returns false. A node with /Kids is an inner node, anything else a leaf.
   */
  walkPages(visit: (ref: PDFRef, node: PDFDict) => boolean): void {
    const { dict: catalog } = this.catalog();
    const rootRef = catalog.get(PDFName.of('Pages'));
    if (!(rootRef instanceof PDFRef)) throw new PdfPageTreeError('the catalog has no indirect /Pages');
    const seen = new Set<PDFRef>();
    let nodes = 0;
    const enter = (ref: PDFRef, depth: number): boolean => {
      if (seen.has(ref)) throw new PdfPageTreeError(`the page tree reaches object ${ref.objectNumber} twice (a cycle or a shared node)`);
      if (depth > READER_LIMITS.maxTreeDepth) throw new PdfPageTreeError('the page tree is absurdly deep');
      if (++nodes > READER_LIMITS.maxTreeNodes) throw new PdfPageTreeError('the page tree is absurdly large');
      seen.add(ref);
      const node = this.lookup(ref);
      if (!(node instanceof PDFDict) || node instanceof PDFRawStream) throw new PdfPageTreeError(`page tree node ${ref.objectNumber} is missing or not a dictionary`);
      const kids = this.deref(node.get(PDFName.of('Kids')));
      if (kids === undefined && !isName(node.get(PDFName.of('Type')), 'Pages')) return visit(ref, node);
      if (!(kids instanceof PDFArray)) throw new PdfPageTreeError(`page tree node ${ref.objectNumber} has no /Kids array`);
      for (const kid of kids.asArray()) {
        if (!(kid instanceof PDFRef)) throw new PdfPageTreeError(`page tree node ${ref.objectNumber} has a kid that is not a reference`);
        if (!enter(kid, depth + 1)) return false;
      }
      return true;
    };
    enter(rootRef, 0);
  }

  /** Number of page leaves; PdfPageTreeError when the tree is broken. */
  countPages(): number {
    let count = 0;
    this.walkPages(() => {
      count++;
      return true;
    });
    return count;
  }

  firstPage(): { ref: PDFRef; node: PDFDict } | undefined {
    let first: { ref: PDFRef; node: PDFDict } | undefined;
    this.walkPages((ref, node) => {
      first = { ref, node };
      return false;
    });
    return first;
  }

  /** An inheritable page attribute (/MediaBox, /CropBox, /Rotate), looked up along /Parent. */
  inherited(node: PDFDict, name: string): PDFObject | undefined {
    const seen = new Set<PDFDict>();
    for (let n: PDFObject | undefined = node; n instanceof PDFDict && !seen.has(n) && seen.size < READER_LIMITS.maxTreeDepth; ) {
      seen.add(n);
      const value = n.get(PDFName.of(name));
      if (value !== undefined) return this.deref(value);
      n = this.deref(n.get(PDFName.of('Parent')));
    }
    return undefined;
  }

  /**
   * Parses every object the xref lists as in use, one at a time and without keeping them: each
   * plain object where its entry says (its header naming it, a stream's data ending in
   * `endstream` after /Length), each compressed one inside its object stream. What a full
   * parse would find wrong, this finds too — or it says it cannot tell (PdfUnreadableError).
   */
  checkAllObjects(): void {
    const compressed: [number, Entry][] = [];
    for (const [num, e] of this.entries) {
      if (e.type === 2) compressed.push([num, e]);
      if (e.type !== 1) continue;
      const ref = PDFRef.of(num, e.b);
      const parsed = this.parseAt(e.a, `object ${num}`, (p) => {
        const h = p.header();
        if (h.num !== num || h.gen !== e.b) throw new PdfUnreadableError(`the xref entry of object ${num} points at object ${h.num} ${h.gen}`);
        return p.body();
      });
      if (parsed.streamStart === undefined || !(parsed.object instanceof PDFDict)) continue;
      const lengthEntry = parsed.object.get(PDFName.of('Length'));
      // an indirect /Length must not be the stream itself
      const length = asNumber(lengthEntry instanceof PDFRef && lengthEntry !== ref ? this.lookup(lengthEntry) : lengthEntry);
      const end = e.a + parsed.streamStart + (length ?? -1);
      if (length === undefined || !Number.isSafeInteger(length) || length < 0 || end >= this.size) {
        throw new PdfUnreadableError(`stream object ${num} has no usable /Length`);
      }
      if (!/^\s*endstream/.test(this.read(end, 32).toString('latin1'))) {
        throw new PdfUnreadableError(`stream object ${num} does not end where its /Length says`);
      }
    }
    // grouped by object stream, so each is decoded once
    compressed.sort((x, y) => x[1].a - y[1].a);
    for (const [num] of compressed) {
      const ref = PDFRef.of(num, 0);
      const cached = this.cache.has(ref);
      this.resolve(ref);
      if (!cached) this.cache.delete(ref);
    }
  }
}
/** Opens `path`, runs `use` with a reader over it, closes it. */
export async function withPdfFile<T>(path: string, use: (reader: PdfFileReader) => T | Promise<T>): Promise<T> {
  const handle = await fs.promises.open(path, 'r');
  try {
    const { size } = await handle.stat();
    return await use(PdfFileReader.open(handle.fd, size));
  } finally {
    await handle.close();
  }
}
