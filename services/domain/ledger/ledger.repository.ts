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

// Appends are serialised by an advisory lock (7315002, taken in ledger_reserve(), migration 0007)
// so each row sees the previous row's hash. It is held only until the appender's commit.

/** A ledger row's columns that its hash covers (the stored row adds `hash`). */
export interface LedgerHashedFields {
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
}

/** The exact bytes a ledger row's hash covers; `ledger verify` recomputes them. */
export function ledgerHashInput(row: LedgerHashedFields): string {
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
  // Under the chain's lock from here to the end of the caller's transaction: two round trips.
  const reserved = await tx.query<{ tail_hash: string; next_id: number; at_text: string }>('SELECT * FROM ledger_reserve()');
  const { tail_hash: prevHash, next_id: id, at_text: at } = reserved.rows[0]!;
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
  // A second append of the same (kind, dispatch) or (kind, document) meets a unique index and
  // writes nothing: a re-run stage cannot count twice, and the skipped id leaves no gap in the chain.
  const inserted = await tx.query(
    `INSERT INTO ledger (id, at, kind, document_id, dispatch_id, sender, recipient, channel, detail, prev_hash, hash)
     VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
    [row.id, row.at, row.kind, row.document_id, row.dispatch_id, row.sender, row.recipient, row.channel, row.detail, prevHash, hash],
  );
  return inserted.rowCount === 1;
}
