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

/**
 * True once a worker's output shows `stage`'s step for the document held by a fault delay
 * (LIENTHONG_FAULT_DELAY: the step logs "fault delay: step held" as it begins, with its stage and
 * document in the line): the step is running, whether in its own job or chained into an earlier
 * stage's (workers/runtime/stage-chain.ts), and whatever the document's status shows meanwhile.
 */
export function stepHeld(output: string, stage: string, documentId: string): boolean {
  for (const line of output.split('\n')) {
    if (!line.includes('fault delay: step held') || !line.includes(documentId)) continue;
    try {
      const l = JSON.parse(line) as { msg?: string; stage?: string; documentId?: string };
      if (l.msg === 'fault delay: step held' && l.stage === stage && l.documentId === documentId) return true;
    } catch {
      // not a log line
    }
  }
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
