import pg from 'pg';

const DURABLE = { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' } as const;

async function settled(databaseUrl: string, want: 'on' | 'off'): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      const r = await c.query<{ fsync: string }>('SHOW fsync');
      if (r.rows[0]!.fsync === want) return;
    } finally {
      await c.end();
    }
    if (Date.now() > until) throw new Error(`fsync did not become ${want} after the reload`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Runs `fn` with the bench's PostgreSQL as production runs it (fsync, synchronous commit and full
 * page writes on; the bench stack starts with them off for speed), then puts the fast settings
 * back. The three are reloadable, so the same server, data and processes serve both figures.
 */
export async function withDurablePostgres<T>(databaseUrl: string, fn: () => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    for (const [k, v] of Object.entries(DURABLE)) await c.query(`ALTER SYSTEM SET ${k} = ${v}`);
    await c.query('SELECT pg_reload_conf()');
    await settled(databaseUrl, 'on');
    return await fn();
  } finally {
    for (const k of Object.keys(DURABLE)) await c.query(`ALTER SYSTEM RESET ${k}`).catch(() => undefined);
    await c.query('SELECT pg_reload_conf()').catch(() => undefined);
    await c.end().catch(() => undefined);
    await settled(databaseUrl, 'off').catch(() => undefined);
  }
}
