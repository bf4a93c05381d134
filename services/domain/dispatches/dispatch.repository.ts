import { randomUUID } from 'node:crypto';
import type { Channel, DispatchStatus, DispatchView, InboxItem } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { ledgerAppendArgs, type LedgerEntry } from '../ledger/ledger.repository';
import type { ResolvedRecipient } from '../agencies/resolve-recipients';
import { keysetPage, type Page } from '../paging/keyset-page';

export interface DispatchRow {
  id: string;
  documentId: string;
  recipientCode: string;
  viaGroup: string | null;
  channel: Channel | null;
  status: DispatchStatus;
  incomingNumber: string | null;
  attempts: number;
  lastError: string | null;
  deliveredAt: Date | null;
}

const COLUMNS = `id, document_id AS "documentId", recipient_code AS "recipientCode", via_group AS "viaGroup",
  channel, status, incoming_number AS "incomingNumber", attempts, last_error AS "lastError", delivered_at AS "deliveredAt"`;

/** One row per recipient, in one statement: a 500-recipient notice is one round trip. */
export async function insertDispatches(tx: Queryable, documentId: string, recipients: ResolvedRecipient[]): Promise<string[]> {
  const ids = recipients.map(() => randomUUID());
  await tx.query(
    `INSERT INTO dispatches (id, document_id, recipient_code, via_group, status)
     SELECT id, $2, code, via, 'pending' FROM unnest($1::uuid[], $3::text[], $4::text[]) AS t(id, code, via)`,
    [ids, documentId, recipients.map((r) => r.code), recipients.map((r) => r.viaGroup)],
  );
  return ids;
}

export async function loadDispatch(db: Queryable, id: string): Promise<DispatchRow | undefined> {
  const r = await db.query<DispatchRow>(`SELECT ${COLUMNS} FROM dispatches WHERE id = $1`, [id]);
  return r.rows[0];
}

export async function listDispatchesOf(db: Queryable, documentId: string): Promise<DispatchRow[]> {
  const r = await db.query<DispatchRow>(`SELECT ${COLUMNS} FROM dispatches WHERE document_id = $1 ORDER BY recipient_code`, [documentId]);
  return r.rows;
}

/** A dispatch with what the deliver stage needs of its document, in one read. */
export interface DispatchForDelivery extends DispatchRow {
  documentStatus: string;
  senderCode: string;
  /** The sender's own channel: a push sender is owed the arrival webhook. */
  senderChannel: string;
}

export async function loadDispatchForDelivery(db: Queryable, id: string): Promise<DispatchForDelivery | undefined> {
  const r = await db.query<DispatchForDelivery>(
    `SELECT x.id, x.document_id AS "documentId", x.recipient_code AS "recipientCode", x.via_group AS "viaGroup",
            x.channel, x.status, x.incoming_number AS "incomingNumber", x.attempts, x.last_error AS "lastError",
            x.delivered_at AS "deliveredAt", d.status AS "documentStatus", d.sender_code AS "senderCode",
            (SELECT s.channel FROM agencies s WHERE s.code = d.sender_code) AS "senderChannel"
       FROM dispatches x JOIN documents d ON d.id = x.document_id WHERE x.id = $1`,
    [id],
  );
  return r.rows[0];
}

export interface DispatchOutcome {
  dispatchId: string;
  /** The compare-and-set: the move happens only from one of these states. */
  from: DispatchStatus[];
  to: DispatchStatus;
  /** Sets delivered_at (the inbox shows the copy from then on). */
  delivered: boolean;
  /** The paper packet, attached with the move (one per dispatch: a second attach replaces it). */
  packet?: { role: string; sha256: string } | undefined;
  event: { code: string; actor: string };
  /** The payload NOTIFYed on 'lienthong_dispatch' (listeners parse it: keep it stable). */
  notify: string;
  /** The ledger row (its dispatch is this one). */
  ledger: Omit<LedgerEntry, 'dispatchId'>;
}

/**
 * A delivery's outcome in ONE statement (record_dispatch_outcome(), migration 0012): the status
 * move (the columns moveDispatchStatus sets), the packet, the timeline event, the NOTIFY and the
 * ledger row. Run it on the pool, not in a transaction: in autocommit the ledger chain's lock is
 * held only inside the server until the implicit commit. Returns false, having written nothing,
 * when the dispatch had already left `from` (a re-run, a revoke).
 */
