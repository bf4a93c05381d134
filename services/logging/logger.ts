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

/**
 * Where the lines go: standard output through sonic-boom, asynchronously and flushed when the
 * process exits (what pino does by default), and, in a long-running service that asks for it
 * (bufferLogLines), gathered into blocks first.
 */
const destination = pino.destination({ dest: 1, sync: false });
/**
 * sonic-boom reads its `minLength` option from the instance at every write (lines are held until
 * that many bytes wait); its type declares the option only. test/unit/logging/log-buffering.test.ts
 * fails if a version stops honouring it.
 */
const held = destination as unknown as { minLength: number };

export const rootLogger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { pid: process.pid, proc: process.env.LIENTHONG_PROCESS ?? undefined },
  redact: { paths: REDACT, censor: '[redacted]' },
  timestamp: pino.stdTimeFunctions.isoTime,
  // A copy: pino merges each line's fields into what mixin returns, which must not leak into the store.
  mixin: () => ({ ...storage.getStore() }),
}, destination);

let flushTimer: NodeJS.Timeout | undefined;

/**
 * From now on, lines are written in blocks of about `bytes` (one write for many lines), and at the
 * latest `maxDelayMs` after they were logged; what is still held is written when the process exits
 * (normally, by process.exit, or after an uncaught exception: pino's exit hook). A line is lost
 * only when the process is killed outright (SIGKILL, the kernel's out-of-memory killer): at most
 * one block.
 *
 * Why: the gateway and the workers log about five lines per document, and a write per line was the
 * largest single cost of their logging (sonic-boom's writeString in their CPU profiles); gathered,
 * a write carries a dozen lines. `bytes` 0: a write per line again.
 */
export function bufferLogLines(bytes: number, maxDelayMs = 200): void {
  if (flushTimer) clearInterval(flushTimer);
  flushTimer = undefined;
  if (bytes <= 0) {
    writeHeld();
    held.minLength = 0;
    return;
  }
  held.minLength = bytes;
  // Every tick, lines or not. Skipping ticks when no line came looks cheaper (an idle process
  // writes an empty block every maxDelayMs), but a flush asked while a write is in flight does
  // nothing, and what was held then would wait for the next line: sonic-boom does not say whether
  // it still holds bytes.
  flushTimer = setInterval(writeHeld, maxDelayMs);
  flushTimer.unref();
}

/** Starts the write of what is held; nothing to do once standard output is gone (EPIPE). */
function writeHeld(): void {
  try {
    destination.flush();
  } catch {
    // sonic-boom throws on a destroyed stream: the lines have nowhere to go.
  }
}

export type Logger = pino.Logger;

export function withLogContext<T>(ctx: LogContext, fn: () => T): T {
  const parent = storage.getStore();
  return storage.run({ ...parent, ...ctx }, fn);
}

export function logger(name: string): Logger {
  return rootLogger.child({ mod: name });
}
