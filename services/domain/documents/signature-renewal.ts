import { LedgerKind } from '../../../contracts';
import { inTransaction, type Db } from '../../db/pool';
import type { LtvContext } from '../../signing/ltv/signature-levels';
import { renewPdf } from '../../signing/ltv/timestamp-renewal';
import { getBlob, putBlob } from '../blobs/blob.repository';
import { appendLedger } from '../ledger/ledger.repository';
import { recordTimestampRenewal } from './document.repository';

// Renewal of signed documents' proof of existence (issue 21 item 2): the document's signed PDF
// gets, as incremental updates, validation data for its newest timestamp and a new document
// timestamp; the new bytes become the document's `signed` file (they begin with the previous
// ones, whose SHA-256 and size signature_renewals records), and each renewal is a ledger row in
// the sender's chain.

export interface RenewalResult {
  documentId: string;
  renewed: boolean;
  /** Why nothing was written (skipped), or the renewal's figures. */
  skipped?: string;
  previousSha256?: string;
  renewedSha256?: string;
  previousExpiresAt?: Date | null;
  timestampTime?: Date | null;
  timestampExpiresAt?: Date | null;
  /** Certificates the new DSS has no revocation answer for (the renewal is kept, the gap is said). */
  missing?: string[];
}

export class RenewalError extends Error {
  override name = 'RenewalError';
}

/** Documents whose newest timestamp's TSA certificate expires before `before`, soonest first. */
export async function documentsDueForRenewal(db: Db, before: Date, limit = 100): Promise<string[]> {
  const r = await db.query<{ id: string }>(
    `SELECT id FROM documents WHERE timestamp_expires_at IS NOT NULL AND timestamp_expires_at < $1
      ORDER BY timestamp_expires_at LIMIT $2`, [before, limit]);
  return r.rows.map((x) => x.id);
}

export interface RenewOptions {
  reason: string;
  /** Scheduled renewals only store a timestamp whose TSA certificate outlives the previous one (else nothing is gained). */
  requireLonger?: boolean;
}

export async function renewDocument(db: Db, documentId: string, ctx: LtvContext, opts: RenewOptions): Promise<RenewalResult> {
  const r = await db.query<{ sha: string; sender: string; expires: Date | null }>(
    `SELECT f.blob_sha256 AS sha, d.sender_code AS sender, d.timestamp_expires_at AS expires
       FROM documents d JOIN document_files f ON f.document_id = d.id AND f.role = 'signed' WHERE d.id = $1`, [documentId]);
  const row = r.rows[0];
  if (!row) throw new RenewalError(`document ${documentId} has no signed PDF`);
  const renewed = await renewPdf(await getBlob(db, row.sha), ctx);
  const longer = !!renewed.tsaNotAfter && (!renewed.previous.tsaNotAfter || renewed.tsaNotAfter > renewed.previous.tsaNotAfter);
  if (opts.requireLonger && !longer) {
    return { documentId, renewed: false, skipped: `the TSA certificate (until ${renewed.tsaNotAfter?.toISOString() ?? '?'}) does not outlive the newest timestamp's (until ${renewed.previous.tsaNotAfter?.toISOString() ?? '?'}): the TSA needs a new certificate` };
  }
  return inTransaction(db, async (tx) => {
    const now = await tx.query<{ sha: string }>(
      `SELECT f.blob_sha256 AS sha FROM documents d JOIN document_files f ON f.document_id = d.id AND f.role = 'signed' WHERE d.id = $1 FOR UPDATE OF d`, [documentId]);
    if (now.rows[0]?.sha !== row.sha) return { documentId, renewed: false, skipped: 'the signed PDF changed meanwhile (renewed by another process)' };
    const blob = await putBlob(tx, renewed.pdf, 'application/pdf');
    await tx.query(`UPDATE document_files SET blob_sha256 = $2 WHERE document_id = $1 AND role = 'signed'`, [documentId, blob.sha256]);
    // The renewed PDF begins with the previous one byte for byte (its SHA-256 and size are recorded
    // below): the previous blob goes unless something else still uses it.
    await tx.query('SAVEPOINT previous_blob');
    try {
      await tx.query(`DELETE FROM blobs WHERE sha256 = $1`, [row.sha]);
      await tx.query('RELEASE SAVEPOINT previous_blob');
    } catch (err) {
      if ((err as { code?: string }).code !== '23503') throw err; // foreign_key_violation: still referenced
      await tx.query('ROLLBACK TO SAVEPOINT previous_blob');
    }
    await recordTimestampRenewal(tx, documentId, renewed.tsaNotAfter, renewed.missing.length === 0);
    await tx.query(
      `INSERT INTO signature_renewals (document_id, reason, previous_sha256, previous_size, renewed_sha256, previous_expires_at, timestamp_time, timestamp_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [documentId, opts.reason, row.sha, renewed.previousSize, blob.sha256, row.expires, renewed.timestampTime, renewed.tsaNotAfter]);
    // last: the chain's lock is held to COMMIT
    await appendLedger(tx, {
      kind: LedgerKind.signatureRenewed,
      documentId,
      sender: row.sender,
      detail: {
        reason: opts.reason,
        previousSha256: row.sha,
        previousSize: renewed.previousSize,
        renewedSha256: blob.sha256,
        previousExpiresAt: row.expires?.toISOString() ?? null,
        timestampTime: renewed.timestampTime?.toISOString() ?? null,
        timestampExpiresAt: renewed.tsaNotAfter?.toISOString() ?? null,
      },
    });
    return {
      documentId, renewed: true, previousSha256: row.sha, renewedSha256: blob.sha256, previousExpiresAt: row.expires,
      timestampTime: renewed.timestampTime, timestampExpiresAt: renewed.tsaNotAfter, missing: renewed.missing,
    };
  });
}
