import type { Db } from '../../services/db/pool';
import type { Cluster } from '../../infra/cluster/cluster';
import type { AppProcess } from '../../infra/cluster/app-processes';
import { allDelivered } from '../../test/support/delivery-audit';
import { audit, type ScenarioResult } from './audit';
import { longestAcceptGap, pollUntil, refusalSummary, steadyLoad, type LoadStack } from './cluster-load';

export interface ClusterScenarioResult extends ScenarioResult {
  /** Longest time clients got no 202 around the fault. */
  outageSeconds: number;
}

export interface DrillContext {
  cluster: Cluster;
  stack: LoadStack;
  db: Db;
  docs: number;
  intervalMs: number;
}

interface Injected {
  notes: string[];
  /** Brings the killed part back once the load has ended (the cluster is whole for the next scenario). */
  after?: () => Promise<void>;
  /** The process killed on purpose: not expected to keep its pid. */
  victim?: AppProcess;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** The pids of gateways and workers: they must carry on through an engine's failover. */
const appPids = (c: Cluster) => new Map([...c.gateways, ...c.workers].map((p) => [p.name, p.daemon.pid]));

/**
 * A steady load through nginx; after a third of it is accepted, `inject` breaks one part; the
 * load carries on to its end; then the audit (lost, duplicated, ledger, stuck) and the recovery:
 * from the fault until the first document accepted after it reached every recipient.
 */
export async function runClusterScenario(ctx: DrillContext, name: string, inject: () => Promise<Injected>): Promise<ClusterScenarioResult> {
  const { cluster, stack } = ctx;
  const dupBefore = stack.receiver.duplicates();
  const before = appPids(cluster);
  const load = steadyLoad(stack, ctx.docs, ctx.intervalMs);
  await pollUntil('a third of the load accepted', async () => load.accepted() >= Math.ceil(ctx.docs / 3), 120_000, 100);
  const faultAt = Date.now();
  const injected = await inject();
  await load.done;
  await injected.after?.();
  const notes = [...injected.notes, `clients saw: ${refusalSummary(load.submissions)}`];
  for (const [proc, pid] of before) {
    const p = [...cluster.gateways, ...cluster.workers].find((x) => x.name === proc)!;
    if (p !== injected.victim && (p.daemon.pid !== pid || !p.daemon.alive())) notes.push(`FINDING: ${proc} did not carry on (restarted or died)`);
  }
  const ids = load.submissions.flatMap((s) => (s.id ? [s.id] : []));
  const gaveUp = load.submissions.length - ids.length;
  if (gaveUp) notes.push(`${gaveUp} submissions never accepted within their retry budget`);
  // Not settle(): its waitFor gives up at the first failed query, and the drill's own pool may hold
  // a connection the failover broke. pollUntil retries through such errors.
  const done = await pollUntil(`${ids.length} documents delivered`, async () => (await allDelivered(ctx.db, ids, stack.recipients.length)) && Date.now(), 240_000, 500).catch(() => null);
  stack.redis.url = `redis://127.0.0.1:${await cluster.redis.masterPort()}`;
  if (done === null) {
    const r = await ctx.db.query<{ id: string; status: string; copies: string[] }>(
      `SELECT d.id, d.status, array_agg(x.status ORDER BY x.status) AS copies FROM documents d JOIN dispatches x ON x.document_id = d.id
        WHERE d.id = ANY($1::uuid[]) AND x.status <> 'delivered' GROUP BY 1, 2`, [ids]);
    for (const d of r.rows) notes.push(`undelivered: document ${d.id} ${d.status}, copies ${d.copies.join(',')}`);
  }
  const result = await audit(stack, name, ids, done, faultAt, dupBefore, notes);
  result.sent += gaveUp * stack.recipients.length;
  result.lost += gaveUp * stack.recipients.length;
  // The first document the service accepted after the fault (clients retrying through an outage
  // count from their answer, not from their first try).
  const firstAfter = load.submissions.filter((s) => s.acceptedAt !== undefined && s.acceptedAt >= faultAt).sort((a, b) => a.acceptedAt! - b.acceptedAt!)[0];
  if (!firstAfter) notes.push('no document was accepted after the fault (the load ended first): recovery not measured');
  let recovery: number | null = null;
  if (firstAfter && done !== null) {
    const r = await ctx.db.query<{ at: Date | null }>(`SELECT max(delivered_at) AS at FROM dispatches WHERE document_id = $1`, [firstAfter.id]);
    if (r.rows[0]?.at) recovery = seconds(r.rows[0].at.getTime() - faultAt);
    else notes.push(`recovery not measured: document ${firstAfter.id} has no delivery time`);
  } else if (firstAfter) notes.push('recovery not measured: the documents did not all arrive');
  return { ...result, recoverySeconds: recovery, outageSeconds: longestAcceptGap(load.submissions, faultAt) };
}

export function redisMasterKill(ctx: DrillContext): () => Promise<Injected> {
  return async () => {
    const redis = ctx.cluster.redis;
    const t0 = Date.now();
    const old = await redis.killMaster();
    const now = await pollUntil('Sentinel promoting the replica', async () => {
      const p = await redis.masterPort().catch(() => old);
      return p !== old ? p : false;
    }, 60_000, 200);
    return {
      notes: [`Sentinel promoted 127.0.0.1:${now} ${seconds(Date.now() - t0)} s after the master 127.0.0.1:${old} was killed`],
      after: async () => redis.restartNode(old),
    };
  };
}

export function gatewayKill(ctx: DrillContext): () => Promise<Injected> {
  return async () => {
    const victim = ctx.cluster.gateways[0]!;
    victim.daemon.kill('SIGKILL');
    return { notes: [`${victim.name} killed -9; nginx sends its traffic to the other`], victim, after: () => ctx.cluster.restart(victim) };
  };
}

export function workerKill(ctx: DrillContext): () => Promise<Injected> {
  return async () => {
    const victim = ctx.cluster.workers[0]!;
    victim.daemon.kill('SIGKILL');
    return { notes: [`${victim.name} (all stages) killed -9 with jobs in hand; their locks expire and the others take them`], victim, after: () => ctx.cluster.restart(victim) };
  };
}

/** The primary's machine is lost (Patroni and PostgreSQL killed -9); Patroni promotes the replica. */
export function postgresPrimaryKill(ctx: DrillContext): () => Promise<Injected> {
  return async () => {
    const { postgres, url } = { postgres: ctx.cluster.postgres, url: ctx.cluster.url };
    const t0 = Date.now();
    const victim = await postgres.killLeader();
    const notes: string[] = [];
    let first503: number | undefined;
    let back: number | undefined;
    await pollUntil('the gateways ready again', async () => {
      const s = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3_000) }).then((r) => r.status, () => 0);
      if (s !== 200 && first503 === undefined) first503 = Date.now();
      if (s === 200 && first503 !== undefined) back = Date.now();
      return back !== undefined;
    }, 120_000).catch(() => notes.push('FINDING: /health/ready not back within 120 s'));
    const leader = await postgres.leader();
    notes.push(`Patroni promoted ${leader?.name ?? 'nobody'}; /health/ready answered 503 for ${first503 && back ? seconds(back - first503) : '—'} s, ready ${back ? seconds(back - t0) : '—'} s after the kill`);
    return {
      notes,
      after: async () => {
        const r0 = Date.now();
        await postgres.restartNode(victim).then(
          () => notes.push(`${victim.name} rejoined as a synchronous-replica candidate in ${seconds(Date.now() - r0)} s`),
          (err: Error) => notes.push(`FINDING: ${victim.name} did not rejoin: ${err.message.split('\n')[0]}`),
        );
      },
    };
  };
}
