import timers from 'node:timers';

/**
 * Where the test process's timers were made. Node's handle list leaves timers out, and its
 * resource summary only counts them ("Timeout, Timeout"), so a timer that keeps the run from
 * ending could not be named. Once `trackTimerOrigins()` has run, every setTimeout and setInterval
 * (the globals and node:timers' own) records the stack that made it; `liveTimerOrigins()` lists
 * the ones still armed and still holding the process (ref'd), with the frames outside Node itself.
 *
 * The stack is captured structured and formatted only when asked for, so the cost per timer is a
 * small object; timers that fired or were cleared are dropped every few thousand new ones.
 */
type Timer = NodeJS.Timeout & { _destroyed?: boolean };

const made = new Map<Timer, { stack?: string }>();
let sinceSweep = 0;
let installed = false;

function sweep(): void {
  for (const t of made.keys()) if (t._destroyed) made.delete(t);
  sinceSweep = 0;
}

function record<F extends (...args: never[]) => Timer>(original: F): F {
  const wrapped = function (this: unknown, ...args: Parameters<F>): Timer {
    const timer = original.apply(this, args);
    const where: { stack?: string } = {};
    Error.captureStackTrace(where, wrapped);
    made.set(timer, where);
    if (++sinceSweep >= 5_000) sweep();
    return timer;
  };
  // util.promisify(setTimeout) reads a property of the function itself: keep every one.
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    Object.defineProperty(wrapped, key, Object.getOwnPropertyDescriptor(original, key)!);
  }
  return wrapped as unknown as F;
}

export function trackTimerOrigins(): void {
  if (installed) return;
  installed = true;
  const setT = record(timers.setTimeout as unknown as (...args: never[]) => Timer);
  const setI = record(timers.setInterval as unknown as (...args: never[]) => Timer);
  // The global functions and node:timers' exports are separate bindings of the same functions.
  globalThis.setTimeout = setT as unknown as typeof globalThis.setTimeout;
  globalThis.setInterval = setI as unknown as typeof globalThis.setInterval;
  (timers as { setTimeout: unknown }).setTimeout = setT;
  (timers as { setInterval: unknown }).setInterval = setI;
}

/** The timers still armed and ref'd, each with its period and the frames that made it. */
export function liveTimerOrigins(frames = 6): string[] {
  sweep();
  const out: string[] = [];
  for (const [t, where] of made) {
    if (t._destroyed || !t.hasRef()) continue;
    const any = t as unknown as { _repeat?: number | null; _idleTimeout?: number };
    const kind = any._repeat ? `interval ${any._repeat} ms` : `timeout ${any._idleTimeout ?? '?'} ms`;
    const lines = (where.stack ?? '')
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter((l) => !l.includes('(node:') && !l.startsWith('at node:'))
      .slice(0, frames);
    out.push(`${kind}, made ${lines.length > 0 ? lines.join(' ← ') : 'inside Node itself'}`);
  }
  return out;
}
