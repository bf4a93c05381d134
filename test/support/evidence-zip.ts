import fs from 'node:fs';
import yazl from 'yazl';
import { readZipParts, type ZipPart } from '../../services/evidence/evidence-zip-read';

/** The parts of a bundle, in order. */
export const zipParts = (file: string): Promise<ZipPart[]> => readZipParts(file);

/**
 * Writes a copy of the bundle with one byte of one part's content flipped (same order, same
 * compression), as someone editing a part and re-zipping would.
 */
export async function withOneByteChanged(parts: ZipPart[], path: string, out: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const p of parts) {
    let bytes = p.bytes;
    if (p.path === path) {
      bytes = Buffer.from(p.bytes);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0x01;
    }
    zip.addBuffer(bytes, p.path, { compress: p.compressionMethod !== 0, mtime: new Date(Date.UTC(2020, 0, 1)) });
  }
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(out)).on('finish', () => resolve()).on('error', reject);
  });
}
