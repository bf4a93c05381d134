import type { Db } from '../../db/pool';
import { ListenHub } from './listen-hub';

/** What the workers and the status functions NOTIFY on 'lienthong_dispatch'. */
export interface DispatchEvent {
  dispatchId?: string;
  documentId: string;
  status: string;
}

function parseDispatchEvent(payload: string): DispatchEvent | undefined {
  const p = JSON.parse(payload) as Partial<DispatchEvent>;
  if (typeof p.documentId !== 'string' || typeof p.status !== 'string') return undefined;
  return { documentId: p.documentId, status: p.status, ...(typeof p.dispatchId === 'string' ? { dispatchId: p.dispatchId } : {}) };
}

/**
 * Status changes of documents, by agency: each notification is sent only to the agencies it
 * concerns — the sender, and the recipient whose copy has arrived — never to anyone else.
 */
export function dispatchEventHub(db: Db, databaseUrl: string): ListenHub<DispatchEvent> {
  return new ListenHub<DispatchEvent>({
    channel: 'lienthong_dispatch',
    application: 'lienthong-web-events',
    databaseUrl,
    parse: parseDispatchEvent,
    async audience(e) {
      const r = await db.query<{ sender: string; recipients: string[] }>(
        `SELECT d.sender_code AS sender,
                COALESCE(array_agg(x.recipient_code) FILTER (WHERE x.delivered_at IS NOT NULL), '{}') AS recipients
           FROM documents d LEFT JOIN dispatches x ON x.document_id = d.id AND ($2::uuid IS NULL OR x.id = $2)
          WHERE d.id = $1 GROUP BY d.sender_code`,
        [e.documentId, e.dispatchId ?? null],
      );
      const row = r.rows[0];
      return row ? [row.sender, ...row.recipients] : [];
    },
  });
}
