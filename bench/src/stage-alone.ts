import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { startService } from './processes';

export type PipelineStage = 'convert' | 'sign' | 'route' | 'deliver';
const LINE: Record<PipelineStage, string> = { convert: 'converted', sign: 'signed', route: 'routed', deliver: 'delivered' };

export interface StageAlone {
  items: number;
  /** Items per second of that stage's worker running alone (deliveries for deliver). */
  perSec: number | null;
  docsPerSec: number | null;
}

/**
 * Each pipeline stage's ceiling measured alone, with the product's own code, database and queue:
 * the documents the accept-alone phase left behind are pushed through one stage at a time by a
 * worker process started with `--only <stage>` while nothing else runs. The rate is taken from
 * that worker's own log lines (first to last), so process start-up is not counted.
 */
export async function measureStagesAlone(db: pg.Client, env: NodeJS.ProcessEnv, runDir: string, cap: number): Promise<Record<PipelineStage, StageAlone>> {
  const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].n);
  const accepted = await count(`SELECT count(*) AS n FROM documents WHERE status = 'accepted'`);
  const out = {} as Record<PipelineStage, StageAlone>;

  out.convert = await runAlone('convert', env, runDir, () => count(`SELECT count(*) AS n FROM documents WHERE status = 'converted'`), Math.min(cap, accepted));
  const ids = (await db.query(`SELECT id FROM documents WHERE status = 'converted'`)).rows.map((r) => r.id as string);
  out.sign = await runAlone('sign', env, runDir, () => count(`SELECT count(*) AS n FROM documents WHERE status = 'signed'`), ids.length);
  out.route = await runAlone('route', env, runDir, () => count(`SELECT count(*) AS n FROM documents WHERE id = ANY($1) AND status = 'routed'`, [ids]), ids.length);
  const dispatches = await count(`SELECT count(*) AS n FROM dispatches WHERE document_id = ANY($1)`, [ids]);
  out.deliver = await runAlone('deliver', env, runDir, () => count(`SELECT count(*) AS n FROM dispatches WHERE document_id = ANY($1) AND status = 'delivered'`, [ids]), dispatches);
  if (out.deliver.perSec !== null && ids.length > 0) out.deliver.docsPerSec = out.deliver.perSec / (dispatches / ids.length);
  return out;
}

async function runAlone(stage: PipelineStage, env: NodeJS.ProcessEnv, runDir: string, done: () => Promise<number>, target: number): Promise<StageAlone> {
  const logFile = path.join(runDir, `alone-${stage}.log`);
  const worker = startService(`workers-${stage}`, 'workers/main.js', { ...env, LIENTHONG_PROCESS: `workers-${stage}` }, logFile, [], ['--only', stage]);
  const deadline = Date.now() + 180_000;
  try {
    while ((await done()) < target) {
      if (Date.now() > deadline) throw new Error(`the ${stage} stage alone did not finish ${target} items in 180 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await worker.stop();
  }
  // One line per job; a document's hosted copies are delivered by one job whose line lists its
  // `recipients` (issue 25), so a line counts the items it names. The first line's items are the
  // start of the span, not part of the rate.
  const lines = fs
    .readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes(`"msg":"${LINE[stage]}"`))
    .map((l) => JSON.parse(l) as { time: string; recipients?: unknown[] })
    .map((j) => ({ t: Date.parse(j.time), n: Array.isArray(j.recipients) ? j.recipients.length : 1 }))
    .sort((a, b) => a.t - b.t);
  const items = lines.reduce((sum, l) => sum + l.n, 0);
  const span = lines.length > 1 ? (lines[lines.length - 1]!.t - lines[0]!.t) / 1000 : 0;
  const perSec = span > 0 ? (items - lines[0]!.n) / span : null;
  return { items, perSec, docsPerSec: perSec };
}
