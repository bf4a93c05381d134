import { EdxmlStatusCode } from '../../contracts';
import type { Db } from '../db/pool';
import { documentEnvelope } from '../domain/edxml/document-envelope';
import { documentIdOf } from '../domain/edxml/document-id-key';
import { loadDocument } from '../domain/documents/document-reads';
import { edxmlTimestampOf, emitEdxmlStatus, type EdxmlStatusCodeValue } from '../edxml';
import type { AxisClient } from './axis-client';

const CODES = Object.values(EdxmlStatusCode).map((c) => `'${c}'`).join(', ');

/** Events older than this are not sent back any more (a hub connected to the axis late does not replay its history). */
const HORIZON = '30 days';
const BATCH = 200;

interface OwedStatus {
  eventId: number;
  code: string;
  note: string | null;
  at: Date;
  recipient: string;
  recipientName: string;
  sender: string;
  number: string;
  notation: string;
  issuedOn: string;
  idempotencyKey: string | null;
}

/**
 * Every status a local recipient gives a document that came through the axis — 01 on arrival,
 * then 02–06, 15, 16 — goes back to the sender as an edXML status message through the axis, once
 * per timeline event (axis_sent_statuses). Statuses that themselves came from the axis are not
 * echoed. Returns how many were sent.
 */
export async function sendOwedStatuses(db: Db, client: AxisClient): Promise<number> {
  const owed = await db.query<OwedStatus>(
    `SELECT e.id AS "eventId", e.code, e.note, e.at, x.recipient_code AS recipient, ra.name AS "recipientName",
            d.sender_code AS sender, d.number, d.notation, d.issued_on AS "issuedOn", d.idempotency_key AS "idempotencyKey"
       FROM dispatch_events e JOIN dispatches x ON x.id = e.dispatch_id JOIN documents d ON d.id = x.document_id
       JOIN agencies s ON s.code = d.sender_code JOIN agencies ra ON ra.code = x.recipient_code
      WHERE s.reached_via = 'axis' AND ra.reached_via = 'local' AND e.code IN (${CODES})
        AND (e.actor IS NULL OR e.actor NOT LIKE 'axis:%') AND e.at > now() - interval '${HORIZON}'
        AND NOT EXISTS (SELECT 1 FROM axis_sent_statuses t WHERE t.event_id = e.id)
      ORDER BY e.id LIMIT ${BATCH}`,
  );
  let sent = 0;
  for (const s of owed.rows) {
    const xml = emitEdxmlStatus({
      from: { organId: s.recipient, organName: s.recipientName },
      responseFor: { organId: s.sender, code: `${s.number}/${s.notation}`, promulgationDate: s.issuedOn, documentId: documentIdOf({ ...s, senderCode: s.sender }) },
      statusCode: s.code as EdxmlStatusCodeValue,
      ...(s.note ? { description: s.note.slice(0, 1000) } : {}),
      timestamp: edxmlTimestampOf(new Date(s.at)),
    });
    const axisDocId = await client.sendEnvelope(xml, { from: s.recipient, to: [s.sender], messageType: 'status' });
    await db.query(`INSERT INTO axis_sent_statuses (event_id, axis_doc_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [s.eventId, axisDocId]);
    sent++;
  }
  return sent;
}

/**
 * A document of ours to recipients reached through the axis: its edXML envelope (the signed PDF
 * attached), sent once per call with the given recipients in the axis's `to`. Returns the axis's
 * id for it. The delivery path that calls this for `axis` recipients is the routing channel's.
 */
export async function sendDocumentToAxis(db: Db, client: AxisClient, documentId: string, recipients: string[]): Promise<string> {
  const doc = await loadDocument(db, documentId);
  if (!doc) throw new Error(`document ${documentId} does not exist`);
  const xml = await documentEnvelope(db, doc);
  return client.sendEnvelope(xml, { from: doc.senderCode, to: recipients, messageType: 'edoc' });
}
