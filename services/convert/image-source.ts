import { PDFDocument } from 'pdf-lib';
import { MM } from '../render/layout/geometry';
import { ConvertError } from './convert-errors';
import type { ResolvedConvertOptions } from './convert-options';

export interface ImageSize {
  width: number;
  height: number;
}

/** PNG: the IHDR chunk must come first and holds width and height (RFC 2083 §11.2.2). */
export function pngSize(bytes: Buffer): ImageSize {
  if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') throw new ConvertError('IMAGE_INVALID', 'the PNG has no IHDR header');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** JPEG: walks the marker segments up to the first start-of-frame, which holds the size. */
export function jpegSize(bytes: Buffer): ImageSize {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw new ConvertError('IMAGE_INVALID', 'the JPEG marker structure is broken');
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    const length = bytes.readUInt16BE(at + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame && at + 9 <= bytes.length) return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    if (marker === 0xd9 || marker === 0xda || length < 2) break; // image data before any frame header
    at += 2 + length;
  }
  throw new ConvertError('IMAGE_INVALID', 'the JPEG has no frame header');
}

/**
 * One page per scan, oriented like the image, scaled to fit inside 10 mm margins. The size is read
 * from the header and checked before anything is decoded, so a "decompression bomb" costs nothing.
 */
export async function imageToPdf(bytes: Buffer, kind: 'png' | 'jpeg', opts: ResolvedConvertOptions): Promise<Buffer> {
  const size = kind === 'png' ? pngSize(bytes) : jpegSize(bytes);
  if (size.width < 1 || size.height < 1) throw new ConvertError('IMAGE_INVALID', 'the image has no pixels');
  const pixels = size.width * size.height;
  if (pixels > opts.maxImagePixels) {
    const mp = (n: number) => `${(n / 1e6).toFixed(1)} megapixels`;
    throw new ConvertError('IMAGE_TOO_LARGE', `the image is ${size.width}×${size.height} (${mp(pixels)}); at most ${mp(opts.maxImagePixels)} are accepted`);
  }
  const pdf = await PDFDocument.create({ updateMetadata: false });
  let image;
  try {
    // A copy with its own ArrayBuffer: pdf-lib reads JPEGs through a DataView over `.buffer` and
    // ignores byteOffset, so a pooled Buffer slice would be read from the wrong place.
    const own = new Uint8Array(bytes);
    image = kind === 'png' ? await pdf.embedPng(own) : await pdf.embedJpg(own);
  } catch (e) {
    throw new ConvertError('IMAGE_INVALID', `the ${kind.toUpperCase()} image cannot be decoded: ${e instanceof Error ? e.message : String(e)}`);
  }
  const landscape = size.width > size.height;
  const [pw, ph] = landscape ? [841.89, 595.28] : [595.28, 841.89];
  const margin = 10 * MM;
  const scale = Math.min((pw - 2 * margin) / size.width, (ph - 2 * margin) / size.height);
  const w = size.width * scale;
  const h = size.height * scale;
  const page = pdf.addPage([pw, ph]);
  page.drawImage(image, { x: (pw - w) / 2, y: (ph - h) / 2, width: w, height: h });
  return Buffer.from(await pdf.save({ objectsPerTick: Infinity }));
}
