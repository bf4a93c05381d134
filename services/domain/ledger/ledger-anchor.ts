import type { Queryable } from '../../db/pool';
import { readTimestampToken } from '../../signing/timestamp-token';
import { requestTimestamp } from '../../signing/tsa-client';

// Anchors: the head hash of every ledger chain, timestamped by an RFC 3161 TSA. The token's
// message imprint (SHA-256) IS the row's hash — the SHA-256 of the row's hash input — so a token
// proves that the row, and through the prev_hash links every row before it in its chain, existed
// at the token's time. `openssl ts -verify -digest <row hash> -in token.tsr -token_in` agrees.

export type AnchorReason = 'scheduled' | 'on-demand' | 'evidence' | 'report';

export interface AnchorRow {
  id: number;
  chain: string;
  rowId: number;
  rowHash: string;
  token: Buffer;
  genTime: Date;
  reason: AnchorReason;
}

export interface TsaSettings {
  url: string;
  timeoutMs?: number;
}

const ANCHOR_COLUMNS = `id::int, chain, row_id::int AS "rowId", row_hash AS "rowHash", token, gen_time AS "genTime", reason`;

/** Each chain's newest row (the chains of per-agency rows; the pre-0011 rows without a chain are left out). */
export async function chainHeads(db: Queryable, chains?: string[]): Promise<{ chain: string; id: number; hash: string }[]> {
  const r = await db.query<{ chain: string; id: number; hash: string }>(
    `SELECT DISTINCT ON (chain) chain, id::int, hash FROM ledger WHERE chain IS NOT NULL AND ($1::text[] IS NULL OR chain = ANY($1))
      ORDER BY chain, id DESC`,
    [chains ?? null],
  );
  return r.rows;
}

/**
 * Timestamps the head of each chain that has no anchor on its current head (all chains, or the
 * ones named). Returns the anchors written. A TSA failure throws (nothing half-written: each
 * anchor is one insert).
 */
export async function anchorChains(db: Queryable, tsa: TsaSettings, reason: AnchorReason, chains?: string[]): Promise<AnchorRow[]> {
  const heads = await chainHeads(db, chains);
  const written: AnchorRow[] = [];
  for (const head of heads) {
    const existing = await db.query(`SELECT 1 FROM ledger_anchors WHERE chain = $1 AND row_id = $2`, [head.chain, head.id]);
    if (existing.rowCount) continue;
    const token = await requestTimestamp(tsa.url, Buffer.from(head.hash, 'hex'), tsa.timeoutMs !== undefined ? { timeoutMs: tsa.timeoutMs } : {});
    const genTime = readTimestampToken(token).tstInfo.genTime;
    const r = await db.query<AnchorRow>(
      `INSERT INTO ledger_anchors (chain, row_id, row_hash, token, gen_time, reason) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (chain, row_id) DO NOTHING RETURNING ${ANCHOR_COLUMNS}`,
      [head.chain, head.id, head.hash, token, genTime, reason],
    );
    if (r.rows[0]) written.push(r.rows[0]);
  }
  return written;
}

/** The first anchor of `chain` at or after row `rowId` (the nearest one that covers it). */
export async function anchorCovering(db: Queryable, chain: string, rowId: number): Promise<AnchorRow | undefined> {
  const r = await db.query<AnchorRow>(`SELECT ${ANCHOR_COLUMNS} FROM ledger_anchors WHERE chain = $1 AND row_id >= $2 ORDER BY row_id LIMIT 1`, [chain, rowId]);
  return r.rows[0];
}

export async function allAnchors(db: Queryable, afterId: number, limit: number): Promise<AnchorRow[]> {
  const r = await db.query<AnchorRow>(`SELECT ${ANCHOR_COLUMNS} FROM ledger_anchors WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit]);
  return r.rows;
}

/** Claims the daily run for `day` (a Vietnam date): true for exactly one caller. */
export async function claimAnchorDay(db: Queryable, day: string): Promise<boolean> {
  const r = await db.query(`INSERT INTO ledger_anchor_runs (day) VALUES ($1) ON CONFLICT (day) DO NOTHING`, [day]);
  return r.rowCount === 1;
}
