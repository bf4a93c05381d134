import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { jobIdFor, STAGES, type JobPayload, type Stage } from '../../contracts';

export interface StageQueues {
  add<S extends Stage>(stage: S, payload: JobPayload<S>, priority?: number): Promise<void>;
  /** Many jobs of one stage in one round trip (a fan-out of hundreds of deliveries). */
  addMany<S extends Stage>(stage: S, jobs: { payload: JobPayload<S>; priority?: number }[]): Promise<void>;
  queue(stage: Stage): Queue;
  close(): Promise<void>;
}

/**
 * Retries for transient failures (PostgreSQL restarting, a timestamp authority that is down):
 * the workers' exponential backoff with jitter, capped at LIENTHONG_RETRY_MAX_MS (15 min by
 * default), so 20 attempts ride out a few hours of outage before the document is marked failed.
 * Failures no retry can mend (a broken file, no certificate) fail at the first attempt.
 * Completed jobs are removed at once: the database keeps the history, and a removed id can be
 * re-published by the sweeper, harmlessly.
 */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 20,
  backoff: { type: 'custom' },
  removeOnComplete: true,
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

/**
 * Deliveries retry until their time budget is spent (the handler decides, see deliver.job.ts),
 * not until a count runs out; the custom backoff is exponential with jitter and a ceiling.
 */
export const DELIVER_JOB_OPTIONS = {
  ...DEFAULT_JOB_OPTIONS,
  attempts: 1_000_000,
  backoff: { type: 'custom' },
} as const;

export function createStageQueues(connection: IORedis, prefix: string): StageQueues {
  const queues = new Map<Stage, Queue>();
  for (const stage of STAGES) {
    // Status webhooks are deliveries too: same backoff, same time budget (see notify.job.ts).
    const defaultJobOptions = stage === 'deliver' || stage === 'notify' ? DELIVER_JOB_OPTIONS : DEFAULT_JOB_OPTIONS;
    queues.set(stage, new Queue(stage, { connection, prefix, defaultJobOptions }));
  }
  const get = (stage: Stage): Queue => queues.get(stage)!;
  return {
    async add(stage, payload, priority = 0) {
      await get(stage).add(stage, payload, { jobId: jobIdFor(stage, payload), ...(priority > 0 ? { priority } : {}) });
    },
    async addMany(stage, jobs) {
      if (jobs.length === 0) return;
      await get(stage).addBulk(
        jobs.map((j) => ({
          name: stage,
          data: j.payload,
          opts: { jobId: jobIdFor(stage, j.payload), ...(j.priority ? { priority: j.priority } : {}) },
        })),
      );
    },
    queue: get,
    async close() {
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
    },
  };
}

/**
 * Removes BullMQ's record of a failed job by its id (jobIdFor), so that re-publishing the same id is
 * not a no-op: an operator's retry (web admin, `lienthong dispatch retry`) passes this to retryDispatches.
 */
export function failedJobRemover(queues: StageQueues): (stage: Stage, jobId: string) => Promise<void> {
  return async (stage, jobId) => {
    const job = await queues.queue(stage).getJob(jobId);
    if (job && (await job.isFailed())) await job.remove();
  };
}
