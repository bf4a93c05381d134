import { unzipSync, zipSync } from 'fflate';
import { ConvertError } from './convert-errors';

export interface ZipLimits {
  maxEntries: number;
  maxTotalBytes: number;
  /** Uncompressed ÷ compressed, checked for members large enough to matter. */
  maxRatio: number;
}

/** A real .docx has tens of parts and a few MB; text XML compresses about 5–20×, rarely beyond 100×. */
export const DOCX_ZIP_LIMITS: ZipLimits = { maxEntries: 1000, maxTotalBytes: 200 * 1024 * 1024, maxRatio: 200 };
const RATIO_FLOOR = 1024 * 1024; // members under 1 MiB may compress as well as they like

/**
 * Opens a .docx safely before any library inflates it. The central directory is read first (no
 * inflation) and member count, declared total size and ratio are checked. Then the members are
 * inflated into buffers of their declared sizes, so a member that lies about its size is cut off
 * rather than growing. Returns a stored (uncompressed) copy of the archive for mammoth.
 */
export function safeDocxArchive(bytes: Buffer, limits: ZipLimits = DOCX_ZIP_LIMITS): Buffer {
  const members: { name: string; size: number; originalSize: number; compression: number }[] = [];
  try {
    unzipSync(bytes, {
      filter: (file) => {
        members.push(file);
        return false;
      },
    });
  } catch (e) {
    throw new ConvertError('DOCX_INVALID', `the .docx archive is damaged: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (members.length > limits.maxEntries) {
    throw new ConvertError('DOCX_ZIP_BOMB', `the .docx holds ${members.length} parts; at most ${limits.maxEntries} are accepted`);
  }
  const total = members.reduce((sum, m) => sum + m.originalSize, 0);
  if (total > limits.maxTotalBytes) {
    throw new ConvertError('DOCX_ZIP_BOMB', `the .docx would unpack to ${total} bytes; at most ${limits.maxTotalBytes} are accepted`);
  }
  for (const m of members) {
    if (m.originalSize > RATIO_FLOOR && m.originalSize > limits.maxRatio * Math.max(1, m.size)) {
      throw new ConvertError('DOCX_ZIP_BOMB', `the .docx part ${m.name} unpacks ${Math.round(m.originalSize / Math.max(1, m.size))} times its size: a decompression bomb`);
    }
    if (m.compression !== 0 && m.compression !== 8) {
      throw new ConvertError('DOCX_INVALID', `the .docx part ${m.name} uses an unsupported compression method (${m.compression})`);
    }
  }
  if (!members.some((m) => m.name === 'word/document.xml')) throw new ConvertError('DOCX_INVALID', 'the archive has no word/document.xml');

  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new ConvertError('DOCX_INVALID', `the .docx archive cannot be unpacked: ${e instanceof Error ? e.message : String(e)}`);
  }
  return Buffer.from(zipSync(files, { level: 0 }));
}
