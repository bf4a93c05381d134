import fs from 'node:fs';
import path from 'node:path';
import IORedis from 'ioredis';
import { findOnPath } from '../embedded/common';
import { freePort } from '../embedded/free-port';
import { startDaemon, waitUntil, type Daemon } from './daemon';

export const MASTER_NAME = 'lienthong';

/** Redis master + replica watched by 3 Sentinels (quorum 2), each in its own folder and port. */
export interface SentinelGroup {
  nodes: { port: number; daemon: Daemon; dir: string }[];
  sentinels: { port: number; daemon: Daemon }[];
  sentinelList: string;
  /** The master's port as the sentinels see it now. */
  masterPort(): Promise<number>;
  /** Kills (-9) the node that is master now; returns its port. */
  killMaster(): Promise<number>;
  /** Starts a killed node again, as a replica of the current master. */
  restartNode(port: number): Promise<void>;
  stop(): Promise<void>;
}

function redisBin(): string {
  const bin = findOnPath('redis-server');
  if (!bin) throw new Error('redis-server not found; run `bash infra/scripts/ensure-system-deps.sh --cluster`');
  return bin;
}

function startNode(dir: string, port: number, replicaOf?: number): Daemon {
  fs.mkdirSync(dir, { recursive: true });
  const conf = [
    'bind 127.0.0.1', `port ${port}`, `dir ${dir}`, 'daemonize no', 'appendonly yes', 'appendfsync everysec',
    'maxmemory-policy noeviction', 'save ""', 'replica-read-only yes',
    ...(replicaOf ? [`replicaof 127.0.0.1 ${replicaOf}`] : []),
  ];
  fs.writeFileSync(path.join(dir, 'redis.conf'), conf.join('\n') + '\n');
  return startDaemon(`redis:${port}`, redisBin(), [path.join(dir, 'redis.conf')], path.join(dir, 'redis.log'), { cwd: dir });
}

const ping = async (port: number): Promise<boolean> => {
  const r = new IORedis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } finally {
    r.disconnect();
  }
};

export async function startSentinelGroup(root: string, opts: { downAfterMs?: number } = {}): Promise<SentinelGroup> {
  const masterPort = await freePort();
  const replicaPort = await freePort();
  const nodes = [
    { port: masterPort, dir: path.join(root, `redis-${masterPort}`), daemon: startNode(path.join(root, `redis-${masterPort}`), masterPort) },
  ];
  await waitUntil('the Redis master', () => ping(masterPort), 30_000, nodes[0]!.daemon);
  nodes.push({ port: replicaPort, dir: path.join(root, `redis-${replicaPort}`), daemon: startNode(path.join(root, `redis-${replicaPort}`), replicaPort, masterPort) });
  await waitUntil('the Redis replica', () => ping(replicaPort), 30_000, nodes[1]!.daemon);
  const sentinels: SentinelGroup['sentinels'] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const dir = path.join(root, `sentinel-${port}`);
    fs.mkdirSync(dir, { recursive: true });
    const conf = [
      'bind 127.0.0.1', `port ${port}`, `dir ${dir}`, 'daemonize no', 'sentinel resolve-hostnames no',
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${MASTER_NAME} ${opts.downAfterMs ?? 2000}`,
      `sentinel failover-timeout ${MASTER_NAME} 10000`,
      `sentinel parallel-syncs ${MASTER_NAME} 1`,
    ];
    // Sentinel rewrites its own file (it records the replicas and the other sentinels there).
    fs.writeFileSync(path.join(dir, 'sentinel.conf'), conf.join('\n') + '\n');
    const daemon = startDaemon(`sentinel:${port}`, redisBin(), [path.join(dir, 'sentinel.conf'), '--sentinel'], path.join(dir, 'sentinel.log'), { cwd: dir });
    sentinels.push({ port, daemon });
  }
  for (const s of sentinels) await waitUntil(`sentinel ${s.port}`, () => ping(s.port), 30_000, s.daemon);

  const group: SentinelGroup = {
    nodes,
    sentinels,
    sentinelList: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
    async masterPort() {
      for (const s of sentinels) {
        if (!s.daemon.alive()) continue;
        const r = new IORedis({ port: s.port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
        r.on('error', () => undefined);
        try {
          const addr = (await r.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as [string, string] | null;
          if (addr) return Number(addr[1]);
        } catch {
          /* ask the next one */
        } finally {
          r.disconnect();
        }
      }
      throw new Error('no sentinel knows the master');
    },
    async killMaster() {
      const port = await group.masterPort();
      nodes.find((n) => n.port === port)!.daemon.kill('SIGKILL');
      return port;
    },
    async restartNode(port) {
      const node = nodes.find((n) => n.port === port)!;
      const master = await group.masterPort();
      node.daemon = startNode(node.dir, port, master === port ? undefined : master);
      await waitUntil(`redis ${port} back`, () => ping(port), 30_000, node.daemon);
    },
    async stop() {
      await Promise.all(sentinels.map((s) => s.daemon.stop(5_000)));
      await Promise.all(nodes.map((n) => n.daemon.stop(10_000)));
    },
  };
  return group;
}
