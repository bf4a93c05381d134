import type { Queryable } from '../../db/pool';
import { OPEN_DISPATCH_STATUSES } from '../../pipeline/stage-order';

/**
 * A copy can wait only for a job: its document's stage job (the document in flight) or its own
 * deliver job (the document routed). A copy still open under a failed document has neither: it goes
 * to the failed list with the document's reason, where an operator retry restarts the stage
 * (retry-dispatch.ts). Rows left so by older versions' retry (issue 16). Returns how many moved.
 */
export async function failOrphanedCopies(db: Queryable, ageMs: number): Promise<number> {
  const orphans = await db.query(
    `UPDATE dispatches x SET status = 'failed', last_error = COALESCE(d.last_error, 'văn bản bị lỗi trong quá trình xử lý'), updated_at = now()
       FROM documents d
      WHERE d.id = x.document_id AND d.status = 'failed' AND x.status = ANY($2::text[])
        AND x.updated_at < now() - make_interval(secs => $1::float8 / 1000)`,
    [ageMs, OPEN_DISPATCH_STATUSES],
  );
  return orphans.rowCount ?? 0;
}
