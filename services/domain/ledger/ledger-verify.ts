import type { Queryable } from '../../db/pool';
import { detailKeyOrders } from './ledger-detail';
import { hashLedgerRow, ledgerHashInput, type LedgerHashedFields } from './ledger.repository';

export interface LedgerVerification {
  /** Rows checked (all of them when ok; when broken, the rows before the first bad one). */
  rows: number;
  ok: boolean;
  /** The first row that does not match: its own hash, or its link to the row before it. */
  firstBadId?: number;
  reason?: string;
  /** The head of a sound chain: publish it elsewhere (the quarterly report does) to detect a cut tail. */
  lastId?: number;
  lastHash?: string;
}

interface StoredRow extends LedgerHashedFields {
  hash: string;
}

/** Rows per slice: one statement each, so a slice's work and its answer stay bounded. */
const DEFAULT_SLICE = 100_000;
const DEFAULT_PARALLEL = 2;
/** Rows the database could not confirm, fetched this many at a time to be hashed here. */
const RECHECK_BATCH = 2_000;

const HASH_REASON = 'the row does not match its hash: its content was altered after it was written';

/**
 * Checks every row of every chain (one chain per sending agency; NULL is the pre-0011 chain):
 * each row's prev_hash is the hash of the previous row of its chain (by id; the first row's is the
 * genesis hash) and each row's hash is the SHA-256 of the bytes appendLedger hashed.
 *
 * The ledger is cut into id slices of `batchSize` ids, verified `parallel` at a time, each by one
 * call of ledger_verify_slice() in the database (migration 0084): the link by lag() over the chain
 * (the first row of a chain in a slice looks its predecessor up by the (chain, id) index) and the
 * hash by ledger_hash_input(), the function appends use. Rows whose hash the database cannot confirm
 * (details it does not serialise, or keys hashed in another order) are fetched and checked here
 * with every rule `hashMatches` knows, so the answer is the one a walk in id order would give: the
 * first bad row, and the count of rows before it. Ids may have gaps (a rolled-back append consumes
 * one). Removing the newest rows leaves a sound shorter chain: only a copy of the head kept
 * elsewhere reveals that.
 */
export async function verifyLedger(db: Queryable, opts: { batchSize?: number; parallel?: number } = {}): Promise<LedgerVerification> {
  const slice = opts.batchSize ?? DEFAULT_SLICE;
  const parallel = Math.max(1, opts.parallel ?? DEFAULT_PARALLEL);
  const bounds = await db.query<{ lo: string | null; hi: string | null }>(`SELECT min(id) AS lo, max(id) AS hi FROM ledger`);
  if (bounds.rows[0]!.lo === null) return { rows: 0, ok: true };
  const lo = Number(bounds.rows[0]!.lo);
  const hi = Number(bounds.rows[0]!.hi);
  const starts: number[] = [];
  for (let s = lo; s <= hi; s += slice) starts.push(s);

  let rows = 0;
  const badLinks: number[] = [];
  const badHashes: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, starts.length) }, async () => {
      while (next < starts.length) {
        const from = starts[next++]!;
        const r = await checkSlice(db, from, from + slice);
        rows += r.rows;
        badLinks.push(...r.links);
        badHashes.push(...(await recheck(db, r.hashes)));
      }
    }),
  );
  const firstLink = badLinks.length ? Math.min(...badLinks) : Infinity;
  const firstHash = badHashes.length ? Math.min(...badHashes) : Infinity;
  if (firstLink !== Infinity || firstHash !== Infinity) {
    const firstBadId = Math.min(firstLink, firstHash);
    const before = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger WHERE id < $1`, [firstBadId]);
    return { rows: before.rows[0]!.n, ok: false, firstBadId, reason: firstLink === firstBadId ? await linkReason(db, firstBadId) : HASH_REASON };
  }
  const head = await db.query<{ id: number; hash: string }>(`SELECT id, hash FROM ledger ORDER BY id DESC LIMIT 1`);
  return { rows, ok: true, lastId: Number(head.rows[0]!.id), lastHash: head.rows[0]!.hash };
}

/** Names the row a broken link should have pointed to, as the walk in id order did. */
async function linkReason(db: Queryable, id: number): Promise<string> {
  const r = await db.query<{ id: string }>(
    `SELECT p.id FROM ledger p, ledger l WHERE l.id = $1 AND p.chain IS NOT DISTINCT FROM l.chain AND p.id < l.id ORDER BY p.id DESC LIMIT 1`,
    [id],
  );
  const before = r.rows[0] ? `row ${r.rows[0].id}` : 'the start of the chain';
  return `prev_hash does not match the hash of ${before}: a row between them was removed, or the chain was rewritten`;
}

/** One slice [from, to): its row count, the ids whose link is wrong, the ids whose hash the database did not confirm. */
async function checkSlice(db: Queryable, from: number, to: number): Promise<{ rows: number; links: number[]; hashes: number[] }> {
  const r = await db.query<{ n: number; links: string[]; hashes: string[] }>(
    `SELECT n, bad_links AS links, unconfirmed AS hashes FROM ledger_verify_slice($1, $2)`,
    [from, to],
  );
  const row = r.rows[0]!;
  return { rows: row.n, links: row.links.map(Number), hashes: row.hashes.map(Number) };
}

/** The ids among `ids` whose hash does not match by any rule: hashed here, as appendLedger did. */
async function recheck(db: Queryable, ids: number[]): Promise<number[]> {
  const bad: number[] = [];
  for (let i = 0; i < ids.length; i += RECHECK_BATCH) {
    const batch = await db.query<StoredRow>(
      `SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, kind, document_id::text,
              dispatch_id::text, sender, recipient, channel, detail, prev_hash, hash, chain
         FROM ledger WHERE id = ANY($1::bigint[])`,
      [ids.slice(i, i + RECHECK_BATCH)],
    );
    for (const row of batch.rows) if (!hashMatches({ ...row, id: Number(row.id) })) bad.push(Number(row.id));
  }
  return bad;
}

/** The row's hash against the bytes appendLedger hashed: the stored key order, then every other order of the detail's keys. */
export function hashMatches(row: StoredRow): boolean {
  const { hash, ...fields } = row;
  if (hashLedgerRow(ledgerHashInput(fields)) === hash) return true;
  for (const detail of detailKeyOrders(fields.detail)) {
    if (hashLedgerRow(ledgerHashInput({ ...fields, detail })) === hash) return true;
  }
  return false;
}
