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
