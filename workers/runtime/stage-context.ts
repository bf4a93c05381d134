import type { JobPayload, Stage } from '../../contracts';
import type { Config } from '../../services/config/config';
import type { Db } from '../../services/db/pool';
import type { Logger } from '../../services/logging/logger';
import type { CarriedMove, NextStep } from './stage-chain';

export interface StageContext {
  db: Db;
  config: Config;
  log: Logger;
  /** 1 on the first try. */
  attempt: number;
  /** True when this is the last attempt BullMQ will make. */
  lastAttempt: boolean;
  /**
   * The stages this step may run after itself, in the same job, instead of writing their outbox
   * rows (stage-chain.ts). Absent or empty: every following stage goes through the outbox.
   */
  chains?: ReadonlySet<Stage>;
  /** The earlier steps' uncommitted move, when this step runs right after them in the same job (stage-chain.ts). */
  carried?: CarriedMove;
  /**
   * Puts this job back to wait `ms` without spending an attempt (BullMQ's moveToDelayed with the
   * job's lock token, then DelayedError): attemptsMade and the backoff stay as they were. For a
   * step that must wait for something else, not for a failure of its own. Never returns. Absent
   * when a step runs outside a BullMQ job (a direct call).
   */
  waitWithoutAttempt?: (ms: number) => Promise<never>;
}

export type StageHandler<S extends Stage> = {
  /** Returns the next step when the handler left it to this job (a stage in ctx.chains). */
  run(payload: JobPayload<S>, ctx: StageContext): Promise<NextStep | void>;
  /** Called once when the job will not be tried again: record the failure, never drop it silently. */
  onFinalFailure(payload: JobPayload<S>, error: Error, ctx: StageContext): Promise<void>;
};

/** A failure that no retry can fix (a broken PDF, no certificate): fail now, record why. */
export class PermanentStageError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'PermanentStageError';
  }
}
