/**
 * Queue and job names.
 *
 * WARNING: these strings are a wire format. They are stored in Redis (queue keys, job ids) and in
 * the `outbox.topic` column. Renaming one strands the jobs already queued under the old name:
 * add a new name and migrate instead.
 */
export const Stage = {
  convert: 'convert',
  sign: 'sign',
  route: 'route',
  deliver: 'deliver',
  /** A status recorded on a dispatch, forwarded to a push-channel sender as a signed webhook. */
  notify: 'notify',
} as const;
export type Stage = (typeof Stage)[keyof typeof Stage];

export const STAGES: readonly Stage[] = [Stage.convert, Stage.sign, Stage.route, Stage.deliver, Stage.notify];

/** One BullMQ queue per stage, so stages scale and fail independently. */
export const QUEUE_PREFIX = 'lienthong';

export function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}

/**
 * The reports queue (not a pipeline stage: the quarterly report runs on a schedule). Wire format as
 * above: the queue name, the scheduler ids and the job name are stored in Redis; renaming one strands
 * the scheduler registered under the old name (remove it with removeJobScheduler).
 */
export const REPORTS_QUEUE = 'reports';
export const QUARTERLY_REPORT_JOB = 'quarterly-report';
export const QUARTERLY_REPORT_SCHEDULER = 'quarterly-report-due';
export const QUARTERLY_FINAL_SCHEDULER = 'quarterly-report-final';

/** Every BullMQ queue the workers run: the stage queues and the reports queue (queue-depth metrics). */
export const ALL_QUEUES: readonly string[] = [...STAGES, REPORTS_QUEUE];
