import { X509Certificate } from 'node:crypto';
import type { Queryable } from '../../db/pool';
import { verifyTimestampToken } from '../../signing/timestamp-token';
import { trustAnchorsPem } from '../pki/agency-certificate.repository';
import { allAnchors, type AnchorRow } from './ledger-anchor';
import { ledgerHashInput, type LedgerRow } from './ledger.repository';

export interface AnchorVerification {
  anchors: number;
  ok: boolean;
  /** The first anchor that does not hold, and why. */
  badAnchorId?: number;
  reason?: string;
  /** The newest anchor checked. */
  newest?: { chain: string; rowId: number; genTime: string };
}

export const LEDGER_ROW_SQL = `SELECT id::int, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, kind, document_id::text,
  dispatch_id::text, sender, recipient, channel, detail, prev_hash, hash, chain FROM ledger`;

/** One anchor against its row and the trust anchors: a sentence when it does not hold. */
export function anchorProblem(anchor: AnchorRow, row: LedgerRow | undefined, trust: X509Certificate[]): string | null {
  if (!row) return `the anchored row ${anchor.rowId} is not in the ledger`;
  if (row.chain !== anchor.chain) return `row ${anchor.rowId} belongs to chain ${row.chain ?? '(none)'}, not ${anchor.chain}`;
  if (row.hash !== anchor.rowHash) return `row ${anchor.rowId}'s hash is not the anchored one`;
  const report = verifyTimestampToken(anchor.token, [Buffer.from(ledgerHashInput(row), 'utf8')], trust);
  if (!report.imprintMatches) return `the timestamp token does not cover row ${anchor.rowId}'s hash`;
  if (!report.valid) return `the timestamp token is not valid: ${report.problems.join('; ')}`;
  if (!report.trusted) return `the timestamp authority is not trusted: ${report.problems.join('; ')}`;
  if (report.time && Math.abs(report.time.getTime() - anchor.genTime.getTime()) > 1000) return 'the stored time differs from the token\'s';
  return null;
}

/**
 * Checks every anchor: the token's signature, its TSA's chain to a trust anchor for timestamps
 * (`pki trust add --purpose tsa`, or the development CA), and that its imprint is the hash of the
 * row it names — the recomputed hash of that row's content, in that chain.
 */
export async function verifyAnchors(db: Queryable, batch = 500): Promise<AnchorVerification> {
  const trust = (await trustAnchorsPem(db, 'tsa')).map((pem) => new X509Certificate(pem));
  let after = 0;
  let count = 0;
  let newest: AnchorVerification['newest'];
  for (;;) {
    const anchors = await allAnchors(db, after, batch);
    if (anchors.length === 0) break;
    const rows = await db.query<LedgerRow>(`${LEDGER_ROW_SQL} WHERE id = ANY($1)`, [anchors.map((a) => a.rowId)]);
    const byId = new Map(rows.rows.map((r) => [r.id, r]));
    for (const a of anchors) {
      const problem = anchorProblem(a, byId.get(a.rowId), trust);
      if (problem) return { anchors: count, ok: false, badAnchorId: a.id, reason: problem };
      count++;
      newest = { chain: a.chain, rowId: a.rowId, genTime: a.genTime.toISOString() };
      after = a.id;
    }
  }
  return { anchors: count, ok: true, ...(newest ? { newest } : {}) };
}
