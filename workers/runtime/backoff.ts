/**
 * Exponential backoff with "full jitter" and a ceiling: many deliveries failing together (an
 * agency's endpoint down) spread their retries instead of knocking on the endpoint at once, and
 * no retry waits longer than `maxMs`, so an endpoint that comes back is served within that time.
 */
export function jitteredBackoff(baseMs: number, maxMs: number, random: () => number = Math.random) {
  return (attemptsMade: number): number => {
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
  };
}

/** An error carrying the delay its handler chose for the next attempt (see deliver.job.ts). */
export interface RetryAfterError extends Error {
  retryDelayMs?: number;
}

/** BullMQ's backoff strategy: the delay the handler chose when it chose one, else `fallback`. */
export function withChosenDelay(fallback: (attemptsMade: number) => number) {
  return (attemptsMade: number, _type?: string, err?: Error): number => {
    const chosen = (err as RetryAfterError | undefined)?.retryDelayMs;
    return typeof chosen === 'number' && Number.isFinite(chosen) && chosen >= 0 ? chosen : fallback(attemptsMade);
  };
}
