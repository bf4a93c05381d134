import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type IORedis from 'ioredis';
import { JobPayloadSchemas, STAGES, Stage } from '../../contracts';
import type { Config } from '../../services/config/config';
import type { Db } from '../../services/db/pool';
import { logger, withLogContext, type Logger } from '../../services/logging/logger';
import { HANDLERS } from '../registry';
import { observeStage } from '../../services/metrics/metrics';
import { jitteredBackoff, withChosenDelay } from './backoff';
import { PermanentStageError, type StageContext } from './stage-context';
import { chainsAfter, type NextStep } from './stage-chain';

export interface StageWorkerDeps {
  db: Db;
  config: Config;
  connection: IORedis;
  /** The stages this process runs (`--only`): a job chains only into those (stage-chain.ts). */
  runs: readonly Stage[];
}

const LOGGERS = new Map<Stage, Logger>(STAGES.map((s) => [s, logger(`stage.${s}`)]));

/**
 * One BullMQ worker for one stage: parse the payload, run the handler, never lose a failure. A job
 * runs its own stage's step, then the steps chained after it here (stage-chain.ts), each under its
 * stage's handler, fault delay, metric and final-failure record.
 */
export function createStageWorker(stage: Stage, deps: StageWorkerDeps): Worker {
  const { config } = deps;
  const chainsOf = new Map(STAGES.map((s) => [s, chainsAfter(s, deps.runs, config.LIENTHONG_STAGE_CHAINING)]));
  const log = LOGGERS.get(stage)!;
  return new Worker(
    stage,
    async (job: Job, token?: string) =>
      withLogContext({ jobId: job.id, stage, documentId: (job.data as { documentId?: string })?.documentId }, async () => {
        const parsed = JobPayloadSchemas[stage].safeParse(job.data);
        if (!parsed.success) {
          log.error({ issues: parsed.error.issues }, 'job payload does not match its contract');
          throw new UnrecoverableError(`invalid ${stage} payload`);
        }
        const maxAttempts = job.opts.attempts ?? 1;
        const attempt = { attempt: job.attemptsMade + 1, lastAttempt: job.attemptsMade + 1 >= maxAttempts };
        const waitWithoutAttempt = async (ms: number): Promise<never> => {
          if (!token) throw new Error(`${stage} job ${job.id} cannot wait without its lock token`);
          await job.moveToDelayed(Date.now() + ms, token);
          throw new DelayedError();
        };
        let step: NextStep | undefined = { stage, payload: parsed.data } as NextStep;
        while (step) {
          const ctx: StageContext = { db: deps.db, config, log: LOGGERS.get(step.stage)!, ...attempt, chains: chainsOf.get(step.stage)!, waitWithoutAttempt, ...(step.carried ? { carried: step.carried } : {}) };
          const current: NextStep = step;
          step = current.stage === stage ? await runStep(current, ctx) : await withLogContext({ stage: current.stage, chainedFrom: stage }, () => runStep(current, ctx));
        }
      }),
    {
      connection: deps.connection,
      prefix: config.LIENTHONG_QUEUE_PREFIX,
      // A job's chained steps run in its own slot: the stage's concurrency bounds its chains too.
      concurrency: stage === Stage.deliver ? config.LIENTHONG_DELIVER_CONCURRENCY : config.LIENTHONG_WORKER_CONCURRENCY,
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

/** One step of a job: its stage's handler. Returns the step the handler left to this job, if any. */
async function runStep(step: NextStep, ctx: StageContext): Promise<NextStep | undefined> {
  const handler = HANDLERS[step.stage] as { run(p: unknown, c: StageContext): Promise<NextStep | void>; onFinalFailure(p: unknown, e: Error, c: StageContext): Promise<void> };
  const delay = ctx.config.faultDelays[step.stage];
  if (delay) {
    // fault injection (dev mode only); the line tells a test the step has begun
    ctx.log.warn({ delayMs: delay }, 'fault delay: step held');
    await new Promise((r) => setTimeout(r, delay));
  }
  const started = process.hrtime.bigint();
  try {
    return (await handler.run(step.payload, ctx)) ?? undefined;
  } catch (err) {
    // Waiting without spending an attempt (ctx.waitWithoutAttempt) is no failure.
    if (err instanceof DelayedError) throw err;
    const error = err instanceof Error ? err : new Error(String(err));
    const permanent = error instanceof PermanentStageError;
    ctx.log.warn({ err: error, attempt: ctx.attempt, permanent }, 'stage attempt failed');
    if (permanent || ctx.lastAttempt) {
      await handler.onFinalFailure(step.payload, error, ctx);
      throw new UnrecoverableError(error.message);
    }
    throw error;
  } finally {
    observeStage(step.stage, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
