import { createHash } from 'node:crypto';
import type { LedgerKind } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { jsonbOrdered } from './ledger-detail';

export interface LedgerEntry {
  kind: LedgerKind;
  documentId?: string | null;
  dispatchId?: string | null;
  sender?: string | null;
  recipient?: string | null;
  channel?: string | null;
  detail?: Record<string, unknown>;
}

export const GENESIS_HASH = '0'.repeat(64);

// Serialises appends so each row sees the previous row's hash. Held only until commit.
const LEDGER_LOCK = 7_315_002;

/** The exact bytes a ledger row's hash covers; `ledger verify` recomputes them. */
export function ledgerHashInput(row: {
  id: number;
  at: string;
  kind: string;
  document_id: string | null;
  dispatch_id: string | null;
  sender: string | null;
  recipient: string | null;
  channel: string | null;
  detail: unknown;
  prev_hash: string;
}): string {
  return JSON.stringify([
    row.id,
    row.at,
    row.kind,
    row.document_id,
    row.dispatch_id,
    row.sender,
    row.recipient,
    row.channel,
    row.detail,
    row.prev_hash,
  ]);
}

export function hashLedgerRow(input: string): string {
  return createHash('sha256').update(input).digest('hex');
}

/**
 * Appends one row inside the caller's transaction. Idempotent: a second append of the same
 * (kind, dispatch) or (kind, document) is a no-op, so a re-run stage cannot double count.
 */
export async function appendLedger(tx: Queryable, e: LedgerEntry): Promise<boolean> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [LEDGER_LOCK]);
  if (e.dispatchId || e.documentId) {
    const dup = await tx.query(
      e.dispatchId
        ? 'SELECT 1 FROM ledger WHERE kind = $1 AND dispatch_id = $2'
        : 'SELECT 1 FROM ledger WHERE kind = $1 AND document_id = $2 AND dispatch_id IS NULL',
      [e.kind, e.dispatchId ?? e.documentId],
    );
    if (dup.rowCount) return false;
  }
  const last = await tx.query<{ hash: string }>('SELECT hash FROM ledger ORDER BY id DESC LIMIT 1');
  const prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
  const idRow = await tx.query<{ id: number; at: string }>(
    `SELECT nextval('ledger_id_seq')::bigint AS id, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at`,
  );
  const { id, at } = idRow.rows[0]!;
  const row = {
    id,
    at,
    kind: e.kind,
    document_id: e.documentId ?? null,
    dispatch_id: e.dispatchId ?? null,
    sender: e.sender ?? null,
    recipient: e.recipient ?? null,
    channel: e.channel ?? null,
    // jsonb stores keys in its own order; hashing that order makes the stored row re-hash exactly.
    detail: jsonbOrdered(e.detail ?? {}),
    prev_hash: prevHash,
  };
  const hash = hashLedgerRow(ledgerHashInput(row));
  await tx.query(
    `INSERT INTO ledger (id, at, kind, document_id, dispatch_id, sender, recipient, channel, detail, prev_hash, hash)
     VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [row.id, row.at, row.kind, row.document_id, row.dispatch_id, row.sender, row.recipient, row.channel, row.detail, prevHash, hash],
  );
  return true;
}
