import type { Db } from '../../services/db/pool';

export interface DispatchTally {
  id: string;
  recipient: string;
  status: string;
  channel: string;
  /** 01 (arrived) events on the dispatch timeline: exactly one when delivered once. */
  arrived: number;
  /** `dispatch_delivered` ledger rows: exactly one when delivered once. */
  ledger: number;
}

/** One row per dispatch of the documents, with how many times it was recorded as arrived. */
export async function tallyDispatches(db: Db, documentIds: string[]): Promise<DispatchTally[]> {
  const r = await db.query<DispatchTally>(
    `SELECT x.id, x.recipient_code AS recipient, x.status, x.channel,
            (SELECT count(*)::int FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '01') AS arrived,
            (SELECT count(*)::int FROM ledger l WHERE l.dispatch_id = x.id AND l.kind = 'dispatch_delivered') AS ledger
       FROM dispatches x WHERE x.document_id = ANY($1::uuid[])`,
    [documentIds],
  );
  return r.rows;
}

export interface DeliveryOutcome {
  /** Copies that should arrive: documents × recipients. */
  expected: number;
  delivered: number;
  /** Copies recorded as arrived more than once (timeline, ledger) or accepted twice by the receiver. */
  duplicated: number;
  lost: number;
  tallies: DispatchTally[];
}

/**
 * Counts what arrived: `pushAccepted` is the set of delivery ids the push receiver acknowledged
 * (dispatches on the push channel count as arrived only when the receiver has them).
 */
export function deliveryOutcome(expected: number, tallies: DispatchTally[], pushAccepted?: Map<string, number>): DeliveryOutcome {
  let delivered = 0;
  let duplicated = 0;
  for (const t of tallies) {
    const atReceiver = t.channel === 'push' && pushAccepted ? (pushAccepted.get(t.id) ?? 0) : 1;
    if (t.status === 'delivered' && t.arrived >= 1 && atReceiver >= 1) delivered++;
    if (t.arrived > 1 || t.ledger > 1 || atReceiver > 1) duplicated++;
  }
  return { expected, delivered, duplicated, lost: Math.max(0, expected - delivered), tallies };
}

/** True once every expected copy is delivered (the condition waitFor loops on). */
export async function allDelivered(db: Db, documentIds: string[], recipientsPerDocument: number): Promise<DispatchTally[] | undefined> {
  const rows = await tallyDispatches(db, documentIds);
  return rows.length === documentIds.length * recipientsPerDocument && rows.every((x) => x.status === 'delivered') ? rows : undefined;
}
