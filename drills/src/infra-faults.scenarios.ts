import IORedis from 'ioredis';
import { waitFor } from '../../test/support/wait';
import { audit, settle, type ScenarioResult } from './audit';
import { pipelineProgress, waitWithProgress } from './progress';
import type { DrillStack } from './drill-stack';
import { submitMany, submitOnce } from './load';
import { stepHeld } from '../../test/support/queue-probe';
import type { WorkerProcess } from '../../test/support/worker.fixture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits on the pipeline's own progress: 60 s without any, 10 min in all (a busy machine is slow, not stuck). */
const PIPELINE_BOUNDS = { idleMs: 60_000, maxMs: 10 * 60_000, recheckMs: 100 };

const countIn = async (stack: DrillStack, ids: string[], ...statuses: string[]) =>
  (await stack.db.query(`SELECT count(*)::int AS n FROM documents WHERE id = ANY($1::uuid[]) AND status = ANY($2::text[])`, [ids, statuses])).rows[0].n as number;

/**
 * True once the worker's output shows one of the documents held in `stage`'s step by its fault
 * delay: with stage chaining the document's status does not show which step its job is in.
 */
const heldIn = (w: WorkerProcess, ids: string[], stage: string): boolean => ids.some((id) => stepHeld(w.output(), stage, id));

/** Redis killed (-9) with work in flight, documents accepted during the outage, Redis back. */
export async function redisRestart(stack: DrillStack, docs: number): Promise<ScenarioResult> {
  const dupBefore = stack.receiver.duplicates();
  const w = stack.worker({ LIENTHONG_FAULT_DELAY: 'route:1500' });
  const ids = await submitMany(stack, docs);
  await waitWithProgress('documents in the pipeline', async () => heldIn(w, ids, 'route'), () => pipelineProgress(stack.db, ids), PIPELINE_BOUNDS);
  stack.redis.kill('SIGKILL');
  const during = await submitOnce(stack);
  const notes = [`POST during the Redis outage: ${during.status}`];
  if (during.id) ids.push(during.id);
  await sleep(2_000);
  await stack.restartRedis();
  const faultAt = Date.now();
  const done = await settle(stack, ids);
  const result = await audit(stack, 'Redis kill -9 and restart', ids, done, faultAt, dupBefore, notes);
  await stack.stopWorkers();
  return result;
}

/** Redis loses everything (FLUSHALL): only the sweeper, reading PostgreSQL, can bring the work back. */
export async function redisFlush(stack: DrillStack, docs: number): Promise<ScenarioResult> {
  const dupBefore = stack.receiver.duplicates();
  const w = stack.worker({ LIENTHONG_FAULT_DELAY: 'sign:1500', LIENTHONG_WORKER_CONCURRENCY: '1', LIENTHONG_SWEEP_INTERVAL_MS: '1000', LIENTHONG_SWEEP_AGE_MS: '3000', LOG_LEVEL: 'info' });
  const ids = await submitMany(stack, docs);
  await waitWithProgress('a document in its sign step, the others waiting', async () => heldIn(w, ids, 'sign') && (await countIn(stack, ids, 'accepted', 'converted')) === docs,
    () => pipelineProgress(stack.db, ids), PIPELINE_BOUNDS);
  const conn = new IORedis(stack.redis.url);
  await conn.flushall();
  await conn.quit();
  const faultAt = Date.now();
  const done = await settle(stack, ids);
  const notes = w.output().includes('sweeper re-published unfinished work') ? ['the sweeper re-published the lost jobs'] : ['no sweeper log line seen'];
  const result = await audit(stack, 'Redis FLUSHALL, rebuilt by the sweeper', ids, done, faultAt, dupBefore, notes);
  await stack.stopWorkers();
  return result;
}

/**
 * PostgreSQL stopped with work in flight: the gateway must answer 503 (readiness and a POST) and
 * come back by itself when PostgreSQL returns; the workers must carry on.
 */
export async function postgresRestart(stack: DrillStack, docs: number): Promise<ScenarioResult> {
  const dupBefore = stack.receiver.duplicates();
  const w = stack.worker({ LIENTHONG_FAULT_DELAY: 'route:1000' });
  const ids = await submitMany(stack, docs);
  await waitWithProgress('documents in the pipeline', async () => heldIn(w, ids, 'route'), () => pipelineProgress(stack.db, ids), PIPELINE_BOUNDS);
  const gatewayPid = stack.gateway.child.pid;
  await stack.pg.stop();
  const notes: string[] = [];
  const ready = await fetch(`${stack.gateway.baseUrl}/health/ready`).then((r) => r.status, (e: Error) => `error ${e.message}`);
  const post = await submitOnce(stack);
  notes.push(`while down: /health/ready ${ready}, POST ${post.status} ${post.error ?? ''}`.trim());
  if (ready !== 503 || post.status !== 503) notes.push('FINDING: expected 503 from both while PostgreSQL is down');
  await sleep(3_000);
  if (!stack.gateway.alive()) notes.push('FINDING: the gateway process died while PostgreSQL was down');
  await stack.restartPostgres();
  const faultAt = Date.now();
  const back = await waitFor('gateway ready again', async () => (await fetch(`${stack.gateway.baseUrl}/health/ready`).then((r) => r.status === 200, () => false)) && Date.now(), { recheckMs: 200, timeoutMs: 60_000 }).catch(() => null);
  notes.push(back ? `gateway ready ${((back - faultAt) / 1000).toFixed(1)} s after PostgreSQL came back, same process: ${stack.gateway.child.pid === gatewayPid && stack.gateway.alive()}` : 'FINDING: gateway not ready 60 s after PostgreSQL came back');
  if (w.child.exitCode !== null || w.child.signalCode !== null) {
    const last = w.output().trim().split('\n').filter((l) => /"level":(50|60)|Error/.test(l)).slice(0, 3).join(' ⏎ ') ?? '';
    notes.push(`FINDING: the worker process exited during the outage (${w.child.exitCode ?? w.child.signalCode}); a new one was started. Its last error: ${last.slice(0, 900)}`);
    stack.worker();
  }
  const after = await submitOnce(stack);
  notes.push(`POST after recovery: ${after.status}`);
  if (after.id) ids.push(after.id);
  const done = await settle(stack, ids);
  const result = await audit(stack, 'PostgreSQL stopped and restarted', ids, done, faultAt, dupBefore, notes);
  await stack.stopWorkers();
  return result;
}

/** The push receiver refuses connections for longer than several retry intervals, then returns. */
export async function receiverDown(stack: DrillStack, docs: number, downMs: number): Promise<ScenarioResult> {
  const dupBefore = stack.receiver.duplicates();
  stack.receiver.setScript(['down']);
  stack.worker();
  const ids = await submitMany(stack, docs);
  const attemptsBefore = stack.receiver.attempts.length;
  await sleep(downMs);
  const refused = stack.receiver.attempts.length - attemptsBefore;
  stack.receiver.setScript(['ok']);
  const faultAt = Date.now();
  const done = await settle(stack, ids);
  const result = await audit(stack, `push receiver down ${downMs / 1000} s`, ids, done, faultAt, dupBefore, [`${refused} push attempts refused while down`]);
  await stack.stopWorkers();
  return result;
}
