/**
 * Why a source could not become a PDF. The codes are stable keys (stored with a failed document
 * and shown to API clients); the message is a sentence for people.
 */
export const ConvertErrorCode = {
  PDF_INVALID: 'PDF_INVALID',
  PDF_ENCRYPTED: 'PDF_ENCRYPTED',
  UNSUPPORTED_TYPE: 'UNSUPPORTED_TYPE',
  SOURCE_TOO_LARGE: 'SOURCE_TOO_LARGE',
  TEXT_NOT_UTF8: 'TEXT_NOT_UTF8',
  TOO_MANY_PAGES: 'TOO_MANY_PAGES',
  TEXT_TOO_LONG: 'TEXT_TOO_LONG',
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  IMAGE_INVALID: 'IMAGE_INVALID',
  DOCX_ZIP_BOMB: 'DOCX_ZIP_BOMB',
  DOCX_INVALID: 'DOCX_INVALID',
  CONVERT_TIMEOUT: 'CONVERT_TIMEOUT',
  CONVERT_OUT_OF_MEMORY: 'CONVERT_OUT_OF_MEMORY',
  CONVERT_FAILED: 'CONVERT_FAILED',
} as const;
export type ConvertErrorCode = (typeof ConvertErrorCode)[keyof typeof ConvertErrorCode];

export class ConvertError extends Error {
  override readonly name = 'ConvertError';
  constructor(
    readonly code: ConvertErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isConvertErrorCode(value: unknown): value is ConvertErrorCode {
  return typeof value === 'string' && Object.hasOwn(ConvertErrorCode, value);
}

/** A conversion thread's answer when the official-layout renderer refused a body (RenderInputError, not a ConvertError). */
export const RENDER_INVALID = 'RENDER_INVALID';
