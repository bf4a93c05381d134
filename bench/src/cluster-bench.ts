/* eslint-disable no-console -- the harness reports to the person at the terminal. */
/**
 * The cluster-vs-single comparison alone (`make bench` runs it too, at its end):
 *   node bench/dist/bench/src/cluster-bench.js      (BENCH_CLUSTER_DOCS, BENCH_CLUSTER_INFLIGHT)
 * Writes bench/results/cluster-vs-single.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../services/config/project-root';
import { compareClusterToSingle } from './cluster-compare';

async function main(): Promise<void> {
  const docs = Number(process.env.BENCH_CLUSTER_DOCS ?? 200);
  const inflight = Number(process.env.BENCH_CLUSTER_INFLIGHT ?? 12);
  const loadavgAtStart = os.loadavg().map((v) => Math.round(v * 100) / 100);
  const r = await compareClusterToSingle(docs, inflight, (m) => console.log(`[bench cluster] ${m}`));
  const out = path.join(projectRoot(), 'bench', 'results', 'cluster-vs-single.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), loadavgAtStart, loadavgAtEnd: os.loadavg().map((v) => Math.round(v * 100) / 100), ...r }, null, 2) + '\n');
  console.log(`single ${r.single.docsPerSec} docs/s (${r.single.docs} in ${r.single.seconds} s), cluster ${r.cluster.docsPerSec} docs/s (${r.cluster.docs} in ${r.cluster.seconds} s): ratios.clusterVsSingle = ${r.clusterVsSingle}`);
  console.log(`Written: ${path.relative(projectRoot(), out)}`);
}

main().catch((err) => {
  console.error(`cluster bench failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
});
