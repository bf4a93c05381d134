import { Queue } from 'bullmq';
import IORedis from 'ioredis';
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

/** Jobs still waiting, running or delayed in any stage: after a drill settles this must be 0. */
export async function unfinishedJobs(redisUrl: string, prefix: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const stage of STAGES) {
    const c = await withQueue(redisUrl, prefix, stage, (q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children'));
    out[stage] = Object.values(c).reduce((a, b) => a + b, 0);
  }
  return out;
}
