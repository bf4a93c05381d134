import { createHash } from 'node:crypto';
import type { Queryable } from '../db/pool';
import { listFiles } from '../domain/blobs/blob.repository';
import type { DocumentRow } from '../domain/documents/document-reads';
import { documentEnvelope } from '../domain/edxml/document-envelope';
import { anchorCovering, anchorChains, type TsaSettings } from '../domain/ledger/ledger-anchor';
import { LEDGER_ROW_SQL } from '../domain/ledger/ledger-anchor-verify';
import { readTimestampToken } from '../signing/timestamp-token';
import { requestTimestamp } from '../signing/tsa-client';
import { receiptsOfDocument, type SealKeys } from '../domain/receipts/receipt.repository';
import {
  ANCHOR_TOKEN_PATH, DISPOSAL_PATH, ENVELOPE_PATH, filePath, LEDGER_PATH, receiptPath, TIMELINE_PATH,
  ownRowsMessage, type EvidenceLedger, type EvidenceLedgerRow, type EvidencePart, type EvidenceTimeline,
} from './evidence-parts';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const jsonPart = (path: string, value: unknown): EvidencePart => {
  const bytes = Buffer.from(JSON.stringify(value, null, 2), 'utf8');
  return { path, mimeType: 'application/json', sha256: sha256(bytes), size: bytes.length, bytes };
};

export interface CollectOptions {
  viewer: string;
  asSender: boolean;
  keys: SealKeys;
  /** When set, a chain whose rows of this document are not anchored yet is anchored now. */
  tsa?: TsaSettings | undefined;
  /** The TSA did not answer: the bundle goes out with its rows not anchored. */
  onAnchorError?: (err: unknown) => void;
  now?: Date;
}

/** Every part of a document's evidence bundle but the manifest and its seal. */
export async function collectEvidence(db: Queryable, doc: DocumentRow, o: CollectOptions): Promise<EvidencePart[]> {
  const onlyRecipient = o.asSender ? null : o.viewer;
  const parts: EvidencePart[] = [];
  const extra = (await db.query<{ revokedAt: Date | null; revokeReason: string | null; disposedAt: Date | null; senderName: string }>(
    `SELECT d.revoked_at AS "revokedAt", d.revoke_reason AS "revokeReason", d.disposed_at AS "disposedAt", a.name AS "senderName"
       FROM documents d JOIN agencies a ON a.code = d.sender_code WHERE d.id = $1`, [doc.id])).rows[0]!;

  // The files: recipients get what was sent (signed PDF, attachments), the sender every stage.
  const files = (await listFiles(db, doc.id)).filter((f) => o.asSender || /^(signed|attachment-\d+)$/.test(f.role));
  const timelineFiles: EvidenceTimeline['files'] = [];
  for (const f of files) {
    const path = filePath(f.role, f.name);
    parts.push({ path, mimeType: f.contentType, sha256: f.sha256, size: Number(f.size), blobSha256: f.sha256, store: true });
    timelineFiles.push({ role: f.role, name: f.name, contentType: f.contentType, sha256: f.sha256, size: Number(f.size), part: path });
  }
  if (extra.disposedAt) {
    const d = (await db.query(`SELECT id, batch, retain_until AS "retainUntil", proposed_by AS "proposedBy", proposed_at AS "proposedAt",
        decided_by AS "approvedBy", decided_at AS "approvedAt", files FROM disposals WHERE document_id = $1 AND status = 'disposed'`, [doc.id])).rows[0];
    if (d) {
      parts.push(jsonPart(DISPOSAL_PATH, { type: 'lienthong-disposal', version: 1, ...d }));
      for (const f of (d.files ?? []) as EvidenceTimeline['files']) timelineFiles.push({ ...f, part: null });
    }
  } else {
    const envelope = Buffer.from(await documentEnvelope(db, doc), 'utf8');
    parts.push({ path: ENVELOPE_PATH, mimeType: 'application/xml', sha256: sha256(envelope), size: envelope.length, bytes: envelope });
  }

  const dispatches = await db.query<EvidenceTimeline['dispatches'][number] & { deliveredAt: Date | null }>(
    `SELECT x.id, x.recipient_code AS recipient, a.name AS "recipientName", x.channel, x.status, x.incoming_number AS "incomingNumber",
            x.delivered_at AS "deliveredAt",
            COALESCE((SELECT json_agg(json_build_object('id', e.id, 'code', e.code,
                         'at', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                         'actor', lienthong_actor_shown_to(e.actor, $3), 'note', e.note) ORDER BY e.id)
                        FROM dispatch_events e WHERE e.dispatch_id = x.id), '[]') AS events
       FROM dispatches x JOIN agencies a ON a.code = x.recipient_code
      WHERE x.document_id = $1 AND ($2::text IS NULL OR x.recipient_code = $2) ORDER BY x.recipient_code`,
    [doc.id, onlyRecipient, o.viewer],
  );
  const timeline: EvidenceTimeline = {
    type: 'lienthong-evidence-timeline', version: 1, generatedAt: (o.now ?? new Date()).toISOString(), generatedFor: o.viewer,
    scope: o.asSender ? 'sender' : 'recipient',
    document: {
      id: doc.id, sender: doc.senderCode, senderName: extra.senderName, documentType: doc.documentType, number: doc.number,
      notation: doc.notation, issuedOn: String(doc.issuedOn), subject: doc.subject, status: doc.status,
      createdAt: doc.createdAt.toISOString(), revokedAt: extra.revokedAt?.toISOString() ?? null, revokeReason: extra.revokeReason,
      disposedAt: extra.disposedAt?.toISOString() ?? null, signatureLevel: doc.signatureLevel,
    },
    files: timelineFiles,
    dispatches: dispatches.rows.map((x) => ({ ...x, deliveredAt: x.deliveredAt ? new Date(x.deliveredAt).toISOString() : null })),
  };
  parts.push(jsonPart(TIMELINE_PATH, timeline));

  const ledger = o.asSender ? await ledgerPath(db, doc.id, o.tsa, o.onAnchorError) : await ownRows(db, doc.id, o.tsa, o.onAnchorError);
  if (ledger) {
    parts.push(jsonPart(LEDGER_PATH, ledger.part));
    if (ledger.token) parts.push({ path: ANCHOR_TOKEN_PATH, mimeType: 'application/timestamp-reply', sha256: sha256(ledger.token), size: ledger.token.length, bytes: ledger.token, store: true });
  }

  for (const r of await receiptsOfDocument(db, o.keys, doc.id, onlyRecipient)) {
    parts.push({ path: receiptPath(r.eventId, r.code), mimeType: 'application/pkcs7-mime', sha256: sha256(r.cms), size: r.cms.length, bytes: r.cms, store: true });
  }
  return parts;
}

