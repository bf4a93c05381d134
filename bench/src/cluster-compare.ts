/**
 * `ratios.clusterVsSingle`: the same batch of documents (one-page PDF to 5 hosted recipients, a
 * fixed number in flight) end to end through the single-process topology (`make run`: one gateway,
 * one worker process, one PostgreSQL, one Redis) and through the cluster topology (`make cluster`:
 * nginx, 2 gateways, 3 workers, PgBouncer, Patroni with a synchronous replica, Redis with Sentinels),
 * one after the other on the same machine. The ratio says what the extra hops and copies cost.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCluster } from '../../infra/cluster/cluster';
import { startEmbeddedStack } from '../../infra/embedded/embedded-stack';
import { createPool, type Db } from '../../services/db/pool';
import { migrate } from '../../services/db/migrator';
import { createAgencies, type TestAgency } from '../../test/support/agencies.fixture';
import { allDelivered } from '../../test/support/delivery-audit';
import { spawnGateway } from '../../test/support/gateway-process';
import { makePdf, metadataFor } from '../../test/support/pdf.fixture';
import { setTestEnv } from '../../test/support/test-env';
import { spawnWorker } from '../../test/support/worker.fixture';
import { waitFor } from '../../test/support/wait';

export interface TopologyRun {
  docs: number;
  seconds: number;
  docsPerSec: number;
  failed: number;
}

export interface ClusterComparison {
  single: TopologyRun;
  cluster: TopologyRun;
  clusterVsSingle: number;
  inflight: number;
}

const RECIPIENTS = 5;

/** `docs` submissions, `inflight` at a time; the clock runs from the first POST to the last delivery. */
async function batch(baseUrl: string, db: Db, sender: TestAgency, recipients: TestAgency[], docs: number, inflight: number): Promise<TopologyRun> {
  const pdf = await makePdf(1, 'Bench cluster');
  const body = JSON.stringify({ metadata: metadataFor(recipients.map((r) => r.code)), files: [{ name: 'vb.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }] });
  const ids: string[] = [];
  let failed = 0;
  let next = 0;
  const t0 = Date.now();
  const lane = async () => {
    while (next < docs) {
      next++;
      const res = await fetch(`${baseUrl}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${sender.apiKey}`, 'content-type': 'application/json' }, body }).catch(() => undefined);
      const json = res ? ((await res.json().catch(() => ({}))) as { id?: string }) : {};
      if (res?.status === 202 && json.id) ids.push(json.id);
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: inflight }, lane));
  await waitFor(`${ids.length} documents delivered`, () => allDelivered(db, ids, RECIPIENTS), { timeoutMs: 600_000, recheckMs: 500 });
  const last = (await db.query<{ at: Date }>(`SELECT max(delivered_at) AS at FROM dispatches WHERE document_id = ANY($1::uuid[])`, [ids])).rows[0]!.at;
  const seconds = (last.getTime() - t0) / 1000;
  return { docs: ids.length, seconds: Math.round(seconds * 10) / 10, docsPerSec: Math.round((ids.length / seconds) * 100) / 100, failed };
}

async function seed(db: Db): Promise<{ sender: TestAgency; recipients: TestAgency[] }> {
  const [sender, ...recipients] = await createAgencies(db, 1 + RECIPIENTS);
  return { sender: sender!, recipients };
}

export async function compareClusterToSingle(docs: number, inflight: number, say: (m: string) => void): Promise<ClusterComparison> {
  const masterKeyHex = 'ef'.repeat(32);
  const common = { LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: masterKeyHex, LIENTHONG_RATE_LIMIT_PER_MIN: '0', LIENTHONG_ADMISSION_MAX_DELAY_MS: '0', LOG_LEVEL: 'warn' };
  let single: TopologyRun;
  {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-bench-single-'));
    fs.chmodSync(dir, 0o755);
    // Durable like production (fsync on), as the cluster's PostgreSQL is.
    const stack = await startEmbeddedStack({ dataDir: dir, fast: false });
    const env = { ...common, DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl, LIENTHONG_QUEUE_PREFIX: 'lt-bench-single', LIENTHONG_DATA_DIR: dir };
    Object.assign(process.env, env);
    setTestEnv({ databaseUrl: stack.databaseUrl, redisUrl: stack.redisUrl, queuePrefix: env.LIENTHONG_QUEUE_PREFIX, masterKeyHex });
    const db = createPool(stack.databaseUrl, { max: 4 });
    try {
      await migrate(db);
      const { sender, recipients } = await seed(db);
      const gateway = await spawnGateway(env);
      const worker = spawnWorker(env);
      try {
        say(`single topology: ${docs} documents, ${inflight} in flight …`);
        single = await batch(gateway.baseUrl, db, sender, recipients, docs, inflight);
      } finally {
        await Promise.all([gateway.stop(), worker.stop()]);
      }
    } finally {
      await db.end();
      await stack.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  let cluster: TopologyRun;
  {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-bench-cluster-'));
    for (const k of ['DATABASE_URL', 'REDIS_URL']) delete process.env[k];
    const c = await startCluster({ root, env: { ...common, LIENTHONG_QUEUE_PREFIX: 'lt-bench-cluster' } });
    setTestEnv({ databaseUrl: c.postgres.sessionUrl, redisUrl: '', queuePrefix: 'lt-bench-cluster', masterKeyHex: c.env.LIENTHONG_MASTER_KEY! });
    const db = createPool(c.postgres.sessionUrl, { max: 4 });
    try {
      const { sender, recipients } = await seed(db);
      say(`cluster topology: ${docs} documents, ${inflight} in flight …`);
      cluster = await batch(c.url, db, sender, recipients, docs, inflight);
    } finally {
      await db.end();
      await c.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  return { single, cluster, clusterVsSingle: Math.round((cluster.docsPerSec / single.docsPerSec) * 1000) / 1000, inflight };
}
