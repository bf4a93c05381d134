import type { Queryable } from '../../db/pool';
import { keysetPage, type Page, type PageRequest } from '../paging/keyset-page';

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

/**
 * The caller's sent documents, newest first, with a count of dispatches per state and the copies
 * still being retried with their latest error; keyset pages and the total. `onlyDocument` narrows
 * it to one row (the live refresh of one outbox line).
 */
export async function listOutbox(db: Queryable, sender: string, req: PageRequest, onlyDocument?: string): Promise<Page<OutboxItem>> {
  const page = await keysetPage<OutboxItem>(
    db,
    {
      select: `SELECT d.id AS "documentId", d.number, d.notation, d.subject, d.urgency, d.status, d.created_at AS "createdAt",
                      d.created_at::text AS "_k0", d.id::text AS "_k1",
                      COALESCE((SELECT json_object_agg(s.status, s.n) FROM (SELECT status, count(*)::int AS n FROM dispatches
                                 WHERE document_id = d.id GROUP BY status) s), '{}') AS dispatches,
                      (SELECT count(*)::int FROM dispatches x WHERE x.document_id = d.id AND x.status NOT IN ('completed', 'revoked', 'refused', 'paper', 'failed')
                         AND dispatch_overdue(x.id, now()) IS NOT NULL) AS overdue,
                      (SELECT count(*)::int FROM dispatches x WHERE x.document_id = d.id AND x.status = ANY (lienthong_open_dispatch_statuses()) AND x.last_error IS NOT NULL) AS retrying,
                      COALESCE((SELECT x.last_error FROM dispatches x WHERE x.document_id = d.id AND x.last_error IS NOT NULL
                                  AND x.status = ANY (lienthong_open_dispatch_statuses() || ARRAY['failed']) ORDER BY x.updated_at DESC LIMIT 1), d.last_error) AS "lastError"
                 FROM documents d WHERE d.sender_code = $1 AND ($2::uuid IS NULL OR d.id = $2) AND {{keyset}}`,
      key: [{ expr: 'd.created_at', type: 'timestamptz' }, { expr: 'd.id', type: 'uuid' }],
      params: [sender, onlyDocument ?? null],
      count: `SELECT count(*)::int AS n FROM documents d WHERE d.sender_code = $1 AND ($2::uuid IS NULL OR d.id = $2)`,
    },
    req,
  );
  return { ...page, items: page.items.map((x) => ({ ...x, createdAt: new Date(x.createdAt).toISOString() })) };
}
