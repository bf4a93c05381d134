import { rssMbOf } from '../../test/support/hostile-receivers';
import { audit, settle, type ScenarioResult } from './audit';
import type { DrillStack } from './drill-stack';
import { submitMany } from './load';
import { pipelineProgress, waitWithProgress } from './progress';

/** Push attempts refused with `status` for each of the documents' push copies. */
async function refusedAttempts(stack: DrillStack, ids: string[], status: number): Promise<number[]> {
  const r = await stack.db.query<{ n: number }>(
    `SELECT (SELECT count(*)::int FROM dispatch_attempts a WHERE a.dispatch_id = x.id AND a.outcome = 'failed' AND a.http_status = $2) AS n
       FROM dispatches x WHERE x.document_id = ANY($1::uuid[]) AND x.channel = 'push'`,
    [ids, status],
  );
  return r.rows.map((x) => x.n);
}

/**
 * The push receiver answers 307 to a second listener for a while (its operator moved it): no copy
 * may count delivered, nothing may reach the redirect target, and once the receiver answers
 * again every copy arrives once.
 */
export async function receiverRedirects(stack: DrillStack, docs: number): Promise<ScenarioResult> {
  const dupBefore = stack.receiver.duplicates();
  const target = stack.redirectTarget;
  if (!target) throw new Error('the drill stack has no redirect target');
  const targetBefore = target.connections();
  stack.receiver.setRedirect(`${target.url}/stolen`);
  stack.receiver.setScript(['redirect']);
  stack.worker();
  const ids = await submitMany(stack, docs);
  await waitWithProgress('two refused (307) attempts per push copy', async () => {
    const n = await refusedAttempts(stack, ids, 307);
    return n.length === ids.length && n.every((x) => x >= 2);
  }, () => pipelineProgress(stack.db, ids), { idleMs: 60_000, maxMs: 10 * 60_000 });
  const countedDuring = (await stack.db.query(`SELECT count(*)::int AS n FROM dispatches WHERE document_id = ANY($1::uuid[]) AND channel = 'push' AND status = 'delivered'`, [ids])).rows[0].n as number;
  stack.receiver.setScript(['ok']);
  const faultAt = Date.now();
  const done = await settle(stack, ids);
  const reached = target.connections() - targetBefore;
  const notes = [`push copies counted delivered while redirecting: ${countedDuring}`, `connections that reached the redirect target: ${reached}`];
  const result = await audit(stack, 'receiver redirects (307)', ids, done, faultAt, dupBefore, notes);
  result.deliveredWithoutBody = (result.deliveredWithoutBody ?? 0) + countedDuring;
  if (reached) result.lost += reached; // anything at the target is a leak: fail the drill
  await stack.stopWorkers();
  return result;
}

/** The push receiver stores each push and answers 200 with a 1 GiB body: the worker must read 64 KiB of it and stay small. */
export async function receiverHuge(stack: DrillStack, docs: number): Promise<ScenarioResult> {
  const dupBefore = stack.receiver.duplicates();
  stack.receiver.setScript(['huge']);
  const w = stack.worker();
  let maxRss = 0;
  const sampler = setInterval(() => void rssMbOf(w.child.pid!).then((mb) => (maxRss = Math.max(maxRss, mb)), () => undefined), 100);
  try {
    const ids = await submitMany(stack, docs);
    const faultAt = Date.now();
    const done = await settle(stack, ids);
    const result = await audit(stack, 'receiver answers 1 GiB', ids, done, faultAt, dupBefore, [`worker max RSS ${maxRss} MB (bound 300 MB)`]);
    if (maxRss >= 300) result.notes.push('FINDING: worker RSS reached 300 MB');
    return result;
  } finally {
    clearInterval(sampler);
    stack.receiver.setScript(['ok']);
    await stack.stopWorkers();
  }
}
