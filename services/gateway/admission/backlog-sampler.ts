import type IORedis from 'ioredis';
import type { Queryable } from '../../db/pool';
import { oldestWaitingPerQueue, type QueueWait } from './queue-wait';

export interface Backlog {
  /** Stage jobs waiting or running, plus outbox rows not yet relayed to the queues. */
  jobs: number;
  /**
   * What a document admitted now would wait before its last stage starts, as observed: the age
   * of the oldest outbox row not yet relayed plus, for each stage a document passes through, the
   * age of the oldest job waiting for a worker there (ms). It counts what jobs really take (a
   * 20-page PDF to 50 waits and weighs as it does), not how many there are.
   */
  queueDelayMs: number;
  /** The same per stage, and the outbox's own lag, for the refusal's details and the log. */
  perStageMs: Record<string, number>;
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
  private current: Backlog = { jobs: 0, queueDelayMs: 0, perStageMs: {}, sampledAt: 0 };

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
        .catch(this.onError)
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.current;
  }

  /** Takes one sample now (tests and the first request wait on it). */
  async sample(): Promise<void> {
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
    this.current = summarise(queues, outbox.rows[0]!.unrelayed, outbox.rows[0]!.lag_ms, at);
  }
}

/** The backlog from one look at the queues and the outbox (pure: tests feed it directly). */
export function summarise(queues: QueueWait[], unrelayed: number, outboxLagMs: number | null, at: number): Backlog {
  const perStageMs: Record<string, number> = { outbox: Math.max(0, Math.round(outboxLagMs ?? 0)) };
  let jobs = unrelayed;
  let delay = perStageMs.outbox!;
  for (const q of queues) {
    jobs += q.waiting + q.active;
    const age = q.oldestTimestamp === null ? 0 : Math.max(0, at - q.oldestTimestamp);
    perStageMs[q.queue] = age;
    delay += age;
  }
  return { jobs, queueDelayMs: delay, perStageMs, sampledAt: at };
}
