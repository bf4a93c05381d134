import type { ErrorCode } from '../../../contracts';

/** The one error type domain code throws; the gateway maps `code` to an HTTP status. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
