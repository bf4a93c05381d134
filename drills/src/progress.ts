import type { Db } from '../../services/db/pool';

/**
 * How far the pipeline has taken these documents: stages passed, copies settled, push attempts
 * made. It only grows while the pipeline works, however slowly a busy machine lets it.
 */
export async function pipelineProgress(db: Db, ids: string[]): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT (SELECT COALESCE(sum(CASE status WHEN 'accepted' THEN 0 WHEN 'converted' THEN 1 WHEN 'signed' THEN 2 ELSE 3 END), 0)
               FROM documents WHERE id = ANY($1::uuid[]))
          + (SELECT count(*) FROM dispatches WHERE document_id = ANY($1::uuid[]) AND status NOT IN ('pending', 'delivering'))
          + (SELECT count(*) FROM dispatch_attempts a JOIN dispatches x ON x.id = a.dispatch_id WHERE x.document_id = ANY($1::uuid[])) AS n`,
    [ids],
  );
  return Number(r.rows[0]?.n ?? 0);
}

export interface ProgressBounds {
  /** Give up after this long without any progress. */
  idleMs: number;
  /** ... or after this long in all. */
  maxMs: number;
  recheckMs?: number;
}

/**
 * Waits until `check` returns a value. The bound is scaled to the pipeline's own progress: it is
 * `idleMs` counted from the last time `progress` moved (a busy machine is slow, not stuck), with a
 * hard ceiling of `maxMs`. Throws, naming what it waited for, how far it got and for how long.
 */
export async function waitWithProgress<T>(what: string, check: () => Promise<T | undefined | false>, progress: () => Promise<number>, b: ProgressBounds): Promise<T> {
  const started = Date.now();
  let last = await progress();
  let lastMoved = Date.now();
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    const now = Date.now();
    const p = await progress();
    if (p !== last) {
      last = p;
      lastMoved = now;
    }
    if (now - lastMoved > b.idleMs || now - started > b.maxMs) {
      throw new Error(`gave up waiting for ${what} after ${Math.round((now - started) / 1000)} s (no progress for ${Math.round((now - lastMoved) / 1000)} s, progress ${p})`);
    }
    await new Promise((r) => setTimeout(r, b.recheckMs ?? 250));
  }
}
