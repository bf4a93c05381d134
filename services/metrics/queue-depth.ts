import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { Gauge, Registry } from 'prom-client';
import { ALL_QUEUES } from '../../contracts';
import { logger } from '../logging/logger';

const log = logger('metrics');

export interface QueueDepth {
  queue: string;
  counts: Record<string, number>;
}

/** Whatever can tell the depth of the queues: injected, so the metrics need no Redis of their own. */
export type QueueDepthGetter = () => Promise<QueueDepth[]>;

const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'paused', 'waiting-children'] as const;

export function createQueueDepthRegistry(getter: QueueDepthGetter): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'lienthong_queue_depth',
    help: 'Jobs in each BullMQ queue by state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const q of await getter()) for (const [state, n] of Object.entries(q.counts)) this.set({ queue: q.queue, state }, n);
      } catch (err) {
        // Redis down: the scrape still answers; the missing series is the signal.
        log.warn({ err }, 'queue depth unavailable');
      }
    },
  });
  return registry;
}

/**
 * A getter over the stage queues and the reports queue, on an existing connection. The Queue
 * objects are made on first use and share the connection, so they hold nothing to close.
 */
export function stageQueueDepth(connection: IORedis, prefix: string, names: readonly string[] = ALL_QUEUES): QueueDepthGetter {
  let queues: Queue[] | undefined;
  return async () => {
    queues ??= names.map((name) => {
      const q = new Queue(name, { connection, prefix });
      q.on('error', (err) => log.debug({ err, queue: name }, 'queue connection error'));
      return q;
    });
    return Promise.all(queues.map(async (q) => ({ queue: q.name, counts: await q.getJobCounts(...STATES) })));
  };
}
