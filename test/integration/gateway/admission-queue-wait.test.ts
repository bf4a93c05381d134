import { expect } from 'chai';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { oldestWaitingPerQueue } from '../../../services/gateway/admission/queue-wait';
import { testEnv, uniqueTag } from '../../support/test-env';

describe('admission: how long jobs wait in each queue, read from Redis as BullMQ keeps it', function () {
  this.timeout(60_000);
  let redis: IORedis;
  let prefix: string;
  const queues: Queue[] = [];

  before(() => {
    redis = new IORedis(testEnv().redisUrl, { maxRetriesPerRequest: null });
    prefix = `lt-wait-${uniqueTag()}`;
  });
  after(async () => {
    for (const q of queues) await q.obliterate({ force: true }).catch(() => undefined);
    await Promise.all(queues.map((q) => q.close()));
    redis.disconnect();
  });
  const queue = (name: string) => {
    const q = new Queue(name, { connection: redis, prefix });
    queues.push(q);
    return q;
  };

  it('when queues are empty, then nothing waits', async () => {
    const [convert] = await oldestWaitingPerQueue(redis, prefix, ['convert']);
    expect(convert).to.deep.equal({ queue: 'convert', waiting: 0, active: 0, oldestTimestamp: null, added: 0 });
  });

  it('when jobs of several priorities and plain jobs wait, then the oldest of them all is found, not the next to run, and prioritized adds are counted', async () => {
    const sign = queue('sign');
    const first = await sign.add('sign', { n: 1 }, { priority: 10 });
    await sign.add('sign', { n: 2 }, { priority: 10 });
    await new Promise((r) => setTimeout(r, 20));
    // A flash job runs next but has waited least; the oldest normal job is what the delay is.
    await sign.add('sign', { n: 3 }, { priority: 1 });
    const plain = queue('route');
    const p1 = await plain.add('route', { n: 1 });
    await plain.add('route', { n: 2 });
    const [s, r] = await oldestWaitingPerQueue(redis, prefix, ['sign', 'route']);
    expect(s).to.deep.equal({ queue: 'sign', waiting: 3, active: 0, oldestTimestamp: first.timestamp, added: 3 });
    expect(r).to.deep.equal({ queue: 'route', waiting: 2, active: 0, oldestTimestamp: p1.timestamp, added: 0 });
  });

  it('when a job that was started is put back (retry, stall), then its first-added time is passed over and it counts as active while held', async () => {
    const deliver = queue('deliver');
    const old = await deliver.add('deliver', { n: 1 }, { priority: 10 });
    await new Promise((r) => setTimeout(r, 20));
    const younger = await deliver.add('deliver', { n: 2 }, { priority: 10 });
    // A worker without a processor takes the oldest job by hand, as a stage worker would.
    const connection = new IORedis(testEnv().redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker('deliver', null, { connection, prefix, autorun: false });
    try {
      const token = 'admission-test';
      const held = await worker.getNextJob(token, { block: false });
      expect(held?.id).to.equal(old.id);
      const [whileHeld] = await oldestWaitingPerQueue(redis, prefix, ['deliver']);
      expect(whileHeld).to.deep.equal({ queue: 'deliver', waiting: 1, active: 1, oldestTimestamp: younger.timestamp, added: 2 });
      // Back into the prioritized set at the head of its band, with one attempt started.
      await held!.moveToWait(token);
      expect(await redis.zrange(`${prefix}:deliver:prioritized`, 0, 0), 'BullMQ puts it back first in its band').to.deep.equal([old.id]);
      const [afterRetry] = await oldestWaitingPerQueue(redis, prefix, ['deliver']);
      expect(afterRetry!.waiting).to.equal(2);
      expect(afterRetry!.oldestTimestamp).to.equal(younger.timestamp);
    } finally {
      await worker.close();
      connection.disconnect();
    }
  });
});
