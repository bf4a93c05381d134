import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/pool';
import { recordAudit } from '../audit/audit-log';

export interface LegalHold {
  id: string;
  documentId: string;
  reason: string;
  placedBy: string;
  placedAt: Date;
  releasedBy: string | null;
  releasedAt: Date | null;
  releaseNote: string | null;
}

const COLUMNS = `id, document_id AS "documentId", reason, placed_by AS "placedBy", placed_at AS "placedAt",
  released_by AS "releasedBy", released_at AS "releasedAt", release_note AS "releaseNote"`;

export class RetentionError extends Error {}

/** A legal hold: the document is never proposed for disposal, nor disposed, while it stands. */
export async function addHold(db: Queryable, documentId: string, reason: string, by: string): Promise<LegalHold> {
  if (!reason.trim()) throw new RetentionError('a legal hold needs a reason');
  const doc = await db.query<{ sender: string; disposed: boolean }>(`SELECT sender_code AS sender, disposed_at IS NOT NULL AS disposed FROM documents WHERE id = $1`, [documentId]);
  if (!doc.rows[0]) throw new RetentionError(`document ${documentId} does not exist`);
  if (doc.rows[0].disposed) throw new RetentionError(`document ${documentId} was already disposed of`);
  const r = await db.query<LegalHold>(`INSERT INTO legal_holds (id, document_id, reason, placed_by) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`, [
    randomUUID(), documentId, reason.trim(), by,
  ]);
  await recordAudit(db, { actor: by, actorAgency: null, action: 'hold.add', agency: doc.rows[0].sender, detail: { documentId, reason } });
  return r.rows[0]!;
}

/** Releases every standing hold of the document; returns how many. */
export async function removeHold(db: Queryable, documentId: string, by: string, note: string | null): Promise<number> {
  const r = await db.query(
    `UPDATE legal_holds SET released_by = $2, released_at = now(), release_note = $3 WHERE document_id = $1 AND released_at IS NULL`,
    [documentId, by, note],
  );
  if (r.rowCount) await recordAudit(db, { actor: by, actorAgency: null, action: 'hold.remove', agency: null, detail: { documentId, note } });
  return r.rowCount ?? 0;
}

export async function listHolds(db: Queryable, includeReleased = false): Promise<LegalHold[]> {
  const r = await db.query<LegalHold>(`SELECT ${COLUMNS} FROM legal_holds WHERE $1 OR released_at IS NULL ORDER BY placed_at`, [includeReleased]);
  return r.rows;
}
