import { DOCUMENT_TYPE_CODES, type DocumentType } from '../../../contracts/document-types';
import type { SignatureLevel } from './signature-levels';

/**
 * Document types the province keeps permanently (lưu trữ vĩnh viễn): the normative and policy
 * instruments — nghị quyết, quyết định, chỉ thị, quy chế, quy định — and đề án. They are signed
 * PAdES B-LTA (a document timestamp from the start) whatever the configured level, so their
 * proof of existence can be renewed for as long as they are kept. LIENTHONG_LTA_DOCUMENT_TYPES
 * replaces this list.
 */
export const DEFAULT_PERMANENT_TYPES: readonly DocumentType[] = ['NQ', 'QĐ', 'CT', 'QC', 'QyĐ', 'ĐA'];

export class UnknownDocumentTypeError extends Error {}

/** The configured list (comma separated codes), checked against the 29 types of Decree 30. */
export function permanentTypes(configured: string | undefined): Set<string> {
  if (!configured) return new Set(DEFAULT_PERMANENT_TYPES);
  const codes = configured.split(',').map((c) => c.trim()).filter(Boolean);
  const unknown = codes.filter((c) => !(DOCUMENT_TYPE_CODES as readonly string[]).includes(c));
  if (unknown.length) throw new UnknownDocumentTypeError(`LIENTHONG_LTA_DOCUMENT_TYPES: unknown document type(s) ${unknown.join(', ')}`);
  return new Set(codes);
}

/** The level a document of `documentType` is signed at. */
export function levelFor(documentType: string, configured: SignatureLevel, permanent: Set<string>): SignatureLevel {
  return permanent.has(documentType) && configured !== 'B-B' ? 'B-LTA' : configured;
}
