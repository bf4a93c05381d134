import { unzipSync } from 'fflate';
import { ConvertError } from './convert-errors';

export type SourceType = 'pdf' | 'png' | 'jpeg' | 'docx' | 'html' | 'markdown' | 'text';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');

/** The types told by their first bytes alone; `ole` is a legacy Office file (.doc, .xls). */
export type MagicType = 'pdf' | 'png' | 'jpeg' | 'zip' | 'ole';

/**
 * The one table of magic numbers (the intake's content type and the convert stage's source type
 * both read it). Only the first KiB is looked at, so a file's head is enough.
 */
export function magicTypeOf(bytes: Uint8Array): MagicType | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024));
  // PDF readers accept the header anywhere in the first 1024 bytes (ISO 32000-1, annex H).
  if (head.indexOf('%PDF-') !== -1) return 'pdf';
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_MAGIC)) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 4 && head.subarray(0, 4).equals(ZIP_MAGIC)) return 'zip';
  if (head.length >= 8 && head.subarray(0, 8).equals(OLE_MAGIC)) return 'ole';
  return undefined;
}

/**
 * What the bytes are, from their content: magic numbers first, the declared type only to tell
 * Markdown from plain text (a name or MIME type alone never makes a file a PDF or an image).
 */
export function sniffSourceType(bytes: Buffer, declaredType?: string): SourceType {
  if (bytes.length === 0) throw new ConvertError('UNSUPPORTED_TYPE', 'the file is empty');
  const magic = magicTypeOf(bytes);
  if (magic === 'pdf' || magic === 'png' || magic === 'jpeg') return magic;
  if (magic === 'zip') {
    if (zipHas(bytes, 'word/document.xml')) return 'docx';
    throw new ConvertError('UNSUPPORTED_TYPE', 'the file is a ZIP archive but not a Word document (.docx)');
  }
  if (magic === 'ole') {
    throw new ConvertError('UNSUPPORTED_TYPE', 'legacy Office files (.doc, .xls) are not supported: save the file as .docx or PDF');
  }
  if (bytes.includes(0)) throw new ConvertError('UNSUPPORTED_TYPE', 'the file is binary and of no supported type (PDF, PNG, JPEG, DOCX, HTML, Markdown, text)');
  const head = decodeUtf8(bytes.subarray(0, 4096), true).replace(/^\ufeff/, '').trimStart();
  const declared = (declaredType ?? '').toLowerCase();
  if (/^<!doctype html/i.test(head) || /^<html[\s>]/i.test(head) || declared.includes('html')) return 'html';
  if (/^<(head|body|div|p|h[1-6]|table|ul|ol|section|article|main|span|br|!--)[\s>/]/i.test(head)) return 'html';
  if (/markdown|\.md$|\.markdown$/.test(declared)) return 'markdown';
  if (declared === 'text/plain' || declared.endsWith('.txt')) return 'text';
  return looksLikeMarkdown(decodeUtf8(bytes.subarray(0, 65536), true)) ? 'markdown' : 'text';
}

/** Strict UTF-8: Vietnamese in a legacy 8-bit encoding (TCVN3, VNI) would print as garbage. */
export function decodeUtf8(bytes: Uint8Array, prefix = false): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: prefix });
  } catch {
    throw new ConvertError('TEXT_NOT_UTF8', 'the text is not valid UTF-8 (is it in a legacy Vietnamese encoding such as TCVN3 or VNI?)');
  }
}

/** Two independent Markdown signals, or a heading, make a text Markdown. */
function looksLikeMarkdown(text: string): boolean {
  const signals = [
    /^#{1,6}\s+\S/m,
    /^```/m,
    /^\|.*\|\s*$\n^\|?\s*:?-{3,}/m,
    /\[[^\]\n]+\]\([^)\s]+\)/,
    /\*\*[^*\n]+\*\*/,
    /^\s*[-*+]\s+\S.*\n\s*[-*+]\s+\S/m,
    /^\s*\d+\.\s+\S.*\n\s*\d+\.\s+\S/m,
  ].filter((re) => re.test(text)).length;
  return /^#{1,6}\s+\S/m.test(text) || signals >= 2;
}

function zipHas(bytes: Buffer, name: string): boolean {
  let found = false;
  try {
    unzipSync(bytes, {
      filter: (file) => {
        if (file.name === name) found = true;
        return false; // read the directory only: nothing is inflated here
      },
    });
  } catch {
    throw new ConvertError('DOCX_INVALID', 'the ZIP archive is damaged');
  }
  return found;
}
