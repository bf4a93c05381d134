import { EdxmlStatusCode, Stage } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { addToOutboxFrom } from '../../pipeline/outbox.repository';

const FORWARDED_CODES = Object.values(EdxmlStatusCode)
  .map((c) => `'${c}'`)
  .join(', ');

/**
 * Which timeline events a sender is owed a webhook for: edXML statuses recorded by people or agency
 * systems (recipients' 02–06/15/16, the sender's own 13 and revocations) on documents whose sender
 * takes pushes (with the hub's own 01 on arrival: it carries the signed receipt, issue 21), or — a
 * sender on a peer hub (relay) — to that hub, unless the status came from it (actor `peer:<id>`).
 * The hub's other records (actor 'lienthong': paper, failed; and 01 for relays) and operator notes
 * (retry) are not forwarded. One predicate for the enqueue and the sweeper, so they cannot
 * disagree. Expects `e` = dispatch_events, `s` = the sending agency.
 */
export const OWED_WEBHOOK_SQL = `e.code IN (${FORWARDED_CODES}) AND (
    (s.channel = 'push' AND (e.actor IS DISTINCT FROM 'lienthong' OR e.code = '01'))
    OR (s.channel = 'relay' AND COALESCE(e.actor, '') NOT LIKE 'peer:%' AND e.actor IS DISTINCT FROM 'lienthong'))`;

const EVENT_SOURCE_SQL = `dispatch_events e JOIN dispatches x ON x.id = e.dispatch_id
  JOIN documents d ON d.id = x.document_id JOIN agencies s ON s.code = d.sender_code`;

/**
 * Called in the transaction that records the event, so the webhook is owed exactly when the status
 * exists (transactional outbox): a no-op unless the sender's channel is push.
 */
export async function enqueueStatusWebhook(tx: Queryable, eventId: number): Promise<void> {
  await addToOutboxFrom(
    tx,
    `SELECT $2, jsonb_build_object('eventId', e.id), 0 FROM ${EVENT_SOURCE_SQL}
      WHERE e.id = $1 AND ${OWED_WEBHOOK_SQL}`,
    [eventId, Stage.notify],
  );
}

/**
 * A take-back or revoke (13) is owed to the recipient too when the recipient's copy reached its own
 * system by push: the system must learn the document is withdrawn. Called in the transaction that
 * records the event; a no-op for any other event or recipient.
 */
export async function enqueueRecipientStatus(tx: Queryable, eventId: number): Promise<void> {
  await addToOutboxFrom(
    tx,
    `SELECT $2, jsonb_build_object('eventId', e.id, 'to', 'recipient'), 0
       FROM dispatch_events e JOIN dispatches x ON x.id = e.dispatch_id JOIN agencies r ON r.code = x.recipient_code
      WHERE e.id = $1 AND e.code = '13' AND x.delivered_at IS NOT NULL
        AND ((r.channel = 'push' AND r.endpoint_url IS NOT NULL) OR (r.channel = 'relay' AND COALESCE(e.actor, '') NOT LIKE 'peer:%')
             OR (r.channel = 'axis' AND COALESCE(e.actor, '') NOT LIKE 'axis:%'))`,
    [eventId, Stage.notify],
  );
}

export interface StatusEventRow {
  eventId: number;
  dispatchId: string;
  documentId: string;
  recipient: string;
  recipientName: string;
  sender: string;
  senderName: string;
  senderChannel: string;
  endpointUrl: string | null;
  /** The operator allowed the sender's endpoint on a private address (migration 0025). */
  allowPrivateEndpoint: boolean;
  pushFormat: 'edxml' | 'json';
  code: string;
  note: string | null;
  actor: string | null;
  at: Date;
  notifiedAt: Date | null;
  number: string;
  notation: string;
  issuedOn: string;
}

export async function loadStatusEvent(db: Queryable, eventId: number): Promise<StatusEventRow | undefined> {
  const r = await db.query<StatusEventRow>(
    `SELECT e.id AS "eventId", x.id AS "dispatchId", d.id AS "documentId", x.recipient_code AS recipient,
            ra.name AS "recipientName", s.code AS sender, s.name AS "senderName", s.channel AS "senderChannel",
            s.endpoint_url AS "endpointUrl", s.allow_private_endpoint AS "allowPrivateEndpoint", s.push_format AS "pushFormat", e.code, e.note,
            lienthong_actor_shown_to(e.actor, s.code) AS actor, e.at,
            e.notified_at AS "notifiedAt", d.number, d.notation, d.issued_on AS "issuedOn"
       FROM ${EVENT_SOURCE_SQL} JOIN agencies ra ON ra.code = x.recipient_code
      WHERE e.id = $1`,
    [eventId],
  );
  return r.rows[0];
}

/**
 * An earlier event of the same dispatch still owed a webhook and still within its time budget: the
 * later one waits, so the sender sees a dispatch's statuses in the order they were recorded.
 */
export async function earlierOwedEvent(db: Queryable, ev: StatusEventRow, budgetMs: number): Promise<number | undefined> {
  const r = await db.query<{ id: number }>(
    `SELECT e.id FROM ${EVENT_SOURCE_SQL}
      WHERE e.dispatch_id = $1 AND e.id < $2 AND e.notified_at IS NULL AND ${OWED_WEBHOOK_SQL}
        AND e.at > now() - make_interval(secs => $3::float8 / 1000)
      ORDER BY e.id LIMIT 1`,
    [ev.dispatchId, ev.eventId, budgetMs],
  );
  return r.rows[0]?.id;
}

export async function markNotified(db: Queryable, eventId: number): Promise<void> {
  await db.query(`UPDATE dispatch_events SET notified_at = now() WHERE id = $1 AND notified_at IS NULL`, [eventId]);
}

/**
 * Events whose webhook is still owed, for the sweeper. The window's two ends: older than `ageMs`
 * (work in flight is left alone), and younger than `maxAgeMs` — the time failed jobs are kept in
 * Redis, during which re-adding their id is a no-op; past it a status is history (the timeline has
 * it), not news, and the scan stays bounded.
 */
export async function owedWebhookEvents(db: Queryable, ageMs: number, maxAgeMs: number, limit: number): Promise<number[]> {
  const r = await db.query<{ id: number }>(
    `SELECT e.id FROM ${EVENT_SOURCE_SQL}
      WHERE e.notified_at IS NULL AND ${OWED_WEBHOOK_SQL}
        AND e.at < now() - make_interval(secs => $1::float8 / 1000)
        AND e.at > now() - make_interval(secs => $2::float8 / 1000)
      ORDER BY e.id LIMIT $3`,
    [ageMs, maxAgeMs, limit],
  );
  return r.rows.map((x) => x.id);
}

/** After a delivery recorded its 01 (record_dispatch_outcome): the sender's webhook, when it takes pushes (the sweeper covers a crash in between). */
export async function enqueueArrivalWebhook(db: Queryable, dispatchId: string): Promise<void> {
  await enqueueArrivalWebhooks(db, [dispatchId]);
}

/** The same for several copies delivered together (a document's hosted copies), in one statement. */
export async function enqueueArrivalWebhooks(db: Queryable, dispatchIds: string[]): Promise<void> {
  if (dispatchIds.length === 0) return;
  await addToOutboxFrom(
    db,
    `SELECT $2, jsonb_build_object('eventId', e.id), 0 FROM ${EVENT_SOURCE_SQL}
      WHERE e.dispatch_id = ANY($1::uuid[]) AND e.code = '01' AND e.actor = 'lienthong' AND ${OWED_WEBHOOK_SQL}
      ORDER BY e.id`,
    [dispatchIds, Stage.notify],
  );
}
