import { encodePdfTextString, formatPdfDate } from './pdf-text';

// The text of a signature dictionary with an empty /Contents of a given capacity and a
// fixed-width /ByteRange to be written over: a signature (/Type /Sig, ETSI.CAdES.detached, /M
// and the optional /Name, /Reason, /Location, /ContactInfo) or a document timestamp
// (/Type /DocTimeStamp, ETSI.RFC3161, nothing else).

export type ByteRange = [number, number, number, number];

export interface SignatureDictionaryFields {
  signingTime: Date;
  reason?: string;
  location?: string;
  signerName?: string;
  contactInfo?: string;
  /** A document timestamp (PAdES B-LTA): /Type /DocTimeStamp, /SubFilter /ETSI.RFC3161, no /M. */
  docTimestamp?: boolean;
}

// Fixed width so the real offsets can be written over it without moving a byte.
export const BYTE_RANGE_PLACEHOLDER = '[0 0000000000 0000000000 0000000000]';

export interface SignatureDictionaryText {
  text: string;
  /** Offsets inside `text` of the '<' opening /Contents and of the /ByteRange array. */
  contentsAt: number;
  byteRangeAt: number;
}

export function signatureDictionary(fields: SignatureDictionaryFields, capacity: number): SignatureDictionaryText {
  const optional: [string, string | undefined][] = [
    ['Name', fields.signerName], ['Reason', fields.reason], ['Location', fields.location], ['ContactInfo', fields.contactInfo],
  ];
  const head =
    (fields.docTimestamp ? '<<\n/Type /DocTimeStamp\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.RFC3161\n' : '<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.CAdES.detached\n') +
    `/ByteRange ${BYTE_RANGE_PLACEHOLDER}\n/Contents <`;
  if (fields.docTimestamp) return { text: head + '0'.repeat(capacity * 2) + '>\n>>', contentsAt: head.length - 1, byteRangeAt: head.indexOf(BYTE_RANGE_PLACEHOLDER) };
  const tail =
    `>\n/M ${encodePdfTextString(formatPdfDate(fields.signingTime))}\n` +
    optional.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `/${k} ${encodePdfTextString(v ?? '')}\n`).join('') +
    '>>';
  return {
    text: head + '0'.repeat(capacity * 2) + tail,
    contentsAt: head.length - 1,
    byteRangeAt: head.indexOf(BYTE_RANGE_PLACEHOLDER),
  };
}
