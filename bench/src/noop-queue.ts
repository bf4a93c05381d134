import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';

/**
 * The queue's own ceiling: no-op jobs through the same Redis, added in bulk and taken by one
 * worker at the stage workers' deliver concurrency. Jobs per second from first add to last done.
 */
export async function noopJobRate(redisUrl: string, jobs: number, concurrency = 16): Promise<number> {
  const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = 'bench-noop';
  const name = `noop-${Date.now()}`;
  const queue = new Queue(name, { connection, prefix });
  let done = 0;
  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((r) => (finish = r));
  const workerConnection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker(name, async () => undefined, { connection: workerConnection, prefix, concurrency });
  worker.on('completed', () => ++done === jobs && finish());
  await worker.waitUntilReady();
  const started = performance.now();
  for (let i = 0; i < jobs; i += 500) {
    const batch = Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({ name: 'noop', data: { n: i + k }, opts: { removeOnComplete: true } }));
    await queue.addBulk(batch);
  }
  await allDone;
  const rate = jobs / ((performance.now() - started) / 1000);
  await worker.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await Promise.all([connection.quit(), workerConnection.quit()]);
  return rate;
}
