import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

/** Context carried by every log line written inside `withLogContext` (request, document, job ids). */
export type LogContext = Record<string, string | number | undefined>;

const storage = new AsyncLocalStorage<LogContext>();

const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'apiKey',
  'password',
  'privateKey',
  'keyPem',
  'masterKey',
  '*.apiKey',
  '*.password',
  '*.keyPem',
];

export const rootLogger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { pid: process.pid, proc: process.env.LIENTHONG_PROCESS ?? undefined },
  redact: { paths: REDACT, censor: '[redacted]' },
  timestamp: pino.stdTimeFunctions.isoTime,
  // A copy: pino merges each line's fields into what mixin returns, which must not leak into the store.
  mixin: () => ({ ...storage.getStore() }),
});

export type Logger = pino.Logger;

export function withLogContext<T>(ctx: LogContext, fn: () => T): T {
  const parent = storage.getStore();
  return storage.run({ ...parent, ...ctx }, fn);
}

export function logger(name: string): Logger {
  return rootLogger.child({ mod: name });
}
