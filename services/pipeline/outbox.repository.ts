import type { JobPayload, Stage } from '../../contracts';
import type { Queryable } from '../db/pool';

export interface OutboxMessage<S extends Stage = Stage> {
  stage: S;
  payload: JobPayload<S>;
  /** BullMQ priority: 0 none, lower numbers first. Urgent documents jump the queue. */
  priority?: number;
}

/**
 * The outbox rows of `messages` as three parallel arrays (topic, payload as JSON text, priority):
 * the parameters of `INSERT INTO outbox … SELECT * FROM unnest($t::text[], $p::jsonb[], $n::int[])`,
 * here and in statements that write the outbox together with the state it announces.
 */
export function outboxColumns(messages: OutboxMessage[]): [string[], string[], number[]] {
  return [messages.map((m) => m.stage), messages.map((m) => JSON.stringify(m.payload)), messages.map((m) => m.priority ?? 0)];
}

/** Written in the same transaction as the state it announces; the relay publishes it. */
export async function addToOutbox(tx: Queryable, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await tx.query(
    `INSERT INTO outbox (topic, payload, priority)
     SELECT * FROM unnest($1::text[], $2::jsonb[], $3::int[])`,
    outboxColumns(messages),
  );
}
