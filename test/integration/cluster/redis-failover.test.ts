import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { run } from '../../../infra/embedded/common';
import { freePort } from '../../../infra/embedded/free-port';
import { startDaemon, waitUntil, type Daemon } from '../../../infra/cluster/daemon';
import { MASTER_NAME, startSentinelGroup, type SentinelGroup } from '../../../infra/cluster/redis-sentinel-group';
import { loadConfig } from '../../../services/config/config';
import { createRedis } from '../../../services/pipeline/redis';

const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-redis-ha-'));
  fs.chmodSync(d, 0o755);
  return d;
};

/** Resolves with the ids the worker processes, as they come. */
function collect(worker: Worker): string[] {
  const seen: string[] = [];
  worker.on('completed', (job) => seen.push(job.id!));
  return seen;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  await waitUntil(what, async () => check(), timeoutMs);
}

describe('Redis past one machine: Sentinel failover and Redis Cluster', function () {
  this.timeout(180_000);

  describe('when the Redis master is killed under a BullMQ worker connected through Sentinel', () => {
    let dir: string;
    let group: SentinelGroup;
    before(async () => {
      dir = tmp();
      group = await startSentinelGroup(dir);
    });
    after(async () => {
      await group?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('then Sentinel promotes the replica and the same worker and producer carry on, without a restart', async () => {
      const config = loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x', LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: 'ab'.repeat(32), LIENTHONG_REDIS_SENTINELS: group.sentinelList, LIENTHONG_REDIS_MASTER_NAME: MASTER_NAME });
      const workerConn = createRedis(config, 'worker');
      const producerConn = createRedis(config, 'worker');
      const queue = new Queue('ha', { connection: producerConn, prefix: 'lt-ha' });
      const worker = new Worker('ha', async () => 'ok', { connection: workerConn, prefix: 'lt-ha', stalledInterval: 1_000, lockDuration: 2_000 });
      worker.on('error', () => undefined);
      const done = collect(worker);
      try {
        await queue.add('j', {}, { jobId: 'before' });
        await until('the first job', () => done.includes('before'));
        const old = await group.killMaster();
        await until('a new master', async () => (await group.masterPort().catch(() => old)) !== old);
        // The producer's add waits for the reconnection to the new master (retried, not lost).
        await queue.add('j', {}, { jobId: 'after' });
        await until('the job added after the failover', () => done.includes('after'), 90_000);
        expect(done).to.include.members(['before', 'after']);
        expect(await group.masterPort()).to.not.equal(old);
      } finally {
        await worker.close();
        await queue.close();
        workerConn.disconnect();
        producerConn.disconnect();
      }
    });
  });

  describe('when the queues live on a Redis Cluster', () => {
    let dir: string;
    const nodes: Daemon[] = [];
    const ports: number[] = [];
    before(async () => {
      dir = tmp();
      for (let i = 0; i < 3; i++) {
        const port = await freePort();
        const d = path.join(dir, String(port));
        fs.mkdirSync(d);
        ports.push(port);
        nodes.push(startDaemon(`redis-cluster:${port}`, 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', path.join(d, 'nodes.conf'), '--dir', d, '--save', '', '--appendonly', 'no'], path.join(d, 'redis.log'), { cwd: d }));
      }
      await new Promise((r) => setTimeout(r, 500));
      const res = await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
      if (res.code !== 0) throw new Error(`redis-cli --cluster create failed: ${res.output}`);
      await until('the cluster ok', async () => (await run('redis-cli', ['-p', String(ports[0]), 'cluster', 'info'])).output.includes('cluster_state:ok'));
    });
    after(async () => {
      await Promise.all(nodes.map((n) => n.stop(5_000)));
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('then the queue prefix carries a hash tag and BullMQ jobs go through', async () => {
      const config = loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x', LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: 'ab'.repeat(32), LIENTHONG_REDIS_CLUSTER: ports.map((p) => `127.0.0.1:${p}`).join(','), LIENTHONG_QUEUE_PREFIX: 'lt-cl' });
      expect(config.LIENTHONG_QUEUE_PREFIX).to.equal('{lt-cl}');
      const conn = createRedis(config, 'worker');
      // BullMQ does not close a connection it was given: each is disconnected below, or its Cluster
      // client would reconnect forever once the nodes stop, and hold the test run open.
      const workerConn = createRedis(config, 'worker');
      const queue = new Queue('convert', { connection: conn, prefix: config.LIENTHONG_QUEUE_PREFIX });
      const worker = new Worker('convert', async (job) => `done ${job.id}`, { connection: workerConn, prefix: config.LIENTHONG_QUEUE_PREFIX });
      worker.on('error', () => undefined);
      const done = collect(worker);
      try {
        for (let i = 0; i < 5; i++) await queue.add('j', { i }, { jobId: `c${i}` });
        await until('five jobs through the Cluster', () => done.length === 5);
        expect(done.sort()).to.deep.equal(['c0', 'c1', 'c2', 'c3', 'c4']);
      } finally {
        await worker.close();
        await queue.close();
        conn.disconnect();
        workerConn.disconnect();
      }
    });
  });
});
