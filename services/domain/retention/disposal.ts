import { randomUUID } from 'node:crypto';
import { LedgerKind } from '../../../contracts';
import { inTransaction, type Db, type Queryable, type Tx } from '../../db/pool';
import { recordAudit } from '../audit/audit-log';
import { appendLedger } from '../ledger/ledger.repository';
import { RetentionError } from './legal-holds';
import { markDocumentDisposed } from '../documents/document.repository';

// Disposal (tiêu hủy) after the retention period: proposed as a list, approved by an
// administrator, carried out one document per transaction — the files' bytes removed, their
// names and SHA-256 kept (disposals.files and the ledger row `document_disposed`), the metadata,
// timeline, ledger rows and receipts kept, so the evidence bundle still proves what existed.
// Nothing is deleted otherwise, and nothing without an approval.

/**
 * The period runs from the end of the year the document was issued (records are counted by the
 * year their file closes): a 10-year type issued in 2015 may go after 31/12/2025.
 */
const RETAIN_UNTIL_SQL = `(date_trunc('year', d.issued_on) + make_interval(years => p.years + 1) - interval '1 day')::date`;

export interface DisposalRow {
  id: string;
  batch: string;
  documentId: string;
  documentType: string;
  sender: string;
  numberNotation: string;
  issuedOn: string;
  retainUntil: string;
  status: 'proposed' | 'disposed' | 'rejected' | 'cancelled';
  proposedBy: string;
  decidedBy: string | null;
  decisionNote: string | null;
}

const ROW_SQL = `SELECT x.id, x.batch, x.document_id AS "documentId", d.document_type AS "documentType", d.sender_code AS sender,
       d.number || '/' || d.notation AS "numberNotation", to_char(d.issued_on, 'YYYY-MM-DD') AS "issuedOn",
       to_char(x.retain_until, 'YYYY-MM-DD') AS "retainUntil", x.status, x.proposed_by AS "proposedBy",
       x.decided_by AS "decidedBy", x.decision_note AS "decisionNote"
  FROM disposals x JOIN documents d ON d.id = x.document_id`;

/** Documents past their period, not held, not already proposed or disposed, as of `asOf` (YYYY-MM-DD). */
const ELIGIBLE_SQL = `SELECT d.id, ${RETAIN_UNTIL_SQL} AS retain_until
  FROM documents d JOIN retention_periods p ON p.document_type = d.document_type
 WHERE NOT p.permanent AND p.years IS NOT NULL AND d.disposed_at IS NULL
   AND d.status IN ('routed', 'revoked', 'replaced', 'failed')
   AND ${RETAIN_UNTIL_SQL} < $1::date
   AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.document_id = d.id AND h.released_at IS NULL)`;

/** Proposes every eligible document (of one sending agency, when given) as one batch; returns its rows (empty: nothing is due). */
export async function proposeDisposals(db: Queryable, asOf: string, by: string, opts: { sender?: string; limit?: number } = {}): Promise<{ batch: string; rows: DisposalRow[] }> {
  const batch = `D-${asOf.replace(/-/g, '')}-${randomUUID().slice(0, 8)}`;
  await db.query(
    `INSERT INTO disposals (id, batch, document_id, status, retain_until, proposed_by)
     SELECT gen_random_uuid(), $2, e.id, 'proposed', e.retain_until, $3 FROM (${ELIGIBLE_SQL}
        AND NOT EXISTS (SELECT 1 FROM disposals o WHERE o.document_id = d.id AND o.status IN ('proposed', 'disposed'))
        AND ($5::text IS NULL OR d.sender_code = $5)
      ORDER BY 2, d.id LIMIT $4) e
     ON CONFLICT DO NOTHING`,
    [asOf, batch, by, opts.limit ?? 10_000, opts.sender ?? null],
  );
  const rows = await listDisposals(db, { batch });
  if (rows.length > 0) await recordAudit(db, { actor: by, actorAgency: null, action: 'disposal.propose', agency: null, detail: { batch, documents: rows.length, asOf } });
  return { batch, rows };
}

export async function listDisposals(db: Queryable, f: { batch?: string; status?: string } = {}): Promise<DisposalRow[]> {
  const r = await db.query<DisposalRow>(`${ROW_SQL} WHERE ($1::text IS NULL OR x.batch = $1) AND ($2::text IS NULL OR x.status = $2) ORDER BY x.batch, x.retain_until, x.id`, [
    f.batch ?? null, f.status ?? null,
  ]);
  return r.rows;
}

/** An administrator: an active user with the admin role. */
async function requireAdmin(db: Queryable, username: string): Promise<void> {
  const r = await db.query(`SELECT 1 FROM users WHERE username = $1 AND role = 'admin' AND disabled_at IS NULL`, [username]);
  if (!r.rowCount) throw new RetentionError(`"${username}" is not an active administrator (role admin): only an administrator approves a disposal`);
}

export interface DisposalOutcome {
  id: string;
  documentId: string;
  outcome: 'disposed' | 'cancelled';
  reason?: string;
  files?: number;
}

