import type { Queryable } from '../../db/pool';
import type { QueueDepthGetter } from '../../metrics/queue-depth';

/** Job states that are work still to do (delayed retries wait for their time, not for a worker). */
const TO_DO = ['waiting', 'prioritized', 'active', 'wait'] as const;
/** Counting unrelayed outbox rows stops here: past it the answer is "a lot" either way. */
const OUTBOX_COUNT_CAP = 100_000;

export interface Backlog {
  /** Stage jobs queued or running, plus outbox rows not yet relayed to the queues. */
  jobs: number;
  /** Jobs finished per second, smoothed; null until two samples were taken. */
  drainPerSec: number | null;
  /** How long the backlog takes to drain at that rate (ms); Infinity when nothing drains. */
  estimatedDelayMs: number;
  sampledAt: number;
}

interface Raw {
  at: number;
  jobs: number;
  /** The outbox sequence: every stage's next job is an outbox row, so its growth is the arrivals. */
  seq: number;
}

/**
 * What the pipeline has still to do and how fast it is doing it, looked at no more often than
 * every `sampleMs` and only while someone asks (no timer: a gateway with no traffic queries
 * nothing). Rate = arrivals − growth of the backlog, smoothed; arrivals are read from the outbox's
 * sequence, which every gateway and worker shares, so each gateway sees the whole pipeline.
 */
export class BacklogSampler {
  private last: Raw | undefined;
  private drain: number | null = null;
  private inFlight: Promise<void> | undefined;
  private current: Backlog = { jobs: 0, drainPerSec: null, estimatedDelayMs: 0, sampledAt: 0 };

  constructor(
    private readonly db: Queryable,
    private readonly depth: QueueDepthGetter,
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
      this.depth(),
      this.db.query<{ seq: string; unrelayed: number }>(
        `SELECT (SELECT last_value FROM outbox_id_seq)::text AS seq,
                (SELECT count(*)::int FROM (SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT ${OUTBOX_COUNT_CAP}) o) AS unrelayed`,
      ),
    ]);
    const at = Date.now();
    let jobs = outbox.rows[0]!.unrelayed;
    for (const q of queues) for (const state of TO_DO) jobs += q.counts[state] ?? 0;
    const raw: Raw = { at, jobs, seq: Number(outbox.rows[0]!.seq) };
    const prev = this.last;
    if (prev && at - prev.at >= 100) {
      const seconds = (at - prev.at) / 1000;
      const finished = Math.max(0, raw.seq - prev.seq - (raw.jobs - prev.jobs)) / seconds;
      this.drain = this.drain === null ? finished : 0.6 * this.drain + 0.4 * finished;
    }
    this.last = raw;
    const estimatedDelayMs = jobs === 0 ? 0 : this.drain && this.drain > 0.01 ? (jobs / this.drain) * 1000 : Infinity;
    this.current = { jobs, drainPerSec: this.drain, estimatedDelayMs, sampledAt: at };
  }
}
