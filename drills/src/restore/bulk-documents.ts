import type { Db } from '../../../services/db/pool';

/**
 * `count` more documents for the recovery-time figure, cloned in SQL from a delivered drill
 * document: each its own row, its own incompressible 16 KiB file (a content-addressed blob whose
 * sha256 is its bytes'), the template's dispatches (delivered) addressed to other agencies of
 * the directory (`otherRecipients`, one per template dispatch: the drill's own inboxes stay the
 * size its audit reads page by page), and a `document_accepted` ledger row appended through
 * ledger_append(), so `ledger verify` walks them all. In batches of 5,000.
 */
export async function addBulkDocuments(db: Db, templateId: string, otherRecipients: string[], count: number, onBatch?: (done: number) => void): Promise<void> {
  const cols = async (table: string) =>
    (await db.query<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_name = $1 AND table_schema = 'public' AND is_generated = 'NEVER' ORDER BY ordinal_position`, [table])).rows.map((r) => r.c);
  const docCols = await cols('documents');
  const dispCols = await cols('dispatches');
  const docExpr = docCols.map((c) => (c === 'id' ? 'b.id' : c === 'number' ? `'B' || b.i` : c === 'idempotency_key' || c === 'request_hash' ? 'NULL' : `t.${c}`));
  const dispExpr = dispCols.map((c) => (c === 'id' ? 'gen_random_uuid()' : c === 'document_id' ? 'b.id' : c === 'recipient_code' ? `($2::text[])[x.n]` : `x.${c}`));
  for (let from = 1; from <= count; from += 5000) {
    const to = Math.min(count, from + 4999);
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await client.query(`CREATE TEMP TABLE bulk ON COMMIT DROP AS
        SELECT gen_random_uuid() AS id, i, f.bytes, encode(sha256(f.bytes), 'hex') AS sha
          FROM generate_series(${from}::int, ${to}::int) i,
               LATERAL (SELECT decode(string_agg(md5(i::text || '-' || g), ''), 'hex') AS bytes FROM generate_series(1, 1024) g) f`);
      await client.query(`INSERT INTO blobs (sha256, size, content_type, bytes) SELECT sha, octet_length(bytes), 'application/pdf', bytes FROM bulk ON CONFLICT DO NOTHING`);
      await client.query(`INSERT INTO documents (${docCols.join(', ')}) SELECT ${docExpr.join(', ')} FROM bulk b, documents t WHERE t.id = $1`, [templateId]);
      await client.query(`INSERT INTO document_files (document_id, role, blob_sha256, name) SELECT b.id, f.role, b.sha, f.name FROM bulk b, document_files f WHERE f.document_id = $1`, [templateId]);
      await client.query(`INSERT INTO dispatches (${dispCols.join(', ')}) SELECT ${dispExpr.join(', ')}
                            FROM bulk b, (SELECT *, row_number() OVER (ORDER BY id)::int AS n FROM dispatches WHERE document_id = $1) x`, [templateId, otherRecipients]);
      await client.query(`SELECT ledger_append('document_accepted', b.id, NULL, t.sender_code, NULL, NULL, '{}', t.sender_code)
                            FROM bulk b, documents t WHERE t.id = $1 ORDER BY b.i`, [templateId]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    onBatch?.(to);
  }
}
