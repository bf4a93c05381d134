import { inflateSync } from 'node:zlib';

/**
 * Unwraps a WOFF 1.0 file into the plain TrueType/OpenType (sfnt) bytes it wraps.
 *
 * Why: fontkit reads WOFF, but it inflates a compressed table again on every table access, and the
 * subsetter reads `glyf` once per glyph; a 60 kB WOFF then costs milliseconds per document. An
 * sfnt is read in place, so we unwrap each shipped file once per process.
 * Spec: https://www.w3.org/TR/WOFF/ (header 44 bytes, 20-byte directory entries, zlib tables).
 */
export function woffToSfnt(woff: Uint8Array): Buffer {
  const w = Buffer.from(woff.buffer, woff.byteOffset, woff.byteLength);
  if (w.length < 44 || w.toString('latin1', 0, 4) !== 'wOFF') throw new Error('not a WOFF 1.0 file');
  const flavor = w.readUInt32BE(4);
  const numTables = w.readUInt16BE(12);
  if (numTables === 0 || 44 + numTables * 20 > w.length) throw new Error('WOFF table directory is out of bounds');

  const tables = [];
  for (let i = 0; i < numTables; i++) {
    const o = 44 + i * 20;
    const entry = {
      tag: w.readUInt32BE(o),
      offset: w.readUInt32BE(o + 4),
      compLength: w.readUInt32BE(o + 8),
      origLength: w.readUInt32BE(o + 12),
      checksum: w.readUInt32BE(o + 16),
    };
    if (entry.offset + entry.compLength > w.length) throw new Error('WOFF table data is out of bounds');
    tables.push(entry);
  }

  let size = 12 + 16 * numTables;
  for (const t of tables) size += pad4(t.origLength);
  const out = Buffer.alloc(size);
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 16 * 2 ** entrySelector;
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(numTables, 4);
  out.writeUInt16BE(searchRange, 6);
  out.writeUInt16BE(entrySelector, 8);
  out.writeUInt16BE(numTables * 16 - searchRange, 10);

  let at = 12 + 16 * numTables;
  tables.forEach((t, i) => {
    const raw = w.subarray(t.offset, t.offset + t.compLength);
    const data = t.compLength < t.origLength ? inflateSync(raw) : raw;
    if (data.length !== t.origLength) throw new Error('WOFF table inflates to the wrong length');
    const d = 12 + 16 * i;
    out.writeUInt32BE(t.tag, d);
    out.writeUInt32BE(t.checksum, d + 4);
    out.writeUInt32BE(at, d + 8);
    out.writeUInt32BE(t.origLength, d + 12);
    data.copy(out, at);
    at += pad4(t.origLength);
  });
  return out;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}
