import type { InboxItem } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { keysetPage, type Page } from '../paging/keyset-page';

export interface InboxQuery {
  recipient: string;
  limit: number;
  /** Opaque keyset cursor (services/domain/paging/cursor.ts); malformed → 400. */
  cursor?: string | undefined;
  /** The last page (the oldest copies). */
  last?: boolean | undefined;
}

/** The API inbox: delivered copies (a revoked one stays, marked with its time and reason), newest first, keyset pages, the total. */
export async function listInbox(db: Queryable, q: InboxQuery): Promise<Page<InboxItem>> {
  const page = await keysetPage<InboxItem & { deliveredAt: Date; revokedAt: Date | null }>(
    db,
    {
      // The key keeps PostgreSQL's microseconds: a millisecond ISO string would skip rows.
      select: `SELECT x.id AS "dispatchId", d.id AS "documentId", d.sender_code AS sender, d.subject, d.number, d.notation,
                      d.urgency, x.status, x.delivered_at AS "deliveredAt",
                      CASE WHEN x.status = 'revoked' THEN d.revoked_at END AS "revokedAt",
                      CASE WHEN x.status = 'revoked' THEN d.revoke_reason END AS "revokeReason",
                      x.delivered_at::text AS "_k0", x.id::text AS "_k1"
                 FROM dispatches x JOIN documents d ON d.id = x.document_id
                WHERE x.recipient_code = $1 AND x.delivered_at IS NOT NULL AND {{keyset}}`,
      key: [{ expr: 'x.delivered_at', type: 'timestamptz' }, { expr: 'x.id', type: 'uuid' }],
      params: [q.recipient],
      count: `SELECT count(*)::int AS n FROM dispatches x WHERE x.recipient_code = $1 AND x.delivered_at IS NOT NULL`,
    },
    { limit: q.limit, cursor: q.cursor, last: q.last },
  );
  return {
    ...page,
    items: page.items.map((row) => ({
      ...row,
      deliveredAt: new Date(row.deliveredAt).toISOString(),
      revokedAt: row.revokedAt ? new Date(row.revokedAt).toISOString() : null,
    })),
  };
}
