/**
 * The TSA could not give a usable timestamp (down, slow, refused, or answered nonsense).
 * Retryable by design: with LIENTHONG_TSA_POLICY=retry the sign job fails this attempt and
 * BullMQ tries again later, when the TSA is likely back.
 */
export class TimestampUnavailableError extends Error {
  override name = 'TimestampUnavailableError';
  readonly code = 'TSA_UNAVAILABLE';
  readonly retryable = true;
  constructor(readonly url: string, reason: string) {
    super(`the timestamp authority ${url} gave no usable timestamp: ${reason}`);
  }
}
