import { verifyLedger } from '../../services/domain/ledger/ledger-verify';
import { allDelivered, deliveryOutcome, tallyDispatches } from '../../test/support/delivery-audit';
import { unfinishedJobs } from '../../test/support/queue-probe';
import { testEnv } from '../../test/support/test-env';
import { waitFor } from '../../test/support/wait';
import type { DrillStack } from './drill-stack';

/** What the audit reads: a DrillStack, or the cluster drill's stack (nginx as the gateway, the current Redis master). */
export type AuditStack = Pick<DrillStack, 'db' | 'recipients' | 'receiver'> & { gateway: { baseUrl: string }; redis: { url: string } };

export interface ScenarioResult {
  name: string;
  /** Copies expected: accepted documents × recipients. */
  sent: number;
  delivered: number;
  duplicated: number;
  lost: number;
  recoverySeconds: number | null;
  documents: number;
  ledgerOk: boolean;
  stuckJobs: number;
  notes: string[];
}

/** Waits (bounded) until every copy is delivered; returns when that happened, or null. */
export async function settle(stack: AuditStack, ids: string[], timeoutMs = 90_000): Promise<number | null> {
  try {
    await waitFor(`${ids.length} documents delivered`, () => allDelivered(stack.db, ids, stack.recipients.length), { timeoutMs, recheckMs: 250 });
    return Date.now();
  } catch {
    return null;
  }
}

/** Copies of the documents in the hosted recipients' inboxes, read through the API as they would. */
async function inboxCopies(stack: AuditStack, ids: Set<string>): Promise<{ seen: number; extra: number }> {
  let seen = 0;
  let extra = 0;
  for (const r of stack.recipients.slice(0, -1)) {
    const counts = new Map<string, number>();
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const res: Response = await fetch(`${stack.gateway.baseUrl}/v1/inbox?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: { authorization: `Bearer ${r.apiKey}` } });
      const page = (await res.json()) as { items: { documentId: string }[]; nextCursor: string | null };
      for (const item of page.items) if (ids.has(item.documentId)) counts.set(item.documentId, (counts.get(item.documentId) ?? 0) + 1);
      cursor = page.nextCursor;
    }
    for (const n of counts.values()) {
      seen++;
      extra += n - 1;
    }
  }
  return { seen, extra };
}

/**
 * The audit after a fault: copies delivered once (timeline, ledger, inboxes, receiver), the ledger
 * chain sound, nothing left in the queues or the outbox.
 */
export async function audit(stack: AuditStack, name: string, ids: string[], recoveredAt: number | null, faultAt: number, receiverDupBefore: number, notes: string[] = []): Promise<ScenarioResult> {
  const tallies = await tallyDispatches(stack.db, ids);
  const pushAccepted = new Map([...stack.receiver.accepted.keys()].map((k) => [k, 1]));
  const outcome = deliveryOutcome(ids.length * stack.recipients.length, tallies, pushAccepted);
  const inbox = await inboxCopies(stack, new Set(ids));
  const hostedExpected = ids.length * (stack.recipients.length - 1);
  const receiverDup = stack.receiver.duplicates() - receiverDupBefore;
  if (receiverDup) notes.push(`${receiverDup} push redelivered with the same delivery id (deduplicable)`);
  if (inbox.seen < hostedExpected) notes.push(`${hostedExpected - inbox.seen} copies missing from the inboxes`);
  const ledger = await verifyLedger(stack.db);
  if (!ledger.ok) notes.push(`ledger broken at ${ledger.firstBadId}: ${ledger.reason}`);
  let stuck = 0;
  try {
    stuck = await waitFor('queues and outbox drained', async () => {
      const jobs = Object.values(await unfinishedJobs(stack.redis.url, testEnv().queuePrefix)).reduce((a, b) => a + b, 0);
      const outbox = (await stack.db.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)).rows[0].n as number;
      return jobs + outbox === 0 ? 0 : false;
    }, { timeoutMs: 15_000, recheckMs: 500 });
  } catch {
    const jobs = await unfinishedJobs(stack.redis.url, testEnv().queuePrefix);
    stuck = Object.values(jobs).reduce((a, b) => a + b, 0);
    notes.push(`unfinished jobs after 15 s: ${JSON.stringify(jobs)}`);
  }
  return {
    name,
    sent: outcome.expected,
    delivered: outcome.delivered,
    duplicated: outcome.duplicated + inbox.extra + receiverDup,
    lost: Math.max(outcome.lost, hostedExpected - inbox.seen),
    recoverySeconds: recoveredAt === null ? null : Math.round((recoveredAt - faultAt) / 100) / 10,
    documents: ids.length,
    ledgerOk: ledger.ok,
    stuckJobs: stuck,
    notes,
  };
}
