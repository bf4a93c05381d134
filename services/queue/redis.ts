import IORedis, { type RedisOptions } from 'ioredis';
import { logger } from '../logging/logger';

const log = logger('redis');

/**
 * Workers need `maxRetriesPerRequest: null` (BullMQ blocks on Redis and must not give up);
 * producers fail fast instead, so a relay that cannot reach Redis leaves the outbox row for later.
 */
export function createRedis(url: string, role: 'worker' | 'producer'): IORedis {
  const opts: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 3_000 };
  const redis = new IORedis(url, { ...opts, retryStrategy: (n) => Math.min(200 * n, 2_000) });
  redis.on('error', (err) => log.debug({ err: err.message, role }, 'redis connection error'));
  return redis;
}
