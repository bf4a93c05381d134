import { z } from 'zod';
import { Stage } from './queues';

/**
 * Job payloads are pointers: ids only. Workers reload the rows from PostgreSQL, the source of truth.
 * Every payload is parsed with its schema when a worker picks the job up; a payload that does not
 * parse fails at once, without retries.
 */
const uuid = z.string().uuid();

export const DocumentJob = z.object({ documentId: uuid }).strict();
export type DocumentJob = z.infer<typeof DocumentJob>;

export const DispatchJob = z.object({ documentId: uuid, dispatchId: uuid }).strict();
export type DispatchJob = z.infer<typeof DispatchJob>;

/**
 * Every open copy of the document on the hosted channel, delivered by one job and one statement
 * (record_hosted_outcomes(), migration 0089). The route stage writes one per document with hosted
 * recipients; push, relay, axis and paper copies get a DispatchJob each. A DispatchJob of a hosted
 * copy (an operator's retry) delivers that copy alone.
 */
export const HostedDeliveryJob = z.object({ documentId: uuid, hosted: z.literal(true) }).strict();
export type HostedDeliveryJob = z.infer<typeof HostedDeliveryJob>;

/** The deliver stage's payload: one copy, or a document's hosted copies. */
export const DeliverJob = z.union([DispatchJob, HostedDeliveryJob]);
export type DeliverJob = z.infer<typeof DeliverJob>;

export function isHostedDeliveryJob(p: DeliverJob): p is HostedDeliveryJob {
  return 'hosted' in p;
}

/**
 * One dispatch_events row (a status on a dispatch's timeline) to forward: to the sender's system
 * (the default), or — a take-back or revoke (13) — to a push recipient's system (`to: 'recipient'`).
 */
export const StatusEventJob = z.object({ eventId: z.number().int().positive(), to: z.literal('recipient').optional() }).strict();
export type StatusEventJob = z.infer<typeof StatusEventJob>;

export const JobPayloadSchemas = {
  [Stage.convert]: DocumentJob,
  [Stage.sign]: DocumentJob,
  [Stage.route]: DocumentJob,
  [Stage.deliver]: DeliverJob,
  [Stage.notify]: StatusEventJob,
} as const satisfies Record<Stage, z.ZodType>;

export type JobPayload<S extends Stage> = z.infer<(typeof JobPayloadSchemas)[S]>;

/**
 * Deterministic job ids make enqueueing idempotent: adding a job whose id already exists is a
 * no-op in BullMQ, so the outbox relay and the sweeper can re-publish freely.
 * BullMQ forbids ':' in custom ids (it is its key separator).
 */
export function jobIdFor<S extends Stage>(stage: S, payload: JobPayload<S>): string {
  if (stage === Stage.deliver) {
    const p = payload as DeliverJob;
    // deliver-<dispatchId> for one copy, deliver-hosted-<documentId> for a document's hosted copies.
    return isHostedDeliveryJob(p) ? `${stage}-hosted-${p.documentId}` : `${stage}-${p.dispatchId}`;
  }
  if (stage === Stage.notify) {
    const p = payload as StatusEventJob;
    return p.to === 'recipient' ? `${stage}-${p.eventId}-recipient` : `${stage}-${p.eventId}`;
  }
  return `${stage}-${(payload as DocumentJob).documentId}`;
}
