import { spawnSync } from 'node:child_process';

// Raw PDF bytes for the verifier's attack corpus (test/unit/signing/modification-attacks.test.ts):
// small documents written object by object, and incremental updates appended by hand in the forms
// an attacker may choose — a classic xref table with or without /Prev, an xref stream, an object
// stream rewritten under its old number, free entries. Nothing here uses the code under test:
// offsets are counted while writing, and the signed file's own startxref and /Size are read back
// with regular expressions.

export type Body = string | Buffer;

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

export function stream(dict: string, data: string | Buffer): string {
  const bytes = typeof data === 'string' ? latin1(data) : data;
  return `<< ${dict} /Length ${bytes.length} >>\nstream\n${bytes.toString('latin1')}\nendstream`;
}

/** A text-drawing content stream ("BT /F1 24 Tf 72 700 Td (text) Tj ET"). */
export const textContent = (text: string, font = 'F1'): string => stream('', `BT /${font} 24 Tf 72 700 Td (${text}) Tj ET`);

/** A one-page document: 1 catalogue, 2 pages, 3 page, 4 content, 5 font; `extra` adds or replaces objects. */
export function simpleObjects(text: string, extra: Record<number, Body> = {}): Map<number, Body> {
  const objects = new Map<number, Body>([
    [1, '<< /Type /Catalog /Pages 2 0 R >>'],
    [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
    [3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>'],
    [4, textContent(text)],
    [5, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'],
  ]);
  for (const [n, body] of Object.entries(extra)) objects.set(Number(n), body);
  return objects;
}

export interface TrailerFields {
  root: number;
  info?: number;
  size: number;
  prev?: number;
}

function trailerEntries(t: TrailerFields): string {
  return `/Size ${t.size} /Root ${t.root} 0 R${t.info !== undefined ? ` /Info ${t.info} 0 R` : ''}${t.prev !== undefined ? ` /Prev ${t.prev}` : ''}`;
}

function objectBytes(n: number, body: Body): Buffer {
  return Buffer.concat([latin1(`${n} 0 obj\n`), typeof body === 'string' ? latin1(body) : body, latin1('\nendobj\n')]);
}

/** A classic xref table for the given offsets (null: a free entry), one subsection per object. */
function xrefTable(offsets: Map<number, number | null>): string {
  let out = 'xref\n';
  const sorted = [...offsets].sort((a, b) => a[0] - b[0]);
  if (!offsets.has(0)) out += '0 1\n0000000000 65535 f\r\n';
  for (const [n, off] of sorted) out += `${n} 1\n${off === null ? '0000000000 00001 f' : `${String(off).padStart(10, '0')} 00000 n`}\r\n`;
  return out;
}

/** A whole document with an xref table. */
export function buildPdf(objects: Map<number, Body>, trailer: Omit<TrailerFields, 'size' | 'prev'>): Buffer {
  const parts: Buffer[] = [latin1('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
  let offset = parts[0]!.length;
  const offsets = new Map<number, number | null>();
  for (const [n, body] of [...objects].sort((a, b) => a[0] - b[0])) {
    const bytes = objectBytes(n, body);
    offsets.set(n, offset);
    parts.push(bytes);
    offset += bytes.length;
  }
  const size = Math.max(...objects.keys()) + 1;
  parts.push(latin1(`${xrefTable(offsets)}trailer\n<< ${trailerEntries({ ...trailer, size })} >>\nstartxref\n${offset}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/** The last startxref of a file and its newest trailer's /Size, /Root and /Info (read back from its tail). */
export function tailOf(pdf: Buffer): { startxref: number; size: number; root: number; info?: number } {
  const at = pdf.lastIndexOf('startxref');
  const m = /startxref\s+(\d+)/.exec(pdf.toString('latin1', at, at + 40));
  if (!m) throw new Error('no startxref');
  const startxref = Number(m[1]);
  const text = pdf.toString('latin1', startxref, at);
  const size = /\/Size\s+(\d+)/.exec(text);
  const root = /\/Root\s+(\d+)\s+0\s+R/.exec(text);
  const info = /\/Info\s+(\d+)\s+0\s+R/.exec(text);
  if (!size || !root) throw new Error('no /Size or /Root in the newest trailer');
  return { startxref, size: Number(size[1]), root: Number(root[1]), ...(info ? { info: Number(info[1]) } : {}) };
}

/** The offset of the last "N 0 obj" header of every object number in the file (a reader's view of a simple file). */
export function objectOffsets(pdf: Buffer): Map<number, number> {
  const out = new Map<number, number>();
  const re = /(?<![0-9])(\d+) 0 obj\b/g;
  const text = pdf.toString('latin1');
  for (let m = re.exec(text); m; m = re.exec(text)) out.set(Number(m[1]), m.index);
  return out;
}

export interface UpdateOptions {
  root: number;
  info?: number;
  /** /Prev of the new section; omitted: the file's last startxref; null: no /Prev at all. */
  prev?: number | null;
  /** Old objects listed again at their existing offsets (number → offset). */
  relist?: Map<number, number>;
}

/** Appends a classic incremental update: objects (null: marked free), an xref table and a trailer. */
export function appendTableUpdate(pdf: Buffer, objects: Map<number, Body | null>, opts: UpdateOptions): Buffer {
  const { startxref, size: oldSize } = tailOf(pdf);
  const parts: Buffer[] = [pdf, latin1('\n')];
  let offset = pdf.length + 1;
  const offsets = new Map<number, number | null>(opts.relist ?? []);
  for (const [n, body] of [...objects].sort((a, b) => a[0] - b[0])) {
    if (body === null) {
      offsets.set(n, null);
      continue;
    }
    const bytes = objectBytes(n, body);
    offsets.set(n, offset);
    parts.push(bytes);
    offset += bytes.length;
  }
  const size = Math.max(oldSize, ...[...offsets.keys()].map((n) => n + 1));
  const prev = opts.prev === null ? undefined : opts.prev ?? startxref;
  const t: TrailerFields = { root: opts.root, size, ...(opts.info !== undefined ? { info: opts.info } : {}), ...(prev !== undefined ? { prev } : {}) };
  parts.push(latin1(`${xrefTable(offsets)}trailer\n<< ${trailerEntries(t)} >>\nstartxref\n${offset}\n%%EOF\n`));
  return Buffer.concat(parts);
}

export interface ObjectStreamSpec {
  /** The object stream's own number (an old one to rewrite it, a new one to add one). */
  number: number;
  /** In stream order; a number may appear twice (the xref entry's index says which one is meant). */
  members: Map<number, string> | Array<[number, string]>;
  /** List the members in this section's xref stream (type 2 entries); otherwise older sections' entries still point into the stream. */
  listMembers: boolean;
}

/** An object stream: "n offset" pairs, then the objects, uncompressed; `extraDict` adds entries to its dictionary (/Extends 6 0 R). */
export function objectStreamBody(members: Map<number, string> | Array<[number, string]>, extraDict = ''): string {
  let header = '';
  let data = '';
  const list = [...members];
  for (const [n, body] of list) {
    header += `${n} ${data.length} `;
    data += `${body}\n`;
  }
  return stream(`/Type /ObjStm /N ${list.length} /First ${header.length}${extraDict ? ` ${extraDict}` : ''}`, header + data);
}

/** The first index of each object number in an object stream's member list. */
const memberRows = (number: number, members: Map<number, string> | Array<[number, string]>): Array<[number, 0 | 1 | 2, number, number]> => {
  const seen = new Set<number>();
  const rows: Array<[number, 0 | 1 | 2, number, number]> = [];
  [...members].forEach(([n], i) => {
    if (!seen.has(n)) rows.push([n, 2, number, i]);
    seen.add(n);
  });
  return rows;
};

function xrefStreamRows(rows: Array<[number, 0 | 1 | 2, number, number]>, selfNumber: number, trailer: TrailerFields): Buffer {
  const sorted = rows.sort((a, b) => a[0] - b[0]);
  const index: number[] = [];
  const data: number[] = [];
  for (const [n, type, a, b] of sorted) {
    index.push(n, 1);
    data.push(type, (a >>> 24) & 0xff, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff, (b >>> 8) & 0xff, b & 0xff);
  }
  const body = Buffer.from(data);
  const dict = `/Type /XRef ${trailerEntries(trailer)} /W [1 4 2] /Index [${index.join(' ')}] /Length ${body.length}`;
  return Buffer.concat([latin1(`${selfNumber} 0 obj\n<< ${dict} >>\nstream\n`), body, latin1('\nendstream\nendobj\n')]);
}

/** A whole document whose objects `inStream` sit in object stream `stream.number`, with an xref stream. */
export function buildPdfWithObjectStream(objects: Map<number, Body>, inStream: ObjectStreamSpec, root: number): Buffer {
  const parts: Buffer[] = [latin1('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
  let offset = parts[0]!.length;
  const rows: Array<[number, 0 | 1 | 2, number, number]> = [[0, 0, 0, 65535]];
  const all = new Map<number, Body>([...objects, [inStream.number, objectStreamBody(inStream.members)]]);
  for (const [n, body] of [...all].sort((a, b) => a[0] - b[0])) {
    const bytes = objectBytes(n, body);
    rows.push([n, 1, offset, 0]);
    parts.push(bytes);
    offset += bytes.length;
  }
  rows.push(...memberRows(inStream.number, inStream.members));
  const self = Math.max(...rows.map((r) => r[0])) + 1;
  rows.push([self, 1, offset, 0]);
  parts.push(xrefStreamRows(rows, self, { root, size: self + 1 }));
  parts.push(latin1(`startxref\n${offset}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/** Appends an update written with an xref stream, optionally with an object stream. */
export function appendXrefStreamUpdate(pdf: Buffer, objects: Map<number, Body>, opts: UpdateOptions & { objectStream?: ObjectStreamSpec }): Buffer {
  const { startxref, size: oldSize } = tailOf(pdf);
  const parts: Buffer[] = [pdf, latin1('\n')];
  let offset = pdf.length + 1;
  const rows: Array<[number, 0 | 1 | 2, number, number]> = [...(opts.relist ?? [])].map(([n, off]) => [n, 1, off, 0]);
  const all = new Map<number, Body>(objects);
  if (opts.objectStream) all.set(opts.objectStream.number, objectStreamBody(opts.objectStream.members));
  for (const [n, body] of [...all].sort((a, b) => a[0] - b[0])) {
    const bytes = objectBytes(n, body);
    rows.push([n, 1, offset, 0]);
    parts.push(bytes);
    offset += bytes.length;
  }
  if (opts.objectStream?.listMembers) rows.push(...memberRows(opts.objectStream.number, opts.objectStream.members));
  const self = Math.max(oldSize, ...rows.map((r) => r[0] + 1));
  rows.push([self, 1, offset, 0]);
  const prev = opts.prev === null ? undefined : opts.prev ?? startxref;
  parts.push(xrefStreamRows(rows, self, { root: opts.root, size: self + 1, ...(opts.info !== undefined ? { info: opts.info } : {}), ...(prev !== undefined ? { prev } : {}) }));
  parts.push(latin1(`startxref\n${offset}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/** What poppler's pdftotext shows of the file (the text a viewer displays), whitespace collapsed. */
export function pdftotext(pdf: Buffer): string {
  const r = spawnSync('pdftotext', ['-q', '-', '-'], { input: pdf, encoding: 'latin1' });
  return (r.stdout ?? '').replace(/\s+/g, ' ').trim();
}
