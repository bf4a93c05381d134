import IORedis, { Cluster, type RedisOptions } from 'ioredis';
import { logger } from '../logging/logger';
import { describeRedisTarget, redisTargetOf, type RedisSettings, type RedisTarget } from './redis-target';

const log = logger('redis');

/**
 * Options that keep a connection alive across a Sentinel failover or a dead peer:
 * - retryStrategy never gives up (a failover takes seconds; a worker must wait, not exit);
 * - a socket that owes a reply and hears nothing for socketTimeout is destroyed and reconnected
 *   (a master that vanished without a RST would otherwise hold a blocked BullMQ worker forever);
 *   it exceeds BullMQ's longest blocking read (drainDelay, 5 s) with a wide margin;
 * - READONLY (a client still talking to the demoted master) reconnects and resends the command;
 * - through Sentinel, the sentinels are asked for the master on every reconnect, and
 *   failoverDetector listens to their +switch-master to move at once.
 */
const COMMON: RedisOptions = {
  retryStrategy: (n) => Math.min(200 * n, 2_000),
  reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
  keepAlive: 10_000,
  connectTimeout: 5_000,
};

function optionsFor(role: 'worker' | 'producer'): RedisOptions {
  // Workers need `maxRetriesPerRequest: null` (BullMQ blocks on Redis and must not give up);
  // producers fail fast instead, so a relay that cannot reach Redis leaves the outbox row for later.
  return role === 'worker'
    ? { ...COMMON, maxRetriesPerRequest: null, enableReadyCheck: true, socketTimeout: 30_000 }
    : { ...COMMON, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 3_000, socketTimeout: 10_000 };
}

/**
 * A Redis connection by URL (a string), or by the configuration: Sentinel, Cluster or URL.
 * A Cluster client is returned under the IORedis type: BullMQ takes either, and the service's own
 * commands (INCR/EXPIRE on one key, PING) behave the same on both.
 */
export function createRedis(source: string | RedisSettings | RedisTarget, role: 'worker' | 'producer'): IORedis {
  const target: RedisTarget = typeof source === 'string' ? { kind: 'url', url: source } : 'kind' in source ? source : redisTargetOf(source);
  const opts = optionsFor(role);
  let redis: IORedis;
  if (target.kind === 'url') {
    redis = new IORedis(target.url, opts);
  } else if (target.kind === 'sentinel') {
    redis = new IORedis({
      ...opts,
      sentinels: target.sentinels,
      name: target.masterName,
      role: 'master',
      password: target.password,
      sentinelPassword: target.password,
      sentinelRetryStrategy: (n) => Math.min(200 * n, 2_000),
      failoverDetector: true,
    });
  } else {
    redis = new Cluster(target.nodes, {
      clusterRetryStrategy: (n) => Math.min(200 * n, 2_000),
      enableOfflineQueue: true, // until the slots are known, commands wait rather than fail
      redisOptions: { ...opts, password: target.password },
    }) as unknown as IORedis;
  }
  redis.on('error', (err: Error) => log.debug({ err, role, redis: describeRedisTarget(target) }, 'redis connection error'));
  return redis;
}