/** Approves and carries out the proposed disposals of a batch (or one of them). */
export async function approveDisposals(db: Db, which: { batch?: string; id?: string }, admin: string): Promise<DisposalOutcome[]> {
  await requireAdmin(db, admin);
  const rows = (await listDisposals(db, { ...(which.batch ? { batch: which.batch } : {}), status: 'proposed' })).filter((r) => !which.id || r.id === which.id);
  if (rows.length === 0) throw new RetentionError('no proposed disposal matches');
  const out: DisposalOutcome[] = [];
  for (const row of rows) out.push(await inTransaction(db, (tx) => disposeOne(tx, row, admin)));
  await recordAudit(db, { actor: admin, actorAgency: null, action: 'disposal.approve', agency: null, detail: { batch: which.batch ?? null, id: which.id ?? null, outcomes: out.map((o) => o.outcome) } });
  return out;
}

/** Rejects proposed disposals: the documents stay, and may be proposed again later. */
export async function rejectDisposals(db: Db, which: { batch?: string; id?: string }, admin: string, note: string | null): Promise<number> {
  await requireAdmin(db, admin);
  const r = await db.query(
    `UPDATE disposals SET status = 'rejected', decided_by = $3, decided_at = now(), decision_note = $4
      WHERE status = 'proposed' AND ($1::text IS NULL OR batch = $1) AND ($2::uuid IS NULL OR id = $2)`,
    [which.batch ?? null, which.id ?? null, admin, note],
  );
  await recordAudit(db, { actor: admin, actorAgency: null, action: 'disposal.reject', agency: null, detail: { batch: which.batch ?? null, id: which.id ?? null, note } });
  return r.rowCount ?? 0;
}

async function disposeOne(tx: Tx, row: DisposalRow, admin: string): Promise<DisposalOutcome> {
  const cancel = async (reason: string): Promise<DisposalOutcome> => {
    await tx.query(`UPDATE disposals SET status = 'cancelled', decided_by = $2, decided_at = now(), decision_note = $3 WHERE id = $1`, [row.id, admin, reason]);
    return { id: row.id, documentId: row.documentId, outcome: 'cancelled', reason };
  };
  const doc = await tx.query<{ sender: string }>(`SELECT sender_code AS sender FROM documents WHERE id = $1 AND disposed_at IS NULL FOR UPDATE`, [row.documentId]);
  if (!doc.rows[0]) return cancel('already disposed of');
  // Checked again at approval: a hold placed, or a period lengthened, since the proposal wins.
  const still = await tx.query(`${ELIGIBLE_SQL} AND d.id = $2`, [new Date().toISOString().slice(0, 10), row.documentId]);
  if (!still.rowCount) return cancel('no longer due: a legal hold, or a longer retention period, since the proposal');
  const files = await tx.query<{ role: string; name: string | null; contentType: string; sha256: string; size: string }>(
    `SELECT f.role, f.name, b.content_type AS "contentType", f.blob_sha256 AS sha256, b.size FROM document_files f JOIN blobs b ON b.sha256 = f.blob_sha256
      WHERE f.document_id = $1 ORDER BY f.role`, [row.documentId]);
  const packets = await tx.query<{ dispatchId: string; sha256: string }>(
    `SELECT f.dispatch_id AS "dispatchId", f.blob_sha256 AS sha256 FROM dispatch_files f JOIN dispatches x ON x.id = f.dispatch_id WHERE x.document_id = $1`, [row.documentId]);
  const kept = files.rows.map((f) => ({ role: f.role, name: f.name, contentType: f.contentType, sha256: f.sha256, size: Number(f.size) }));
  await tx.query(`DELETE FROM document_files WHERE document_id = $1`, [row.documentId]);
  await tx.query(`DELETE FROM dispatch_files f USING dispatches x WHERE x.id = f.dispatch_id AND x.document_id = $1`, [row.documentId]);
  await tx.query(`DELETE FROM document_texts WHERE document_id = $1`, [row.documentId]);
  // A blob still used elsewhere (the same bytes in another document, a handling note) stays.
  for (const sha of new Set([...kept.map((f) => f.sha256), ...packets.rows.map((p) => p.sha256)])) {
    await tx.query('SAVEPOINT blob');
    try {
      await tx.query(`DELETE FROM blobs WHERE sha256 = $1`, [sha]);
      await tx.query('RELEASE SAVEPOINT blob');
    } catch (err) {
      if ((err as { code?: string }).code !== '23503') throw err; // foreign_key_violation: still referenced
      await tx.query('ROLLBACK TO SAVEPOINT blob');
    }
  }
  await markDocumentDisposed(tx, row.documentId);
  await tx.query(`UPDATE disposals SET status = 'disposed', decided_by = $2, decided_at = now(), files = $3 WHERE id = $1`, [row.id, admin, JSON.stringify(kept)]);
  // Last: the chain's lock is held from here to the commit.
  await appendLedger(tx, {
    kind: LedgerKind.documentDisposed,
    documentId: row.documentId,
    sender: doc.rows[0].sender,
    detail: { batch: row.batch, approvedBy: admin, retainUntil: row.retainUntil, files: kept.map((f) => ({ role: f.role, sha256: f.sha256 })) },
  });
  return { id: row.id, documentId: row.documentId, outcome: 'disposed', files: kept.length };
}
