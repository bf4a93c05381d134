// PDF text strings and dates (ISO 32000-1 §7.9.2, §7.9.4), shared by the signer and the verifier.

/**
 * A PDF text string literal. Printable ASCII is written as a literal string; anything else as
 * UTF-16BE with a byte-order mark, since PDFDocEncoding cannot hold Vietnamese.
 */
export function encodePdfTextString(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  const utf16be = Buffer.from(text, 'utf16le').swap16();
  return `<FEFF${utf16be.toString('hex').toUpperCase()}>`;
}

/** Decodes the bytes of a text string: UTF-16BE with BOM, UTF-8 with BOM (PDF 2.0), else PDFDocEncoding. */
export function decodePdfTextBytes(bytes: Buffer): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const body = Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
    return body.swap16().toString('utf16le');
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  // PDFDocEncoding matches Latin-1 for every character a signer name or reason realistically uses.
  return bytes.toString('latin1');
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** D:YYYYMMDDHHmmSSZ in UTC, to the second. */
export function formatPdfDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('signing time is not a valid date');
  return (
    `D:${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`
  );
}

/** Parses D:YYYY[MM[DD[HH[mm[SS[O[HH['mm']]]]]]]]; null when it is not a PDF date. */
export function parsePdfDate(text: string): Date | null {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(?:(\d{2})'?(?:(\d{2})'?)?)?)?\s*$/.exec(text.trim());
  if (!m) return null;
  const num = (s: string | undefined, dflt: number): number => (s === undefined ? dflt : Number(s));
  const utc = Date.UTC(num(m[1], 0), num(m[2], 1) - 1, num(m[3], 1), num(m[4], 0), num(m[5], 0), num(m[6], 0));
  const sign = m[7] === '-' ? -1 : m[7] === '+' ? 1 : 0;
  const offsetMinutes = sign * (num(m[8], 0) * 60 + num(m[9], 0));
  const date = new Date(utc - offsetMinutes * 60_000);
  return Number.isNaN(date.getTime()) ? null : date;
}
