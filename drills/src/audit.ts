import { verifyLedger } from '../../services/domain/ledger/ledger-verify';
import { allDelivered, deliveryOutcome, tallyDispatches } from '../../test/support/delivery-audit';
import { unfinishedJobs } from '../../test/support/queue-probe';
import { testEnv } from '../../test/support/test-env';
import { waitFor } from '../../test/support/wait';
import type { DrillStack } from './drill-stack';
import { pipelineProgress, waitWithProgress, type ProgressBounds } from './progress';

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
  /** Push copies counted delivered though the receiver never stored their body (issue 16): must be 0. */
  deliveredWithoutBody?: number;
  /**
   * Push copies the receiver got again under the same delivery id (X-LienThong-Delivery): the
   * at-least-once resend after the worker could not know the first push arrived (a job's lock lost
   * mid-push, a worker killed after sending and before recording, an answer lost). Not a duplicate:
   * every receiver must drop a repeated delivery id, and the ledger, timeline and inboxes hold one copy.
   */
  resentSameId?: number;
  notes: string[];
}

/**
 * Waits until every copy is delivered; returns when that happened, or null. Bounded by the
 * pipeline's progress (60 s without any, 15 min in all), not by a fixed time a busy machine misses.
 */
export async function settle(stack: AuditStack, ids: string[], limit: ProgressBounds | number = { idleMs: 60_000, maxMs: 15 * 60_000 }): Promise<number | null> {
  // A plain number is a fixed bound, as callers written before the progress bounds expect.
  const bounds = typeof limit === 'number' ? { idleMs: limit, maxMs: limit } : limit;
  try {
    await waitWithProgress(`${ids.length} documents delivered`, () => allDelivered(stack.db, ids, stack.recipients.length), () => pipelineProgress(stack.db, ids), bounds);
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
  const counted = new Set(['delivered', 'accepted', 'assigned', 'processing', 'completed', 'refused']);
  const withoutBody = tallies.filter((t) => t.channel === 'push' && counted.has(t.status) && !pushAccepted.has(t.id)).length;
  if (withoutBody) notes.push(`${withoutBody} push copies counted delivered without the receiver storing the body`);
  const inbox = await inboxCopies(stack, new Set(ids));
  const hostedExpected = ids.length * (stack.recipients.length - 1);
  const receiverDup = stack.receiver.duplicates() - receiverDupBefore;
  if (receiverDup) notes.push(`${receiverDup} push re-sent with the same delivery id (at-least-once; the receiver drops it), attempts: ${await attemptsOfPushCopies(stack, ids)}`);
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
    duplicated: outcome.duplicated + inbox.extra,
    resentSameId: receiverDup,
    lost: Math.max(outcome.lost, hostedExpected - inbox.seen),
    recoverySeconds: recoveredAt === null ? null : Math.round((recoveredAt - faultAt) / 100) / 10,
    documents: ids.length,
    ledgerOk: ledger.ok,
    stuckJobs: stuck,
    deliveredWithoutBody: withoutBody,
    notes,
  };
}

/** The push copies' attempt histories, for the note that explains a resend. */
async function attemptsOfPushCopies(stack: AuditStack, ids: string[]): Promise<string> {
  const r = await stack.db.query<{ id: string; attempts: string }>(
    `SELECT x.id, string_agg(a.attempt || ':' || a.outcome || COALESCE(' ' || left(a.error, 80), ''), '; ' ORDER BY a.id) AS attempts
       FROM dispatches x JOIN dispatch_attempts a ON a.dispatch_id = x.id
      WHERE x.document_id = ANY($1::uuid[]) AND x.channel = 'push' GROUP BY x.id`,
    [ids],
  );
  return r.rows.map((x) => `[${x.id.slice(0, 8)} ${x.attempts}]`).join(' ');
}
