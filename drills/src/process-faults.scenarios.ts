import { stepHeld } from '../../test/support/queue-probe';
import { spawnGateway } from '../../test/support/gateway-process';
import { pipelineProgress, waitWithProgress } from './progress';
import { audit, settle, type ScenarioResult } from './audit';
import type { DrillStack } from './drill-stack';
import { submitMany, submitOnce } from './load';

/** kill -9 of the worker while it runs a step of `stage` (its own job, or a job chained into it); a fresh worker must finish everything. */
export async function workerKill(stack: DrillStack, stage: string, docs: number): Promise<ScenarioResult> {
  const dupBefore = stack.receiver.duplicates();
  const doomed = stack.worker({ LIENTHONG_FAULT_DELAY: `${stage}:600000` });
  const ids = await submitMany(stack, docs);
  // Bounded by the pipeline's progress on these documents, not by a fixed minute a busy machine misses.
  await waitWithProgress(`a ${stage} step running`, async () => ids.some((id) => stepHeld(doomed.output(), stage, id)),
    () => pipelineProgress(stack.db, ids), { idleMs: 60_000, maxMs: 10 * 60_000, recheckMs: 100 });
  const faultAt = Date.now();
  await doomed.kill9();
  stack.worker();
  const done = await settle(stack, ids);
  const result = await audit(stack, `worker kill -9 in ${stage}`, ids, done, faultAt, dupBefore);
  await stack.stopWorkers();
  return result;
}

/**
 * kill -9 of the gateway while requests are in flight; each client retries with its Idempotency-Key
 * against the restarted gateway. Each key must give exactly one document.
 */
export async function gatewayKill(stack: DrillStack, docs: number): Promise<ScenarioResult> {
  const dupBefore = stack.receiver.duplicates();
  stack.worker();
  const keys = Array.from({ length: docs }, (_, i) => `drill-gw-${Date.now()}-${i}`);
  // Staggered, so the kill lands on requests at every point: answered, committing, still arriving.
  const first = keys.map((k, i) => new Promise((r) => setTimeout(r, i * 25)).then(() => submitOnce(stack, k)));
  await new Promise((r) => setTimeout(r, keys.length * 12));
  const faultAt = Date.now();
  await stack.gateway.kill9();
  const firstResults = await Promise.all(first);
  stack.gateway = await spawnGateway({ LIENTHONG_RATE_LIMIT_PER_MIN: '0', LIENTHONG_ADMISSION_MAX_DELAY_MS: '0' }, stack.gateway.port);
  const notes = [`first attempts: ${firstResults.filter((r) => r.status === 202).length} answered 202, ${firstResults.filter((r) => r.status === 0).length} cut off`];
  let replayed = 0;
  for (const k of keys) {
    for (let attempt = 0; attempt < 10; attempt++) {
      const r = await submitOnce(stack, k);
      if (r.status === 202) {
        if (r.replayed) replayed++;
        break;
      }
      await new Promise((res) => setTimeout(res, 300));
    }
  }
  notes.push(`retries answered with Idempotent-Replayed: ${replayed}`);
  const rows = await stack.db.query(`SELECT idempotency_key AS k, array_agg(id) AS ids FROM documents WHERE sender_code = $1 AND idempotency_key = ANY($2) GROUP BY 1`, [stack.sender.code, keys]);
  const perKey = rows.rows as { k: string; ids: string[] }[];
  const twice = perKey.filter((r) => r.ids.length > 1).length;
  if (twice) notes.push(`${twice} Idempotency-Keys produced two documents`);
  if (perKey.length < keys.length) notes.push(`${keys.length - perKey.length} keys produced no document`);
  const ids = perKey.flatMap((r) => r.ids);
  const done = await settle(stack, ids);
  const result = await audit(stack, 'gateway kill -9 mid-request, client retries', ids, done, faultAt, dupBefore, notes);
  result.duplicated += twice * stack.recipients.length;
  result.lost += (keys.length - perKey.length) * stack.recipients.length;
  await stack.stopWorkers();
  return result;
}
