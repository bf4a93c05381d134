import { Stage, type DocumentStatus } from '../../contracts';
import type { Db } from '../db/pool';
import { logger } from '../logging/logger';
import { IN_FLIGHT_DOCUMENT_STATUSES, OPEN_DISPATCH_STATUSES, stageAwaitedIn } from './stage-order';
import { priorityOf } from './priority';
import { DEFAULT_JOB_OPTIONS, type StageQueues } from './stage-queues';
import { prunePublished } from './outbox.repository';

const log = logger('sweeper');

/** The domain's part of a sweep, given by whoever starts the sweeper (services/domain/sweep-chores.ts). */
export interface SweepChores {
  /** Run first on each sweep: domain repairs and periodic notices. */
  beforeRepublish(db: Db, ageMs: number): Promise<void>;
  /** Status-webhook events still owed to push-channel senders, newer than `maxAgeMs`. */
  owedWebhookEvents(db: Db, ageMs: number, maxAgeMs: number, limit: number): Promise<number[]>;
}

/**
 * Reconciles PostgreSQL (the truth) with the queues (work in flight). Anything that has waited in
 * an in-flight state longer than `ageMs` is published again. The window's two ends:
 *  - older than `ageMs`, so work that is simply queued or running is not disturbed (and a job
 *    already in Redis under the same deterministic id makes the add a no-op anyway);
 *  - no upper bound, so after Redis lost everything (FLUSHALL, a failover without persistence)
 *    every unfinished document and dispatch comes back.
 */
export async function sweepOnce(db: Db, queues: StageQueues, ageMs: number, chores: SweepChores): Promise<number> {
  let republished = 0;
  await chores.beforeRepublish(db, ageMs);
  const docs = await db.query<{ id: string; status: DocumentStatus; urgency: 'normal' }>(
    `SELECT id, status, urgency FROM documents
      WHERE status = ANY($2::text[]) AND updated_at < now() - make_interval(secs => $1::float8 / 1000)
      ORDER BY updated_at LIMIT 1000`,
    [ageMs, IN_FLIGHT_DOCUMENT_STATUSES],
  );
  for (const d of docs.rows) {
    const stage = stageAwaitedIn(d.status);
    if (!stage) continue;
    await queues.add(stage, { documentId: d.id } as never, priorityOf(d.urgency));
    republished++;
  }
  // Open copies of routed documents: a hosted copy's job is its document's hosted job (one per
  // document, deliver-hosted-<documentId>, a no-op while that job is still in Redis), any other
  // copy's its own (deliver-<dispatchId>). `x.open` (the same statuses, a generated column) is what
  // lets the oldest open copies come from the index dispatches_open (migration 0101).
  const dispatches = await db.query<{ id: string; documentId: string; urgency: 'normal'; hosted: boolean }>(
    `SELECT x.id, x.document_id AS "documentId", d.urgency, COALESCE(x.channel, 'hosted') = 'hosted' AS hosted
       FROM dispatches x JOIN documents d ON d.id = x.document_id
      WHERE d.status = 'routed' AND x.open AND x.status = ANY($2::text[])
        AND x.updated_at < now() - make_interval(secs => $1::float8 / 1000)
      ORDER BY x.updated_at LIMIT 5000`,
    [ageMs, OPEN_DISPATCH_STATUSES],
  );
  const hostedDocuments = new Set<string>();
  for (const x of dispatches.rows) {
    if (x.hosted) {
      if (hostedDocuments.has(x.documentId)) continue;
      hostedDocuments.add(x.documentId);
      await queues.add(Stage.deliver, { documentId: x.documentId, hosted: true }, priorityOf(x.urgency));
    } else {
      await queues.add(Stage.deliver, { documentId: x.documentId, dispatchId: x.id }, priorityOf(x.urgency));
    }
    republished++;
  }
  // Status webhooks still owed to push-channel senders; kept no longer than failed jobs are.
  for (const eventId of await chores.owedWebhookEvents(db, ageMs, DEFAULT_JOB_OPTIONS.removeOnFail.age * 1000, 5000)) {
    await queues.add(Stage.notify, { eventId });
    republished++;
  }
  if (republished > 0) log.info({ republished }, 'sweeper re-published unfinished work');
  return republished;
}

/** Published outbox rows older than `retentionMs` removed (prunePublished); 0 keeps them all. */
export async function pruneOutbox(db: Db, retentionMs: number): Promise<number> {
  if (retentionMs <= 0) return 0;
  const pruned = await prunePublished(db, retentionMs);
  if (pruned > 0) log.info({ pruned }, 'sweeper removed published outbox rows past their retention');
  return pruned;
}

export function startSweeper(db: Db, queues: StageQueues, intervalMs: number, ageMs: number, chores: SweepChores, outboxRetentionMs = 0): { stop(): void } {
  const timer = setInterval(() => {
    sweepOnce(db, queues, ageMs, chores)
      .then(() => pruneOutbox(db, outboxRetentionMs))
      .catch((err) => log.warn({ err }, 'sweep failed; will retry'));
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}
