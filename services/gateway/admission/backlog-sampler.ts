import type IORedis from 'ioredis';
import type { Queryable } from '../../db/pool';
import { oldestWaitingPerQueue, type QueueWait } from './queue-wait';

export interface Backlog {
  /** Stage jobs waiting or running, plus outbox rows not yet relayed to the queues. */
  jobs: number;
  /**
   * What a document admitted now would wait before its last stage starts (ms): the age of the
   * oldest outbox row not yet relayed plus, for each stage a document passes through, the longer of
   * the age of the oldest job waiting there for a worker and the time the jobs waiting there take
   * to be picked up at the rate that stage was seen taking them. Both are measured, so it counts
   * what jobs really cost (a 20-page PDF to 50 waits and weighs as it does), not how many there are;
   * the second reacts at once to a burst that the oldest job's age shows only once it has aged.
   */
  queueDelayMs: number;
  /** The same per stage, and the outbox's own lag, for the refusal's details and the log. */
  perStageMs: Record<string, number>;
  /**
   * The slowest rate (jobs/s) at which a stage on the document's path was seen taking jobs while
   * jobs waited there, or null when none was: how fast admitted work drains. Every stage but
   * delivery takes one job per document, so this is at most the documents it can take per second.
   */
  drainPerSec: number | null;
  /** When the look began: documents admitted since then are not in it. */
  lookedAt: number;
  sampledAt: number;
}

/**
 * What the pipeline has still to do and how long work waits there, looked at no more often than
 * every `sampleMs` and only while someone asks (no timer: a gateway with no traffic queries
 * nothing). Redis and the outbox are shared by every gateway and worker, so each gateway sees the
 * whole pipeline.
 */
export class BacklogSampler {
  private inFlight: Promise<void> | undefined;
  private readonly previous = new Map<string, { at: number; waiting: number; added: number }>();
  /** Per queue: jobs taken per second while jobs were waiting (its capacity), smoothed. */
  private readonly takenPerSec = new Map<string, number>();
  private current: Backlog = { jobs: 0, queueDelayMs: 0, perStageMs: {}, drainPerSec: null, lookedAt: 0, sampledAt: 0 };

  constructor(
    private readonly db: Queryable,
    private readonly redis: IORedis,
    private readonly prefix: string,
    /** The queues a document passes through on its way to delivery, in order. */
    private readonly stages: readonly string[],
    private readonly sampleMs: number,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** The latest view; starts a new sample in the background when it is older than sampleMs. */
  backlog(now = Date.now()): Backlog {
    if (!this.inFlight && now - this.current.sampledAt >= this.sampleMs) {
      this.inFlight = this.sample()
        .catch((err: unknown) => {
          // Nothing known: the gate admits (the request meets the ordinary errors) rather than keep
          // deciding on the last look, which may have been over the mark; asked again after sampleMs.
          const at = Date.now();
          this.current = { jobs: 0, queueDelayMs: 0, perStageMs: {}, drainPerSec: null, lookedAt: at, sampledAt: at };
          this.onError(err);
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.current;
  }

  /** Takes one sample now (tests and the first request wait on it). */
  async sample(): Promise<void> {
    const lookedAt = Date.now();
    const [queues, outbox] = await Promise.all([
      oldestWaitingPerQueue(this.redis, this.prefix, this.stages),
      // The oldest unrelayed row by the partial index on id; a count capped at 100,000 (past it, "a lot").
      this.db.query<{ unrelayed: number; lag_ms: number | null }>(
        `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT 100000) o) AS unrelayed,
                (SELECT (extract(epoch FROM clock_timestamp() - created_at) * 1000)::float8
                   FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1) AS lag_ms`,
      ),
    ]);
    const at = Date.now();
    for (const q of queues) {
      const prev = this.previous.get(q.queue);
      const rate = prev ? takenRate(prev, q, at) : null;
      if (rate !== null) {
        const old = this.takenPerSec.get(q.queue);
        this.takenPerSec.set(q.queue, old === undefined ? rate : 0.5 * old + 0.5 * rate);
      }
      this.previous.set(q.queue, { at, waiting: q.waiting, added: q.added });
    }
    this.current = { ...summarise(queues, outbox.rows[0]!.unrelayed, outbox.rows[0]!.lag_ms, at, Object.fromEntries(this.takenPerSec)), lookedAt };
  }
}

/**
 * Jobs a queue's workers took per second between two looks, or null when that says nothing about
 * their capacity: only while jobs waited at both looks (an idle queue's rate is its arrivals), and
 * not across a reset of BullMQ's counter (it starts again when the prioritized set empties).
 */
export function takenRate(prev: { at: number; waiting: number; added: number }, now: QueueWait, at: number): number | null {
  const seconds = (at - prev.at) / 1000;
  if (seconds < 0.05 || prev.waiting === 0 || now.waiting === 0 || now.added < prev.added) return null;
  const taken = now.added - prev.added - (now.waiting - prev.waiting);
  return taken < 0 ? null : taken / seconds;
}

/** The backlog from one look at the queues and the outbox (pure: tests feed it directly). */
export function summarise(queues: QueueWait[], unrelayed: number, outboxLagMs: number | null, at: number, takenPerSec: Record<string, number> = {}): Backlog {
  const perStageMs: Record<string, number> = { outbox: Math.max(0, Math.round(outboxLagMs ?? 0)) };
  let jobs = unrelayed;
  let delay = perStageMs.outbox!;
  let drainPerSec: number | null = null;
  for (const q of queues) {
    jobs += q.waiting + q.active;
    const age = q.oldestTimestamp === null ? 0 : Math.max(0, at - q.oldestTimestamp);
    // Nothing taken while jobs waited: the age alone says it (and grows while nothing moves).
    const rate = takenPerSec[q.queue];
    const known = rate !== undefined && rate > 0.01 ? rate : null;
    const ahead = known !== null ? Math.round((q.waiting / known) * 1000) : 0;
    if (known !== null && (drainPerSec === null || known < drainPerSec)) drainPerSec = known;
    const wait = Math.max(age, ahead);
    perStageMs[q.queue] = wait;
    delay += wait;
  }
  return { jobs, queueDelayMs: delay, perStageMs, drainPerSec, lookedAt: at, sampledAt: at };
}
