import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFName, PDFNumber, type PDFObject } from 'pdf-lib';
import { PdfUnreadableError } from './errors';

// The filters cross-reference and object streams use in practice: FlateDecode, with the PNG
// predictors of /DecodeParms (ISO 32000-1 §7.4.4.4). Anything else is PdfUnreadableError, and the
// caller falls back to a full parse.

const asNumber = (o: PDFObject | undefined): number | undefined => (o instanceof PDFNumber ? o.asNumber() : undefined);

/** Decodes a stream's data; `deref` resolves indirect /DecodeParms values. */
export function decodeStreamData(dict: PDFDict, raw: Buffer, deref: (o: PDFObject | undefined) => PDFObject | undefined, maxDecodedBytes: number): Buffer {
  const filterEntry = dict.get(PDFName.of('Filter'));
  const filters = filterEntry instanceof PDFArray ? filterEntry.asArray() : filterEntry ? [filterEntry] : [];
  const parmsEntry = dict.get(PDFName.of('DecodeParms'));
  const parmsList = parmsEntry instanceof PDFArray ? parmsEntry.asArray() : [parmsEntry];
  let data = raw;
  filters.forEach((filter, i) => {
    if (!(filter instanceof PDFName && filter === PDFName.of('FlateDecode'))) throw new PdfUnreadableError(`unsupported filter ${String(filter)} on an object or xref stream`);
    try {
      data = inflateSync(data, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: maxDecodedBytes });
    } catch (err) {
      throw new PdfUnreadableError(`an object or xref stream does not inflate: ${(err as Error).message}`);
    }
    const parms = deref(parmsList[i]);
    if (parms instanceof PDFDict) data = unpredict(parms, data, deref);
  });
  return data;
}

function unpredict(parms: PDFDict, data: Buffer, deref: (o: PDFObject | undefined) => PDFObject | undefined): Buffer {
  const get = (name: string, dflt: number): number => asNumber(deref(parms.get(PDFName.of(name)))) ?? dflt;
  const predictor = get('Predictor', 1);
  if (predictor === 1) return data;
  if (predictor < 10 || predictor > 15) throw new PdfUnreadableError(`unsupported predictor ${predictor}`);
  const colors = get('Colors', 1);
  const bits = get('BitsPerComponent', 8);
  const columns = get('Columns', 1);
  if (![1, 2, 4, 8, 16].includes(bits) || colors < 1 || colors > 32 || columns < 1 || columns > 1 << 20) {
    throw new PdfUnreadableError('bad predictor parameters');
  }
  return pngUnpredict(data, Math.ceil((colors * bits * columns) / 8), Math.max(1, Math.ceil((colors * bits) / 8)));
}

export function pngUnpredict(data: Buffer, columns: number, bpp: number): Buffer {
  const rowLength = columns;
  const stride = rowLength + 1;
  if (data.length < stride) throw new PdfUnreadableError('PNG-predicted data shorter than one row');
  const rows = Math.floor(data.length / stride);
  const out = Buffer.alloc(rows * rowLength);
  for (let r = 0; r < rows; r++) {
    const filter = data[r * stride] ?? 0;
    const src = r * stride + 1;
    const dst = r * rowLength;
    for (let i = 0; i < rowLength; i++) {
      const raw = data[src + i] ?? 0;
      const left = i >= bpp ? out[dst + i - bpp] ?? 0 : 0;
      const up = r > 0 ? out[dst - rowLength + i] ?? 0 : 0;
      const upLeft = r > 0 && i >= bpp ? out[dst - rowLength + i - bpp] ?? 0 : 0;
      let value: number;
      switch (filter) {
        case 0: value = raw; break;
        case 1: value = raw + left; break;
        case 2: value = raw + up; break;
        case 3: value = raw + ((left + up) >> 1); break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left);
          const pb = Math.abs(p - up);
          const pc = Math.abs(p - upLeft);
          value = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default: throw new PdfUnreadableError(`unknown PNG predictor row filter ${filter}`);
      }
      out[dst + i] = value & 0xff;
    }
  }
  return out;
}
