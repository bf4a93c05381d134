/* eslint-disable no-console -- the launcher talks to the person at the terminal. */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../services/config/config';
import { projectRoot } from '../../services/config/project-root';
import { createPool } from '../../services/db/pool';
import { ensureDevCa } from '../../services/domain/pki/dev-pki';
import { seedDemoUsers } from '../../services/web/seed/seed-demo-users';
import { needsSeed, seedDemo } from '../seed/seed-demo';
import { startCluster, type Cluster } from './cluster';

/**
 * `make cluster`: the production topology on this machine (see cluster.ts), seeded with the demo
 * directory, until Ctrl-C. A demonstration: it starts from an empty folder (CLUSTER_DIR, default
 * .data/cluster) every time, and every process it started is stopped on the way out.
 */
async function main(): Promise<void> {
  const root = path.resolve(process.env.CLUSTER_DIR ?? path.join(projectRoot(), '.data', 'cluster'));
  fs.rmSync(root, { recursive: true, force: true });
  let cluster: Cluster | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (code: number): Promise<void> =>
    (stopping ??= (async () => {
      console.log('\nStopping the cluster …');
      await cluster?.stop();
      console.log('Stopped.');
      process.exit(code);
    })());
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    console.log(`Starting the cluster topology under ${root} …`);
    cluster = await startCluster({ root, log: (m) => console.log(`  ${m}`) });
    const config = loadConfig({ ...cluster.env, DATABASE_URL: cluster.postgres.sessionUrl });
    const db = createPool(cluster.postgres.sessionUrl, { max: 2, application: 'lienthong-cluster' });
    await ensureDevCa(db, config.masterKey, true);
    const credentialsFile = path.join(root, 'dev-credentials.json');
    if (await needsSeed(db)) {
      const creds = await seedDemo(db, config.masterKey);
      await seedDemoUsers(db, creds);
      fs.writeFileSync(credentialsFile, JSON.stringify({ baseUrl: cluster.url, ...creds }, null, 2) + '\n', { mode: 0o600 });
    }
    await db.end();
    printTopology(cluster);
    console.log(`\nLiên Thông (cluster) at ${cluster.url}; demo API keys in ${credentialsFile}`);
    console.log('Press Ctrl-C to stop.');
  } catch (err) {
    console.error(`The cluster could not start: ${(err as Error).message}`);
    await stop(1);
  }
}

function printTopology(c: Cluster): void {
  const rows: [string, string][] = [
    ['nginx', c.url],
    ...c.gateways.map((g): [string, string] => [g.name, `127.0.0.1:${g.port} (pid ${g.daemon.pid})`]),
    ...c.workers.map((w): [string, string] => [w.name, `${w.args.join(' ') || 'all stages'} (pid ${w.daemon.pid})`]),
    ...c.redis.nodes.map((n): [string, string] => [`redis`, `127.0.0.1:${n.port}`]),
    ['sentinels', c.redis.sentinelList],
    ...c.postgres.nodes.map((n): [string, string] => [`postgres ${n.name}`, `127.0.0.1:${n.pgPort}, PgBouncer 127.0.0.1:${n.bouncerPort}, Patroni API 127.0.0.1:${n.apiPort}`]),
    ['DATABASE_URL', c.postgres.pooledUrl],
  ];
  for (const [k, v] of rows) console.log(`  ${k.padEnd(14)} ${v}`);
}

void main();
