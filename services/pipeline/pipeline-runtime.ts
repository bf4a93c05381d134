import type IORedis from 'ioredis';
import type { Db } from '../db/pool';
import { OutboxRelay } from './outbox-relay';
import { createStageQueues, type StageQueues } from './stage-queues';
import { startSweeper, type SweepChores } from './sweeper';

export interface PipelineSettings {
  /** The BullMQ key prefix of every queue (LIENTHONG_QUEUE_PREFIX). */
  queuePrefix: string;
  /** A session URL for the relay's LISTEN (LIENTHONG_DATABASE_SESSION_URL, else DATABASE_URL). */
  sessionUrl: string;
  relayPollMs: number;
  sweepIntervalMs: number;
  sweepAgeMs: number;
  /** How long published outbox rows are kept (LIENTHONG_OUTBOX_RETENTION_MS); 0 keeps them. */
  outboxRetentionMs?: number;
}

export interface PipelineRuntime {
  queues: StageQueues;
  relay: OutboxRelay;
  /** Stopped first at shutdown (nothing re-published while the stage workers finish); stop() stops it too. */
  sweeper: { stop(): void };
  /** Stops the sweeper and the relay, then closes the stage queues (the connection stays the caller's). */
  stop(): Promise<void>;
}

/**
 * The queue wiring every worker process runs beside its stage workers: the stage queues on the
 * producer connection, the outbox relay that feeds them, and the sweeper that re-publishes what was
 * lost. Relay and sweeper are safe to run in many processes at once. The domain's chores reach the
 * sweeper by injection (services/domain/sweep-chores.ts), so the pipeline never imports the domain.
 */
export async function startPipeline(db: Db, producer: IORedis, settings: PipelineSettings, chores: SweepChores): Promise<PipelineRuntime> {
  const queues = createStageQueues(producer, settings.queuePrefix);
  const relay = new OutboxRelay(db, settings.sessionUrl, queues, settings.relayPollMs);
  await relay.start();
  const sweeper = startSweeper(db, queues, settings.sweepIntervalMs, settings.sweepAgeMs, chores, settings.outboxRetentionMs ?? 0);
  return {
    queues,
    relay,
    sweeper,
    async stop() {
      sweeper.stop();
      await relay.stop();
      await queues.close();
    },
  };
}
