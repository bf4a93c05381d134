import pg from 'pg';
import { connectSession } from '../../services/db/multi-host';
import { testEnv } from './test-env';

/**
 * Waits, on PostgreSQL notifications rather than sleeps, until `check` returns a value; `check`
 * runs once at the start, on every notification of the channels, and every `recheckMs` as a
 * safety net for work that announces itself elsewhere. Fails after `timeoutMs` with `what`.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  opts: { channels?: string[]; timeoutMs?: number; recheckMs?: number } = {},
): Promise<T> {
  // connectSession: the cluster drill's URL lists several servers (one is the primary).
  const client: pg.Client = await connectSession(testEnv().databaseUrl, 'lienthong-test-wait');
  try {
    let wake: () => void = () => undefined;
    client.on('notification', () => wake());
    for (const ch of opts.channels ?? ['lienthong_dispatch']) await client.query(`LISTEN ${ch}`);
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    for (;;) {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, opts.recheckMs ?? 1_000));
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  } finally {
    await client.end();
  }
}
