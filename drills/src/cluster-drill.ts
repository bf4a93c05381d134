/* eslint-disable no-console -- the drill's own CLI output: a table for the person who ran it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCluster, type Cluster } from '../../infra/cluster/cluster';
import { projectRoot } from '../../services/config/project-root';
import { createPool, type Db } from '../../services/db/pool';
import { createAgencies } from '../../test/support/agencies.fixture';
import { startPushReceiver } from '../../test/support/push-receiver';
import { setTestEnv } from '../../test/support/test-env';
import { QUICK, WEBHOOK_SECRET } from './drill-stack';
import type { LoadStack } from './cluster-load';
import { gatewayKill, postgresPrimaryKill, redisMasterKill, runClusterScenario, workerKill, type ClusterScenarioResult, type DrillContext } from './cluster-scenarios';

const DOCS = Number(process.env.CLUSTER_DRILL_DOCS ?? 24);
const INTERVAL_MS = Number(process.env.CLUSTER_DRILL_INTERVAL_MS ?? 500);
const HOSTED = Number(process.env.CLUSTER_DRILL_RECIPIENTS ?? 4);

/**
 * `make cluster-drill`: the cluster topology (infra/cluster) under a steady load; one at a time,
 * the Redis master, a gateway, a worker and the PostgreSQL primary are killed. After each: lost,
 * duplicated, ledger, stuck jobs, recovery. Writes drills/results/cluster.json.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-cluster-drill-'));
  console.log(`Cluster drill: ${DOCS} documents per scenario, one every ${INTERVAL_MS} ms, ${HOSTED + 1} recipients (${HOSTED} hosted, 1 push); under ${root}`);
  let cluster: Cluster | undefined;
  let db: Db | undefined;
  let receiver: Awaited<ReturnType<typeof startPushReceiver>> | undefined;
  const stopAll = async () => {
    await receiver?.close().catch(() => undefined);
    await db?.end().catch(() => undefined);
    await cluster?.stop();
    if (process.env.CLUSTER_DRILL_KEEP !== '1') fs.rmSync(root, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    cluster = await startCluster({
      root,
      // Short job locks (a killed worker's jobs move in seconds) and a quick sweeper (jobs the old
      // Redis master had not yet copied to its replica come back from PostgreSQL).
      // Retries up to 5 s apart: 20 attempts outlast a PostgreSQL failover (QUICK's 1 s would not,
      // and a stage would give up on its document mid-failover; production waits up to 15 min).
      env: { ...QUICK, LIENTHONG_RETRY_MAX_MS: '5000', LIENTHONG_RATE_LIMIT_PER_MIN: '0', LIENTHONG_ADMISSION_MAX_DELAY_MS: '0', LIENTHONG_SWEEP_INTERVAL_MS: '2000', LIENTHONG_SWEEP_AGE_MS: '15000', LIENTHONG_WORKER_CONCURRENCY: '2', LOG_LEVEL: 'warn' },
      log: (m) => console.log(`  ${m}`),
    });
    const redisUrl = `redis://127.0.0.1:${await cluster.redis.masterPort()}`;
    setTestEnv({ databaseUrl: cluster.postgres.sessionUrl, redisUrl, queuePrefix: cluster.env.LIENTHONG_QUEUE_PREFIX!, masterKeyHex: cluster.env.LIENTHONG_MASTER_KEY! });
    db = createPool(cluster.postgres.sessionUrl, { max: 4, application: 'lienthong-drill' });
    db.on('error', () => undefined);
    receiver = await startPushReceiver(WEBHOOK_SECRET, ['ok']);
    const [sender, ...hosted] = await createAgencies(db, 1 + HOSTED);
    const pushed = await createAgencies(db, 1, { channel: 'push', endpointUrl: receiver.url, secret: WEBHOOK_SECRET });
    const stack: LoadStack = { db, receiver, sender: sender!, recipients: [...hosted, ...pushed], gateway: { baseUrl: cluster.url }, redis: { url: redisUrl } };
    const ctx: DrillContext = { cluster, stack, db, docs: DOCS, intervalMs: INTERVAL_MS };
    const scenarios: [string, () => Promise<{ notes: string[] }>][] = [
      ['Redis master killed, Sentinel promotes', redisMasterKill(ctx)],
      ['gateway killed, nginx routes around', gatewayKill(ctx)],
      ['worker killed', workerKill(ctx)],
      ['PostgreSQL primary killed, Patroni promotes', postgresPrimaryKill(ctx)],
    ];
    const only = process.env.CLUSTER_DRILL_ONLY;
    const results: ClusterScenarioResult[] = [];
    for (const [name, inject] of scenarios) {
      if (only && !name.includes(only)) continue;
      process.stdout.write(`  ${name} … `);
      try {
        const r = await runClusterScenario(ctx, name, inject as never);
        results.push(r);
        console.log(`${r.delivered}/${r.sent} delivered, ${r.duplicated} duplicated, ${r.lost} lost, recovery ${r.recoverySeconds ?? '—'} s`);
      } catch (err) {
        console.log(`FAILED: ${(err as Error).stack ?? (err as Error).message}`);
        results.push({ name, sent: 0, delivered: 0, duplicated: 0, lost: 0, recoverySeconds: null, outageSeconds: 0, documents: 0, ledgerOk: false, stuckJobs: 0, notes: [`the scenario itself failed: ${(err as Error).message}`] });
      }
    }
    const out = path.join(projectRoot(), 'drills', 'results', 'cluster.json');
    const result = {
      startedAt: new Date(started).toISOString(),
      seconds: Math.round((Date.now() - started) / 1000),
      topology: 'nginx → 2 gateways; 3 workers (one --only convert,sign); Redis master + replica + 3 Sentinels; PostgreSQL primary + synchronous replica (Patroni, etcd), PgBouncer per node (transaction mode)',
      load: { documentsPerScenario: DOCS, intervalMs: INTERVAL_MS, recipients: HOSTED + 1 },
      scenarios: results,
    };
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    printTable(results);
    console.log(`\nWritten to ${path.relative(process.cwd(), out)} (${result.seconds} s).`);
    process.exitCode = results.some((s) => s.lost || s.duplicated || !s.ledgerOk || s.stuckJobs || s.recoverySeconds === null) ? 1 : 0;
  } finally {
    await stopAll();
  }
}

function printTable(rows: ClusterScenarioResult[]): void {
  const head = ['scenario', 'sent', 'delivered', 'dup', 'lost', 'recovery s', 'no 202 for s', 'ledger', 'stuck'];
  const body = rows.map((r) => [r.name, r.sent, r.delivered, r.duplicated, r.lost, r.recoverySeconds ?? '—', r.outageSeconds, r.ledgerOk ? 'ok' : 'BROKEN', r.stuckJobs].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  console.log('\n' + line(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const b of body) console.log(line(b));
  for (const r of rows) for (const n of r.notes) console.log(`  ${r.name}: ${n}`);
}

main().catch((err) => {
  console.error(`cluster drill failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 2;
});
