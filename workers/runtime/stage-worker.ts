import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type IORedis from 'ioredis';
import { JobPayloadSchemas, type JobPayload, type Stage } from '../../contracts';
import type { Config } from '../../services/config/config';
import type { Db } from '../../services/db/pool';
import { logger, withLogContext } from '../../services/logging/logger';
import { HANDLERS } from '../registry';
import { observeStage } from '../../services/metrics/metrics';
import { jitteredBackoff, withChosenDelay } from './backoff';
import { PermanentStageError, type StageContext } from './stage-context';

/** One BullMQ worker for one stage: parse the payload, run the handler, never lose a failure. */
export function createStageWorker(stage: Stage, deps: { db: Db; config: Config; connection: IORedis }): Worker {
  const handler = HANDLERS[stage] as (typeof HANDLERS)[Stage];
  const { config } = deps;
  const log = logger(`stage.${stage}`);
  return new Worker(
    stage,
    async (job: Job) =>
      withLogContext({ jobId: job.id, stage, documentId: (job.data as { documentId?: string })?.documentId }, async () => {
        const parsed = JobPayloadSchemas[stage].safeParse(job.data);
        if (!parsed.success) {
          log.error({ issues: parsed.error.issues }, 'job payload does not match its contract');
          throw new UnrecoverableError(`invalid ${stage} payload`);
        }
        const payload = parsed.data as JobPayload<Stage>;
        const maxAttempts = job.opts.attempts ?? 1;
        const ctx: StageContext = {
          db: deps.db,
          config,
          log,
          attempt: job.attemptsMade + 1,
          lastAttempt: job.attemptsMade + 1 >= maxAttempts,
        };
        const delay = config.faultDelays[stage];
        if (delay) await new Promise((r) => setTimeout(r, delay)); // fault injection (dev mode only)
        const started = process.hrtime.bigint();
        try {
          await handler.run(payload as never, ctx);
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          const permanent = error instanceof PermanentStageError;
          log.warn({ err: error, attempt: ctx.attempt, permanent }, 'stage attempt failed');
          if (permanent || ctx.lastAttempt) {
            await handler.onFinalFailure(payload as never, error, ctx);
            throw new UnrecoverableError(error.message);
          }
          throw error;
        } finally {
          observeStage(stage, Number(process.hrtime.bigint() - started) / 1e9);
        }
      }),
    {
      connection: deps.connection,
      prefix: config.LIENTHONG_QUEUE_PREFIX,
      concurrency: stage === 'deliver' ? config.LIENTHONG_DELIVER_CONCURRENCY : config.LIENTHONG_WORKER_CONCURRENCY,
      lockDuration: config.LIENTHONG_JOB_LOCK_MS,
      stalledInterval: config.LIENTHONG_STALLED_INTERVAL_MS,
      // A worker killed mid-job leaves it stalled; allow several recoveries before BullMQ gives up
      // (and even then the sweeper brings the work back from PostgreSQL).
      maxStalledCount: 10,
      // A handler that already chose the delay (and showed it: "lần tới lúc …") says so on the error.
      settings: { backoffStrategy: withChosenDelay(jitteredBackoff(config.LIENTHONG_RETRY_BASE_MS, config.LIENTHONG_RETRY_MAX_MS)) },
      autorun: true,
    },
  );
}
