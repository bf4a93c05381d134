import { z } from 'zod';

/**
 * The configuration that lets the service run past one machine (README.md § Running past one
 * machine): Redis through Sentinel or as a Cluster, PostgreSQL behind PgBouncer in transaction mode.
 * Kept apart from config.ts so the engines' knobs read as one concept.
 */
const hostPorts = z
  .string()
  .regex(/^[A-Za-z0-9.\-_:[\]]+:\d+(,[A-Za-z0-9.\-_:[\]]+:\d+)*$/, 'host:port[,host:port…]');
const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

export const clusterSchema = {
  /** Sentinels to ask for the current Redis master: `host:port,host:port,…`. */
  LIENTHONG_REDIS_SENTINELS: hostPorts.optional(),
  /** The master's name as the sentinels know it (`sentinel monitor NAME …`). */
  LIENTHONG_REDIS_MASTER_NAME: z.string().regex(/^[A-Za-z0-9._-]+$/).default('lienthong'),
  /** Redis Cluster seed nodes: `host:port,host:port,…`; queue keys then carry a hash tag. */
  LIENTHONG_REDIS_CLUSTER: hostPorts.optional(),
  /** Password of the Redis data nodes (and of the sentinels) when reached through Sentinel or Cluster. */
  LIENTHONG_REDIS_PASSWORD: z.string().optional(),
  /**
   * Named (server-side prepared) statements per connection. Set 0 behind PgBouncer in transaction
   * mode before 1.21 (a statement prepared on one server connection is unknown on the next).
   */
  LIENTHONG_DB_PREPARED_STATEMENTS: bool.default(true),
  /**
   * A PostgreSQL URL with session semantics (PostgreSQL itself, or a session-mode pool) for what a
   * transaction pooler cannot carry: LISTEN for the outbox relay and live events, the migrations'
   * session lock. Default: DATABASE_URL.
   */
  LIENTHONG_DATABASE_SESSION_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/).optional(),
};

type ClusterFields = {
  REDIS_URL?: string;
  LIENTHONG_REDIS_SENTINELS?: string;
  LIENTHONG_REDIS_CLUSTER?: string;
  LIENTHONG_QUEUE_PREFIX: string;
};

/** A sentence when the Redis settings contradict each other; undefined when they are sound. */
export function checkClusterConfig(c: ClusterFields): string | undefined {
  const ways = [c.REDIS_URL, c.LIENTHONG_REDIS_SENTINELS, c.LIENTHONG_REDIS_CLUSTER].filter(Boolean).length;
  if (c.LIENTHONG_REDIS_SENTINELS && c.LIENTHONG_REDIS_CLUSTER) {
    return 'LIENTHONG_REDIS_SENTINELS and LIENTHONG_REDIS_CLUSTER exclude each other: Redis is reached one way.';
  }
  if (ways === 0) return 'Redis is not configured: set REDIS_URL, LIENTHONG_REDIS_SENTINELS or LIENTHONG_REDIS_CLUSTER.';
  return undefined;
}

/**
 * BullMQ runs multi-key Lua scripts on a queue's keys, which a Redis Cluster allows only within one
 * hash slot: on a Cluster every queue key must share a hash tag, so a bare prefix becomes `{prefix}`.
 */
export function clusterQueuePrefix(c: ClusterFields): string {
  const p = c.LIENTHONG_QUEUE_PREFIX;
  return c.LIENTHONG_REDIS_CLUSTER && !p.startsWith('{') ? `{${p}}` : p;
}
