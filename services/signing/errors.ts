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
