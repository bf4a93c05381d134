import pg from 'pg';

/**
 * Samples pg_stat_activity while a phase runs: how often the service's backends were busy, and
 * what the busy ones were waiting on (Lock/advisory = the ledger's chain lock, IO, Client, …).
 * A CPU profile cannot show time spent waiting for a lock; this can.
 */
export async function sampleWaits(databaseUrl: string, intervalMs: number) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const counts: Record<string, number> = {};
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const r = await client.query(
        `SELECT coalesce(wait_event_type || '/' || wait_event, 'running') AS w, count(*)::int AS n
           FROM pg_stat_activity
          WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
            AND application_name LIKE 'lienthong%'
          GROUP BY 1`,
      );
      samples++;
      for (const row of r.rows) counts[row.w] = (counts[row.w] ?? 0) + row.n;
      await new Promise((res) => setTimeout(res, intervalMs));
    }
  })();
  return {
    /** Mean number of service backends in each state per sample. */
    async stop(): Promise<Record<string, number>> {
      stopped = true;
      await loop;
      await client.end();
      return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, Math.round((n / Math.max(1, samples)) * 100) / 100]));
    },
  };
}
