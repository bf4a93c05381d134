import type { Queryable } from '../db/pool';
import type { BlobRef } from '../domain/blobs/blob.repository';

export const PAPER_PACKET_ROLE = 'paper-packet';

/** One packet per dispatch: a re-run replaces the row instead of adding a second packet. */
export async function attachPacket(tx: Queryable, dispatchId: string, blob: BlobRef): Promise<void> {
  await tx.query(
    `INSERT INTO dispatch_files (dispatch_id, role, blob_sha256) VALUES ($1, $2, $3)
     ON CONFLICT (dispatch_id, role) DO UPDATE SET blob_sha256 = EXCLUDED.blob_sha256`,
    [dispatchId, PAPER_PACKET_ROLE, blob.sha256],
  );
}

export async function hasPacket(db: Queryable, dispatchId: string): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM dispatch_files WHERE dispatch_id = $1 AND role = $2`, [dispatchId, PAPER_PACKET_ROLE]);
  return (r.rowCount ?? 0) > 0;
}

/**
 * The packet's blob, only for the document's sender: the acting agency is part of the query, so
 * a recipient or a stranger gets nothing (and the route answers 404 either way).
 */
export async function findPacketForSender(db: Queryable, actingAgency: string, documentId: string, dispatchId: string): Promise<{ sha256: string } | undefined> {
  const r = await db.query<{ sha256: string }>(
    `SELECT f.blob_sha256 AS sha256
       FROM dispatch_files f JOIN dispatches x ON x.id = f.dispatch_id JOIN documents d ON d.id = x.document_id
      WHERE f.dispatch_id = $1 AND f.role = $2 AND x.document_id = $3 AND d.sender_code = $4`,
    [dispatchId, PAPER_PACKET_ROLE, documentId, actingAgency],
  );
  return r.rows[0];
}
