/**
 * Where Redis is: one URL, a Sentinel group naming the master, or a Redis Cluster. Read from the
 * configuration (README.md § Running past one machine); createRedis connects to it.
 */
export interface HostPort {
  host: string;
  port: number;
}

export type RedisTarget =
  | { kind: 'url'; url: string }
  | { kind: 'sentinel'; sentinels: HostPort[]; masterName: string; password?: string }
  | { kind: 'cluster'; nodes: HostPort[]; password?: string };

export interface RedisSettings {
  REDIS_URL?: string;
  LIENTHONG_REDIS_SENTINELS?: string;
  LIENTHONG_REDIS_MASTER_NAME?: string;
  LIENTHONG_REDIS_CLUSTER?: string;
  LIENTHONG_REDIS_PASSWORD?: string;
}

export function parseHostPorts(list: string): HostPort[] {
  return list.split(',').map((item) => {
    const i = item.lastIndexOf(':');
    return { host: item.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(item.slice(i + 1)) };
  });
}

/** Sentinel first, then Cluster, then the URL (a URL left in the environment does not win). */
export function redisTargetOf(s: RedisSettings): RedisTarget {
  const password = s.LIENTHONG_REDIS_PASSWORD || undefined;
  if (s.LIENTHONG_REDIS_SENTINELS) {
    return { kind: 'sentinel', sentinels: parseHostPorts(s.LIENTHONG_REDIS_SENTINELS), masterName: s.LIENTHONG_REDIS_MASTER_NAME ?? 'lienthong', password };
  }
  if (s.LIENTHONG_REDIS_CLUSTER) return { kind: 'cluster', nodes: parseHostPorts(s.LIENTHONG_REDIS_CLUSTER), password };
  if (!s.REDIS_URL) throw new Error('Redis is not configured: set REDIS_URL, LIENTHONG_REDIS_SENTINELS or LIENTHONG_REDIS_CLUSTER');
  return { kind: 'url', url: s.REDIS_URL };
}

/** For logs: where this process connects, without a password. */
export function describeRedisTarget(t: RedisTarget): string {
  if (t.kind === 'url') return t.url.replace(/\/\/[^@/]*@/, '//***@');
  const list = (t.kind === 'sentinel' ? t.sentinels : t.nodes).map((h) => `${h.host}:${h.port}`).join(',');
  return t.kind === 'sentinel' ? `sentinel ${t.masterName} via ${list}` : `cluster ${list}`;
}
