import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { Queryable } from '../../services/db/pool';
import { STAGES } from '../../contracts';

async function withQueue<T>(redisUrl: string, prefix: string, stage: string, fn: (q: Queue) => Promise<T>): Promise<T> {
  const conn = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  const q = new Queue(stage, { connection: conn, prefix });
  try {
    return await fn(q);
  } finally {
    await q.close();
    await conn.quit();
  }
}

/** True while a job of `stage` for the document is running (a fault can then hit it mid-job). */
export function activeJobOf(redisUrl: string, prefix: string, stage: string, documentId: string): Promise<boolean> {
  return withQueue(redisUrl, prefix, stage, async (q) => (await q.getActive()).some((j) => (j.data as { documentId?: string }).documentId === documentId));
}

/** The stages whose jobs run `stage`'s step themselves (workers/runtime/stage-chain.ts), and the document status that step works on. */
const CHAINED_INTO: Record<string, { jobs: string[]; status: string }> = {
  sign: { jobs: ['convert'], status: 'converted' },
  route: { jobs: ['convert', 'sign'], status: 'signed' },
  deliver: { jobs: ['convert', 'sign', 'route'], status: 'routed' },
};

/**
 * True while a step of `stage` for the document is running: its own job, or (stage chaining) a
 * job of an earlier stage that has reached that step — active while the document is in the status
 * the step works on (a fault delay on the step holds it there).
 */
export async function stepRunningOf(redisUrl: string, prefix: string, db: Queryable, stage: string, documentId: string): Promise<boolean> {
  if (await activeJobOf(redisUrl, prefix, stage, documentId)) return true;
  const chained = CHAINED_INTO[stage];
  if (!chained) return false;
  const status = (await db.query<{ status: string }>(`SELECT status FROM documents WHERE id = $1`, [documentId])).rows[0]?.status;
  if (status !== chained.status) return false;
  for (const job of chained.jobs) if (await activeJobOf(redisUrl, prefix, job, documentId)) return true;
  return false;
}

/** Jobs still waiting, running or delayed in any stage: after a drill settles this must be 0. */
export async function unfinishedJobs(redisUrl: string, prefix: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const stage of STAGES) {
    const c = await withQueue(redisUrl, prefix, stage, (q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children'));
    out[stage] = Object.values(c).reduce((a, b) => a + b, 0);
  }
  return out;
}