/**
 * The document's ledger rows with the hash path to an anchor: every row of its chain from the
 * document's first row to the first anchored row at or after its last one (anchoring the chain's
 * head now when there is none yet and a TSA is given).
 */
async function ledgerPath(db: Queryable, documentId: string, tsa: TsaSettings | undefined, onError?: (err: unknown) => void): Promise<{ part: EvidenceLedger; token: Buffer | null } | undefined> {
  const own = await db.query<{ id: number; chain: string }>(
    `SELECT id::int, chain FROM ledger WHERE document_id = $1 AND chain IS NOT NULL ORDER BY id`, [documentId]);
  if (own.rows.length === 0) return undefined;
  const chain = own.rows[0]!.chain;
  const first = own.rows[0]!.id;
  const last = own.rows[own.rows.length - 1]!.id;
  let anchor = await anchorCovering(db, chain, last);
  if (!anchor && tsa) {
    try {
      await anchorChains(db, tsa, 'evidence', [chain]);
      anchor = await anchorCovering(db, chain, last);
    } catch (err) {
      onError?.(err);
    }
  }
  const upTo = anchor?.rowId ?? Number.MAX_SAFE_INTEGER;
  const rows = await db.query<EvidenceLedgerRow>(`${LEDGER_ROW_SQL} WHERE chain = $1 AND id >= $2 AND id <= $3 ORDER BY id`, [chain, first, upTo]);
  return {
    part: {
      type: 'lienthong-evidence-ledger', version: 1, chain,
      rows: rows.rows,
      documentRowIds: own.rows.filter((r) => r.chain === chain).map((r) => r.id),
      anchor: anchor ? { rowId: anchor.rowId, rowHash: anchor.rowHash, genTime: anchor.genTime.toISOString(), token: ANCHOR_TOKEN_PATH } : null,
      howToCheck:
        'Mỗi dòng: hash = SHA-256 của JSON.stringify([id, at, kind, document_id, dispatch_id, sender, recipient, channel, detail, prev_hash, chain]); ' +
        'prev_hash của dòng sau = hash của dòng trước; hash của dòng cuối = message imprint của ledger/anchor.tsr ' +
        '(openssl ts -verify -digest <hash> -in ledger/anchor.tsr -token_in -CAfile ca.pem -untrusted tsa.pem).',
    },
    token: anchor?.token ?? null,
  };
}

/**
 * A recipient's bundle: only the document's own rows (the sender's chain also holds its other
 * documents, which are not the recipient's to see), each checkable on its own, and an RFC 3161
 * token over the JSON array of their hashes, taken now: proof that these rows existed at that time.
 */
async function ownRows(db: Queryable, documentId: string, tsa: TsaSettings | undefined, onError?: (err: unknown) => void): Promise<{ part: EvidenceLedger; token: Buffer | null } | undefined> {
  const rows = (await db.query<EvidenceLedgerRow>(`${LEDGER_ROW_SQL} WHERE document_id = $1 AND chain IS NOT NULL ORDER BY id`, [documentId])).rows;
  if (rows.length === 0) return undefined;
  const chain = rows[0]!.chain!;
  const own = rows.filter((r) => r.chain === chain);
  const message = ownRowsMessage(own);
  const digest = createHash('sha256').update(message).digest();
  let token: Buffer | null = null;
  if (tsa) {
    try {
      token = await requestTimestamp(tsa.url, digest, tsa.timeoutMs !== undefined ? { timeoutMs: tsa.timeoutMs } : {});
    } catch (err) {
      onError?.(err);
    }
  }
  const last = own[own.length - 1]!;
  return {
    part: {
      type: 'lienthong-evidence-ledger', version: 1, chain, proof: 'own-rows',
      rows: own,
      documentRowIds: own.map((r) => r.id),
      ownRowsDigest: digest.toString('hex'),
      anchor: token ? { rowId: last.id, rowHash: digest.toString('hex'), genTime: readTimestampToken(token).tstInfo.genTime.toISOString(), token: ANCHOR_TOKEN_PATH } : null,
      howToCheck:
        'Mỗi dòng: hash = SHA-256 của JSON.stringify([id, at, kind, document_id, dispatch_id, sender, recipient, channel, detail, prev_hash, chain]); ' +
        'gói của cơ quan nhận chỉ chứa các dòng của văn bản này (chuỗi của cơ quan gửi còn các văn bản khác của họ); ' +
        'ownRowsDigest = SHA-256 của mảng JSON các hash theo thứ tự = message imprint của ledger/anchor.tsr ' +
        '(openssl ts -verify -digest <ownRowsDigest> -in ledger/anchor.tsr -token_in -CAfile ca.pem -untrusted tsa.pem).',
    },
    token,
  };
}