export async function recordDispatchOutcome(db: Queryable, o: DispatchOutcome): Promise<boolean> {
  const [kind, documentId, , sender, recipient, channel, detail, chain] = ledgerAppendArgs({ ...o.ledger, dispatchId: o.dispatchId });
  const r = await db.query<{ moved: boolean }>(
    `SELECT record_dispatch_outcome($1, $2::text[], $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) AS moved`,
    [o.dispatchId, o.from, o.to, o.delivered, o.packet?.role ?? null, o.packet?.sha256 ?? null, o.event.code, o.event.actor, o.notify, kind, documentId, sender, recipient, channel, detail, chain],
  );
  return r.rows[0]!.moved === true;
}

/** Sets the channel chosen by the route stage for every dispatch still pending, in one statement. */
export async function assignChannels(tx: Queryable, documentId: string): Promise<void> {
  await tx.query(
    `UPDATE dispatches x SET channel = a.channel, updated_at = now()
       FROM agencies a WHERE x.document_id = $1 AND a.code = x.recipient_code AND x.channel IS NULL`,
    [documentId],
  );
}

export async function moveDispatchStatus(
  tx: Queryable,
  id: string,
  from: DispatchStatus[],
  to: DispatchStatus,
  extra: { delivered?: boolean; lastError?: string | null; incomingNumber?: string } = {},
): Promise<boolean> {
  const r = await tx.query(
    `UPDATE dispatches SET status = $3, updated_at = now(),
       delivered_at = CASE WHEN $4::boolean THEN now() ELSE delivered_at END,
       last_error = $5, incoming_number = COALESCE($6, incoming_number)
     WHERE id = $1 AND status = ANY($2::text[])`,
    [id, from, to, extra.delivered ?? false, extra.lastError ?? null, extra.incomingNumber ?? null],
  );
  return (r.rowCount ?? 0) === 1;
}

/** Appends a timeline event; returns its id (status webhooks point at it). */
export async function addDispatchEvent(tx: Queryable, dispatchId: string, code: string, actor: string | null, note: string | null = null): Promise<number> {
  const r = await tx.query<{ id: number }>(`INSERT INTO dispatch_events (dispatch_id, code, actor, note) VALUES ($1, $2, $3, $4) RETURNING id`, [
    dispatchId,
    code,
    actor,
    note,
  ]);
  return r.rows[0]!.id;
}

/**
 * Dispatch views with their timelines; a recipient sees only its own copy. `viewer` is the agency
 * looking: the other agency's people and keys appear only as agency and role (lienthong_actor_shown_to).
 */
export async function dispatchViews(db: Queryable, documentId: string, onlyRecipient: string | null, viewer: string): Promise<DispatchView[]> {
  const r = await db.query(
    `SELECT x.id, x.recipient_code AS recipient, x.channel, x.status, x.incoming_number AS "incomingNumber",
            x.delivered_at AS "deliveredAt", x.attempts, x.last_error AS "lastError", x.next_attempt_at AS "nextAttemptAt",
            dispatch_overdue(x.id, now()) AS "overdueReason",
            COALESCE(json_agg(json_build_object('code', e.code, 'at', e.at, 'actor', lienthong_actor_shown_to(e.actor, $3), 'note', e.note) ORDER BY e.id)
                     FILTER (WHERE e.id IS NOT NULL), '[]') AS events
       FROM dispatches x JOIN documents d ON d.id = x.document_id LEFT JOIN dispatch_events e ON e.dispatch_id = x.id
      WHERE x.document_id = $1 AND ($2::text IS NULL OR x.recipient_code = $2)
      GROUP BY x.id, d.id ORDER BY x.recipient_code`,
    [documentId, onlyRecipient, viewer],
  );
  return r.rows.map((row) => ({
    ...row,
    deliveredAt: row.deliveredAt ? new Date(row.deliveredAt).toISOString() : null,
    nextAttemptAt: row.nextAttemptAt ? new Date(row.nextAttemptAt).toISOString() : null,
    overdue: row.overdueReason !== null,
  }));
}

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
