import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

// PDFs written by hand for the file signer and checker: layouts pdf-lib does not write (a hybrid
// file, broken cross-references, a page tree cycle) and a big file written in chunks, so that
// the test process never holds it in memory.

type Part = string | Buffer;

/** Appends parts and remembers where each object starts. */
class PdfWriter {
  readonly chunks: Buffer[] = [];
  readonly offsets: number[] = [];
  offset = 0;
  constructor(version: string) {
    this.put(`%PDF-${version}\n%\xe2\xe3\xcf\xd3\n`);
  }
  put(part: Part): void {
    const b = typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
    this.chunks.push(b);
    this.offset += b.length;
  }
  obj(n: number, parts: Part[]): void {
    this.offsets[n] = this.offset;
    for (const p of [`${n} 0 obj\n`, ...parts, '\nendobj\n']) this.put(p);
  }
  /** A classic table for objects 0..count-1 (offsets moved by `shift`), its trailer and %%EOF. */
  table(count: number, trailer: string, shift = 0): void {
    const at = this.offset;
    let text = `xref\n0 ${count}\n0000000000 65535 f\r\n`;
    for (let n = 1; n < count; n++) text += `${String((this.offsets[n] ?? 0) + shift).padStart(10, '0')} 00000 n\r\n`;
    this.put(`${text}trailer\n<< /Size ${count} ${trailer.replace('$SELF', String(at))} >>\nstartxref\n${at}\n%%EOF\n`);
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const stream = (dict: string, data: Buffer): Part[] => [`<< ${dict} /Length ${data.length} >>\nstream\n`, data, '\nendstream'];

function onePageObjects(pageExtra = ''): Part[][] {
  const content = Buffer.from('BT /F1 14 Tf 72 760 Td (Cong van so 123/SNV-VP) Tj ET', 'latin1');
  return [
    ['<< /Type /Catalog /Pages 2 0 R >>'],
    ['<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>'],
    [`<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >>${pageExtra} >>`],
    stream('', content),
    ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'],
  ];
}

function classic(objects: Part[][], trailer = '/Root 1 0 R', shift = 0): Buffer {
  const w = new PdfWriter('1.7');
  objects.forEach((parts, i) => w.obj(i + 1, parts));
  w.table(objects.length + 1, trailer, shift);
  return w.bytes();
}

/** A classic one-page PDF whose xref offsets are all off by `shift` bytes (readers must rebuild it). */
export function shiftedXrefPdf(shift = 3): Buffer {
  return classic(onePageObjects(), '/Root 1 0 R', shift);
}

/** A one-page PDF whose only trailer names itself as /Prev. */
export function prevLoopPdf(): Buffer {
  return classic(onePageObjects(), '/Root 1 0 R /Prev $SELF');
}

/** A page tree whose only /Pages node lists itself among its kids. */
export function pageTreeCyclePdf(): Buffer {
  const objects = onePageObjects();
  objects[1] = ['<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 /MediaBox [0 0 595 842] >>'];
  return classic(objects);
}

/** A one-page PDF whose font object (off the page tree) is not valid PDF syntax. */
export function brokenObjectPdf(): Buffer {
  const objects = onePageObjects();
  objects[4] = ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica ) >>'];
  return classic(objects);
}

/** PNG "Up" predictor rows, as writers encode cross-reference streams (/Predictor 12). */
function pngUp(rows: Buffer[]): Buffer {
  const out: Buffer[] = [];
  rows.forEach((row, r) => {
    const prev = rows[r - 1];
    out.push(Buffer.from([2]), Buffer.from(row.map((b, i) => (b - (prev?.[i] ?? 0)) & 0xff)));
  });
  return Buffer.concat(out);
}

/**
 * A hybrid-reference file (ISO 32000-1 §7.5.8.4): a classic table for the plain objects and,
 * through the trailer's /XRefStm, a cross-reference stream (Flate, PNG predictor) for objects 6
 * and 7, which sit compressed in object stream 5: the page's /Annots array and the /Info dict.
 * The page is rotated 90° and inherits /MediaBox and /CropBox from the page tree node.
 */
export function hybridPdf(): Buffer {
  const body6 = '[]';
  const body7 = '<< /Producer (hand-made hybrid) /Title (Cong van) >>';
  const head = `6 0 7 ${body6.length + 1} `;
  const content = Buffer.from('BT /F1 14 Tf 72 760 Td (Cong van so 123/SNV-VP) Tj ET', 'latin1');
  const w = new PdfWriter('1.5');
  // 1..5 and 8 plain (5 the object stream holding 6 and 7), 9 the hidden xref stream
  w.obj(1, ['<< /Type /Catalog /Pages 2 0 R >>']);
  w.obj(2, ['<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] /CropBox [10 20 585 822] /Rotate 90 >>']);
  w.obj(3, ['<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 8 0 R >> >> /Annots 6 0 R >>']);
  w.obj(4, stream('', content));
  w.obj(5, stream(`/Type /ObjStm /N 2 /First ${head.length} /Filter /FlateDecode`, deflateSync(Buffer.from(`${head}${body6} ${body7}`, 'latin1'))));
  w.obj(8, ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>']);
  const data = deflateSync(pngUp([Buffer.from([2, 0, 5, 0]), Buffer.from([2, 0, 5, 1])]));
  const stmAt = w.offset;
  w.obj(9, [
    `<< /Type /XRef /Size 10 /W [1 2 1] /Index [6 2] /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >> /Length ${data.length} >>\nstream\n`,
    data,
    '\nendstream',
  ]);
  const at = w.offset;
  let text = 'xref\n0 6\n0000000000 65535 f\r\n';
  for (let n = 1; n <= 5; n++) text += `${String(w.offsets[n]).padStart(10, '0')} 00000 n\r\n`;
  text += `8 2\n${String(w.offsets[8]).padStart(10, '0')} 00000 n\r\n${String(stmAt).padStart(10, '0')} 00000 n\r\n`;
  w.put(`${text}trailer\n<< /Size 10 /Root 1 0 R /Info 7 0 R /XRefStm ${stmAt} >>\nstartxref\n${at}\n%%EOF\n`);
  return w.bytes();
}

/**
 * Writes a valid one-page PDF of about `imageBytes` + 1 KB to `path`: one uncompressed RGB image
 * of random pixels (as bench/src/payloads.ts bigPdf), streamed to disk 1 MiB at a time.
 * Returns the file's size.
 */
export function writeBigPdf(path: string, imageBytes: number): number {
  const side = Math.floor(Math.sqrt(imageBytes / 3));
  const length = side * side * 3;
  const fd = openSync(path, 'w');
  let offset = 0;
  const offsets: number[] = [];
  const put = (part: Part): void => {
    const b = typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
    for (let done = 0; done < b.length; ) done += writeSync(fd, b, done, b.length - done);
    offset += b.length;
  };
  const obj = (n: number, ...parts: Part[]): void => {
    offsets[n] = offset;
    put(`${n} 0 obj\n`);
    parts.forEach(put);
    put('\nendobj\n');
  };
  try {
    put('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
    obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
    obj(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
    obj(3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>');
    const content = 'q 500 0 0 500 47 170 cm /Im0 Do Q';
    obj(4, `<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
    offsets[5] = offset;
    put(`5 0 obj\n<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length ${length} >>\nstream\n`);
    const chunk = randomBytes(1024 * 1024);
    for (let left = length; left > 0; left -= chunk.length) put(left >= chunk.length ? chunk : chunk.subarray(0, left));
    put('\nendstream\nendobj\n');
    const xrefAt = offset;
    let table = 'xref\n0 6\n0000000000 65535 f\r\n';
    for (let n = 1; n <= 5; n++) table += `${String(offsets[n]).padStart(10, '0')} 00000 n\r\n`;
    put(`${table}trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`);
  } finally {
    closeSync(fd);
  }
  return offset;
}
