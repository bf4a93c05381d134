import { Inflate } from 'fflate';
import { EdxmlError, type EdxmlLimits } from './edxml-types';

/** Members below this size may have any ratio: a small file of zeros is harmless. */
export const ZIP_RATIO_FLOOR = 1024 * 1024;

export interface ZipMember {
  name: string;
  bytes: Buffer;
}

interface Entry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  declaredSize: number;
  localOffset: number;
}

/**
 * Unpacks a zip attachment without trusting it. fflate's unzipSync allocates whatever the central
 * directory declares and silently truncates members that inflate further, so the directory is read
 * here, every declared size is checked against the limits before anything is allocated, and each
 * member is inflated as a stream that stops the moment it outgrows its declaration.
 * Nested archives are returned as files, never opened (no recursion, no recursive bombs).
 */
export function unpackZip(zip: Buffer, element: string, limits: EdxmlLimits, alreadyUnpacked = 0): ZipMember[] {
  const entries = readCentralDirectory(zip, element, limits);
  // The budget is per message, not per zip: a hundred modest zips must not add up to a bomb.
  let declaredTotal = alreadyUnpacked;
  for (const e of entries) {
    declaredTotal += e.declaredSize;
    if (declaredTotal > limits.maxZipTotalBytes) {
      throw new EdxmlError('EDXML_ZIP_BOMB', `zip attachments declare more than ${limits.maxZipTotalBytes} uncompressed bytes`, element);
    }
    if (e.declaredSize > ZIP_RATIO_FLOOR && e.declaredSize / Math.max(e.compressedSize, 1) > limits.maxZipRatio) {
      throw new EdxmlError('EDXML_ZIP_BOMB', `zip member "${e.name}" has compression ratio ${Math.round(e.declaredSize / Math.max(e.compressedSize, 1))}, the limit is ${limits.maxZipRatio}`, element);
    }
    if (e.flags & 1) throw new EdxmlError('EDXML_INVALID_VALUE', `zip member "${e.name}" is encrypted`, element);
    if (e.method !== 0 && e.method !== 8) throw new EdxmlError('EDXML_INVALID_VALUE', `zip member "${e.name}" uses unsupported compression method ${e.method}`, element);
  }
  return entries.filter((e) => !e.name.endsWith('/')).map((e) => ({ name: baseName(e.name), bytes: extract(zip, e, element) }));
}

function readCentralDirectory(zip: Buffer, element: string, limits: EdxmlLimits): Entry[] {
  const corrupt = (what: string) => new EdxmlError('EDXML_INVALID_VALUE', `attachment is not a readable zip (${what})`, element);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt('no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || p === 0xffffffff) throw new EdxmlError('EDXML_ZIP_BOMB', 'ZIP64 archives are not accepted', element);
  if (count > limits.maxZipEntries) {
    throw new EdxmlError('EDXML_ZIP_BOMB', `zip has ${count} members, the limit is ${limits.maxZipEntries}`, element);
  }
  const entries: Entry[] = [];
  for (let k = 0; k < count; k++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== 0x02014b50) throw corrupt('bad central directory');
    const nameLen = zip.readUInt16LE(p + 28);
    const nameBytes = zip.subarray(p + 46, p + 46 + nameLen);
    const flags = zip.readUInt16LE(p + 8);
    entries.push({
      name: decodeName(nameBytes, flags),
      flags,
      method: zip.readUInt16LE(p + 10),
      crc: zip.readUInt32LE(p + 16),
      compressedSize: zip.readUInt32LE(p + 20),
      declaredSize: zip.readUInt32LE(p + 24),
      localOffset: zip.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return entries;
}

function extract(zip: Buffer, e: Entry, element: string): Buffer {
  const corrupt = (what: string) => new EdxmlError('EDXML_INVALID_VALUE', `zip member "${e.name}" is corrupt (${what})`, element);
  const h = e.localOffset;
  if (h + 30 > zip.length || zip.readUInt32LE(h) !== 0x04034b50) throw corrupt('bad local header');
  const start = h + 30 + zip.readUInt16LE(h + 26) + zip.readUInt16LE(h + 28);
  const data = zip.subarray(start, start + e.compressedSize);
  if (data.length !== e.compressedSize) throw corrupt('truncated');
  let out: Buffer;
  if (e.method === 0) out = Buffer.from(data);
  else {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const inflater = new Inflate((chunk) => {
      total += chunk.length;
      // Stop at the first byte beyond the declaration: the limits were checked against it.
      if (total > e.declaredSize) throw new EdxmlError('EDXML_ZIP_BOMB', `zip member "${e.name}" inflates beyond its declared ${e.declaredSize} bytes`, element);
      chunks.push(chunk);
    });
    try {
      const step = 16 * 1024;
      for (let i = 0; i < data.length || i === 0; i += step) inflater.push(data.subarray(i, i + step), i + step >= data.length);
    } catch (err) {
      if (err instanceof EdxmlError) throw err;
      throw corrupt((err as Error).message);
    }
    out = Buffer.concat(chunks);
  }
  if (out.length !== e.declaredSize) throw corrupt(`${out.length} bytes instead of the declared ${e.declaredSize}`);
  if (crc32(out) !== e.crc) throw corrupt('CRC mismatch');
  return out;
}

function decodeName(bytes: Buffer, flags: number): string {
  if (flags & 0x800) return bytes.toString('utf8');
  // Many Vietnamese tools write UTF-8 names without setting the flag; fall back to Latin-1 only if invalid.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

function baseName(name: string): string {
  const parts = name.replace(/\\/g, '/').split('/').filter((s) => s && s !== '.' && s !== '..');
  return parts[parts.length - 1] ?? 'unnamed';
}

let crcTable: Uint32Array | undefined;
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
