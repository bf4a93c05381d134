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
// advisory lock on (7315002, hashtext(chain)), taken in ledger_append() (migration 0012) and held
// only until the appender's commit, so each row sees its chain's previous hash while agencies
// append in parallel. The row's hash is computed by the database (ledger_hash_input()), byte for
// byte the text ledgerHashInput() below builds, which `ledger verify` recomputes.

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

/** A stored ledger row as it is read back (`ledger verify`, anchors, evidence bundles): the hashed fields and the hash. */
export interface LedgerRow extends LedgerHashedFields {
  chain: string | null;
  hash: string;
}

/**
 * The exact bytes a ledger row's hash covers; `ledger verify` recomputes them. Since migration 0012
 * rows are hashed by the database, whose ledger_hash_input() builds this same text: change both together.
 */
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
 * The arguments of the SQL function ledger_append() (migration 0012), in its order. The detail is
 * serialised here, by JSON.stringify in jsonb's key order (jsonb does not keep the order it was
 * given; hashing that order makes the stored row re-hash exactly), because the hash covers these
 * bytes and jsonb's own text form differs; every other field is serialised by the database.
 */
export function ledgerAppendArgs(e: LedgerEntry): [string, string | null, string | null, string | null, string | null, string | null, string, string] {
  return [
    e.kind,
    e.documentId ?? null,
    e.dispatchId ?? null,
    e.sender ?? null,
    e.recipient ?? null,
    e.channel ?? null,
    JSON.stringify(jsonbOrdered(e.detail ?? {})),
    chainOf(e),
  ];
}

/**
 * The one way a ledger row is written (issue 18): the call of ledger_append() with its eight
 * arguments (ledgerAppendArgs) as parameters $first … $first+7. appendLedger runs it alone; a
 * delivery's outcome runs it last in its own statement (recordDispatchOutcome, dispatch.repository.ts).
 */
export function ledgerAppendCall(first: number): string {
  return `ledger_append(${Array.from({ length: 8 }, (_, i) => `$${first + i}`).join(', ')})`;
}

/**
 * A document_accepted row appended last in the statement that writes the document (issue 25: the
 * intake in one round trip, no BEGIN/COMMIT). Each argument is an SQL expression of that statement
 * (`number`: the number its register CTE issued). The detail is {number, notation, year,
 * recipients}, its text made by ledger_detail_json() (migration 0084): for an object of strings and
 * integers it is exactly what JSON.stringify(jsonbOrdered(detail)) writes, the text appendLedger
 * would pass, so the row's hash and its verification are the same.
 */
export function ledgerAppendAcceptedCall(a: { documentId: string; sender: string; number: string; notation: string; year: string; recipients: string }): string {
  const detail = `ledger_detail_json(jsonb_build_object('number', ${a.number}, 'notation', ${a.notation}, 'year', ${a.year}, 'recipients', ${a.recipients}))`;
  return `ledger_append('document_accepted', ${a.documentId}, NULL, ${a.sender}, NULL, NULL, ${detail}, ${a.sender})`;
}

/**
 * Several rows in one statement (issue 25: a document's hosted copies): a query appending one row
 * per row of the relation `source` — columns n (the order), kind, document_id, dispatch_id, sender,
 * recipient, channel, detail (the text JSON.stringify wrote: the hash covers it) and chain — with
 * ledger_append_many() (migration 0089): one call per chain, under ONE acquisition of its lock, in
 * `n` order, each row exactly what ledger_append() would write, called once per row in that order.
 * It yields one row per chain with `written`. Put it in the caller's statement after what the rows
 * record (a CTE over that CTE), so the chain's lock is taken last.
 */
export function ledgerAppendManySql(source: string): string {
  const agg = (col: string) => `array_agg(s.${col} ORDER BY s.n)`;
  return `SELECT ledger_append_many(s.chain, ${['kind', 'document_id', 'dispatch_id', 'sender', 'recipient', 'channel', 'detail'].map(agg).join(', ')}) AS written
     FROM ${source} s GROUP BY s.chain`;
}

/**
 * Appends one row, in one round trip: ledger_append() takes the chain's lock, reads its tail,
 * hashes the row (the same bytes as `ledgerHashInput`) and inserts it. Inside a transaction the
 * lock is held to its COMMIT, so call it last; on a pool (autocommit) only for the statement.
 * Idempotent: a second append of the same (kind, dispatch) or (kind, document) meets a unique
 * index and writes nothing (returns false), so a re-run stage cannot count twice.
 */
export async function appendLedger(tx: Queryable, e: LedgerEntry): Promise<boolean> {
  const r = await tx.query<{ inserted: boolean }>(`SELECT ${ledgerAppendCall(1)} AS inserted`, ledgerAppendArgs(e));
  return r.rows[0]!.inserted === true;
}
