import type { Queryable } from '../../db/pool';
import { detailKeyOrders } from './ledger-detail';
import { GENESIS_HASH, hashLedgerRow, ledgerHashInput, type LedgerRow } from './ledger.repository';

export interface LedgerVerification {
  /** Rows checked (all of them when ok). */
  rows: number;
  ok: boolean;
  /** The first row that does not match: its own hash, or its link to the row before it. */
  firstBadId?: number;
  reason?: string;
  /** The head of a sound chain: publish it elsewhere (the quarterly report does) to detect a cut tail. */
  lastId?: number;
  lastHash?: string;
}


const DEFAULT_BATCH = 2_000;

/**
 * Walks the ledger in id order, in batches (keyset paging, so memory stays flat whatever its size),
 * and recomputes each row's hash exactly as `appendLedger` did: `at` in the same UTC text form,
 * ids as numbers. Ids may have gaps (a rolled-back append consumes one); the chain is the
 * prev_hash links, not the ids. Removing the newest rows leaves a sound shorter chain: only a copy
 * of the head kept elsewhere reveals that.
 */
export async function verifyLedger(db: Queryable, opts: { batchSize?: number } = {}): Promise<LedgerVerification> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  let rows = 0;
  let prev: { id: number; hash: string } | null = null;
  // Each chain's last row seen so far (one chain per sending agency; '' is the pre-0011 chain).
  const tails = new Map<string, { id: number; hash: string }>();
  for (;;) {
    const batch: { rows: LedgerRow[] } = await db.query<LedgerRow>(
      `SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, kind, document_id::text,
              dispatch_id::text, sender, recipient, channel, detail, prev_hash, hash, chain
         FROM ledger WHERE id > $1 ORDER BY id LIMIT $2`,
      [prev?.id ?? 0, batchSize],
    );
    for (const row of batch.rows) {
      const tail = tails.get(row.chain ?? '');
      const expectedPrev = tail?.hash ?? GENESIS_HASH;
      if (row.prev_hash !== expectedPrev) {
        const before = tail ? `row ${tail.id}` : 'the start of the chain';
        return { rows, ok: false, firstBadId: row.id, reason: `prev_hash does not match the hash of ${before}: a row between them was removed, or the chain was rewritten` };
      }
      if (!hashMatches(row)) {
        return { rows, ok: false, firstBadId: row.id, reason: 'the row does not match its hash: its content was altered after it was written' };
      }
      rows++;
      prev = { id: row.id, hash: row.hash };
      tails.set(row.chain ?? '', prev);
    }
    if (batch.rows.length < batchSize) break;
  }
  return { rows, ok: true, ...(prev ? { lastId: prev.id, lastHash: prev.hash } : {}) };
}

function hashMatches(row: LedgerRow): boolean {
  const { hash, ...fields } = row;
  if (hashLedgerRow(ledgerHashInput(fields)) === hash) return true;
  for (const detail of detailKeyOrders(fields.detail)) {
    if (hashLedgerRow(ledgerHashInput({ ...fields, detail })) === hash) return true;
  }
  return false;
}
