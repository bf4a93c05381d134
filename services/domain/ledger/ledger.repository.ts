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

// One hash chain per sending agency (migration 0011): appends to a chain are serialised by an
// advisory lock on (7315002, hashtext(chain)), taken in ledger_reserve_in() and held only until
// the appender's commit, so each row sees its chain's previous hash while agencies append in parallel.

/** The chain a row belongs to: its sending agency (rows without one go to the province's chain). */
export function chainOf(e: { sender?: string | null }): string {
  return e.sender ?? 'province';
}

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
  /** NULL for rows written before per-agency chains (their hash did not cover it). */
  chain?: string | null;
}

/** The exact bytes a ledger row's hash covers; `ledger verify` recomputes them. */
export function ledgerHashInput(row: LedgerHashedFields): string {
  const fields: unknown[] = [
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
  ];
  if (row.chain != null) fields.push(row.chain);
  return JSON.stringify(fields);
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
  const chain = chainOf(e);
  const reserved = await tx.query<{ tail_hash: string; next_id: number; at_text: string }>('SELECT * FROM ledger_reserve_in($1)', [chain]);
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
    chain,
  };
  const hash = hashLedgerRow(ledgerHashInput(row));
  // A second append of the same (kind, dispatch) or (kind, document) meets a unique index and
  // writes nothing: a re-run stage cannot count twice, and the skipped id leaves no gap in the chain.
  const inserted = await tx.query(
    `INSERT INTO ledger (id, at, kind, document_id, dispatch_id, sender, recipient, channel, detail, prev_hash, hash, chain)
     VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
    [row.id, row.at, row.kind, row.document_id, row.dispatch_id, row.sender, row.recipient, row.channel, row.detail, prevHash, hash, chain],
  );
  return inserted.rowCount === 1;
}
