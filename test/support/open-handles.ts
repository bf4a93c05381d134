import { liveTimerOrigins } from './timer-origins';

/**
 * What keeps this process alive once the tests are done: the active handles (sockets with their
 * ends, child processes, servers), the timers still armed with where they were made (Node's handle
 * list has no timers: timer-origins.ts) and Node's resource summary. Mocha runs without `exit:
 * true`, so a leaked handle would hang the run; this names it and fails the run instead.
 */
export function describeActiveHandles(): string[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  const lines = handles.map((h) => {
    const name = (h as object)?.constructor?.name ?? typeof h;
    const any = h as Record<string, unknown>;
    if (name === 'Socket') {
      const s = h as { remoteAddress?: string; remotePort?: number; localPort?: number; _type?: string };
      if (s === (process.stdout as unknown) || s === (process.stderr as unknown) || s === (process.stdin as unknown)) return null;
      return `Socket ${s.remoteAddress ?? ''}:${s.remotePort ?? ''} (local ${s.localPort ?? '?'})`;
    }
    if (name === 'ChildProcess') return `ChildProcess pid ${String(any.pid)} ${(any.spawnargs as string[] | undefined)?.join(' ') ?? ''}`;
    if (name === 'Server') return `Server ${JSON.stringify((h as { address(): unknown }).address?.())}`;
    return name;
  });
  return [
    ...lines.filter((l): l is string => l !== null),
    ...liveTimerOrigins(),
    `resources: ${process.getActiveResourcesInfo().join(', ')}`,
  ];
}

/**
 * Once the run is over: after `warnMs`, if the process is still running, name what holds it (a
 * timer that will still fire, such as a long timeout a finished wait never cleared, only delays
 * the end); after `failMs`, name it again and exit with failure, since that is a hang.
 */
export function reportHandlesIfStillRunning(warnMs: number, failMs = warnMs): void {
  const held = (ms: number) =>
    `[test] the run finished but the process is still held open after ${ms / 1000} s by:\n  ${describeActiveHandles().join('\n  ')}\n`;
  if (failMs > warnMs) setTimeout(() => process.stderr.write(held(warnMs)), warnMs).unref();
  const timer = setTimeout(() => {
    process.stderr.write(`${held(failMs)}[test] failing the run: it would not end by itself\n`);
    // Mocha (without `exit: true`) sets the exit code to its failure count from an 'exit' listener
    // of its own, which would turn this exit back into a pass; this listener comes after it.
    process.on('exit', () => {
      process.exitCode = 1;
    });
    process.exit(1);
  }, failMs);
  timer.unref();
}
