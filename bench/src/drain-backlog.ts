import pg from 'pg';
import { sleep } from '../../infra/embedded/common';
import { round } from './stats';

/**
 * Waits until no document is in the pipeline and no copy of a document that did not fail is open
 * (the database's own in-flight and open lists), or until `maxMs` passes. Returns what is left and how long it took.
 */
export async function drainBacklog(databaseUrl: string, maxMs: number): Promise<{ seconds: number; left: number }> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const t0 = Date.now();
  try {
    for (;;) {
      const r = await c.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM documents WHERE status = ANY(lienthong_in_flight_document_statuses()))
              + (SELECT count(*) FROM dispatches x JOIN documents d ON d.id = x.document_id
                  WHERE x.status = ANY(lienthong_open_dispatch_statuses()) AND d.status <> 'failed') AS n`,
      );
      const left = Number(r.rows[0]!.n);
      if (left === 0 || Date.now() - t0 > maxMs) return { seconds: round((Date.now() - t0) / 1000, 1)!, left };
      await sleep(1_000);
    }
  } finally {
    await c.end();
  }
}
