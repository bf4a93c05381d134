import type { Queryable } from '../../db/pool';
import { decodeCursor, encodeCursor } from '../paging/cursor';

export interface OutboxItem {
  documentId: string;
  number: string;
  notation: string;
  subject: string;
  urgency: string;
  status: string;
  createdAt: string;
  dispatches: Record<string, number>;
  overdue: number;
  /** Copies still being retried after a failed push attempt, and the latest such error (issue 16). */
  retrying: number;
  lastError: string | null;
}

/** The caller's sent documents, newest first, with a count of dispatches per state. */
export async function listOutbox(db: Queryable, sender: string, limit: number, cursor?: string, onlyDocument?: string): Promise<{ items: OutboxItem[]; nextCursor: string | null }> {
  const position = decodeCursor(cursor);
  const after: [string, string] | null = position ? [position.at, position.id] : null;
  const r = await db.query(
    `SELECT d.id AS "documentId", d.number, d.notation, d.subject, d.urgency, d.status, d.created_at AS "createdAt",
            d.created_at::text AS "cursorAt",
            COALESCE((SELECT json_object_agg(s.status, s.n) FROM (SELECT status, count(*)::int AS n FROM dispatches
                       WHERE document_id = d.id GROUP BY status) s), '{}') AS dispatches,
            (SELECT count(*)::int FROM dispatches x WHERE x.document_id = d.id AND x.status NOT IN ('completed', 'revoked', 'refused', 'paper', 'failed')
               AND d.due_on IS NOT NULL AND d.due_on < (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date) AS overdue,
            (SELECT count(*)::int FROM dispatches x WHERE x.document_id = d.id AND x.status IN ('pending', 'delivering') AND x.last_error IS NOT NULL) AS retrying,
            COALESCE((SELECT x.last_error FROM dispatches x WHERE x.document_id = d.id AND x.last_error IS NOT NULL
                        AND x.status IN ('pending', 'delivering', 'failed') ORDER BY x.updated_at DESC LIMIT 1), d.last_error) AS "lastError"
       FROM documents d
      WHERE d.sender_code = $1 AND ($5::uuid IS NULL OR d.id = $5) AND ($2::timestamptz IS NULL OR (d.created_at, d.id) < ($2::timestamptz, $3::uuid))
      ORDER BY d.created_at DESC, d.id DESC LIMIT $4`,
    [sender, after?.[0] ?? null, after?.[1] ?? null, limit + 1, onlyDocument ?? null],
  );
  const rows = r.rows.slice(0, limit);
  const last = rows[rows.length - 1];
  return {
    items: rows.map(({ cursorAt: _c, ...x }) => ({ ...x, createdAt: new Date(x.createdAt).toISOString() })),
    nextCursor: r.rows.length > limit && last ? encodeCursor(last.cursorAt, last.documentId) : null,
  };
}
