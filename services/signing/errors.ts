/** The PDF cannot be signed as given (encrypted, no pages, unparseable). Retrying will not help. */
export class UnsignablePdfError extends Error {
  override name = 'UnsignablePdfError';
}

/** The CMS did not fit the space reserved in /Contents (too long a chain, or a large timestamp token). */
export class SignatureTooLargeError extends Error {
  override name = 'SignatureTooLargeError';
  constructor(readonly needed: number, readonly available: number) {
    super(`the CMS signature needs ${needed} bytes but only ${available} were reserved in /Contents`);
  }
}

/** The key, certificate or chain given to the signer is not usable. */
export class SigningIdentityError extends Error {
  override name = 'SigningIdentityError';
}

/** The lazy reader cannot make sense of the file (broken xref, unsupported filter…): a full parse may still. */
export class PdfUnreadableError extends Error {
  override name = 'PdfUnreadableError';
}

/** The page tree is broken beyond reading (a cycle, absurd depth or size, a missing node). */
export class PdfPageTreeError extends Error {
  override name = 'PdfPageTreeError';
}
