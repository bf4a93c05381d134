import fs from 'node:fs';
import path from 'node:path';
import { startEmbeddedRedis } from '../../../infra/embedded/embedded-redis';
import { guardMigrations } from '../../../services/backup/pre-migration';
import { restoreBackup, type RestoreTo } from '../../../services/backup/restore';
import { waitArchived } from '../../../services/backup/restore-points';
import { migrate, migrationsDir } from '../../../services/db/migrator';
import { auditRestore, type RestoreScenarioResult } from './restore-audit';
import { waitServiceReady, type RestoreStack } from './restore-stack';
import type { Traffic } from './traffic';

/** Restores into the stack's own PostgreSQL folder (same port), moving what is there aside. */
async function restoreInPlace(stack: RestoreStack, to: RestoreTo): Promise<{ recoveredTo: string | null; seconds: number; base: string }> {
  const r = await restoreBackup({ target: stack.backups, to, into: stack.pgDir, force: true, archiveTimeoutS: stack.archiveTimeoutS, port: stack.pg.port });
  stack.pg = r.server;
  return { recoveredTo: r.recoveredTo, seconds: r.seconds, base: r.base.id };
}

/** (a) The disk is lost: PostgreSQL and Redis killed, the whole data folder deleted; restore latest. */
export async function dataFolderDeleted(stack: RestoreStack, traffic: Traffic, docs: number): Promise<RestoreScenarioResult> {
  await traffic.more(docs);
  const dupBefore = stack.receiver.duplicates();
  const faultAt = Date.now();
  stack.pg.kill('SIGKILL');
  stack.redis.kill('SIGKILL');
  await stack.stopService('kill');
  await traffic.stop();
  fs.rmSync(stack.dataDir, { recursive: true, force: true });
  const notes = [`data folder ${stack.dataDir} deleted (PostgreSQL, Redis) with the service killed`];
  const r = await restoreInPlace(stack, { kind: 'latest' });
  stack.redis = await startEmbeddedRedis({ dir: stack.redisDir, port: stack.redis.port });
  await stack.startService();
  await waitServiceReady(stack);
  const readyAt = Date.now();
  notes.push(`restore ${r.seconds} s from base ${r.base}; last replayed commit ${r.recoveredTo}; ${((faultAt - Date.parse(r.recoveredTo ?? '')) / 1000).toFixed(1)} s of writes before the fault were not archived yet`);
  const point = r.recoveredTo ? Date.parse(r.recoveredTo) : faultAt;
  const res = await auditRestore(stack, 'a) data folder deleted → restore latest', traffic, point, faultAt, readyAt, dupBefore, notes);
  traffic.start();
  return res;
}

/** (b) A table dropped by mistake while traffic runs: restore to the minute before the drop. */
export async function tableDropped(stack: RestoreStack, traffic: Traffic, minuteMs: number): Promise<RestoreScenarioResult> {
  await traffic.more(3);
  await new Promise((r) => setTimeout(r, minuteMs + 5_000)); // traffic goes on for a minute and more
  const droppedAt = Date.now();
  await stack.db.query('DROP TABLE dispatch_events CASCADE');
  await new Promise((r) => setTimeout(r, 3_000)); // the mistake shows: deliveries fail
  await traffic.stop();
  const dupBefore = stack.receiver.duplicates();
  const faultAt = Date.now();
  await stack.stopService('stop');
  // The damaged server still runs: its last WAL goes to the archive before it is stopped.
  const archived = await waitArchived(stack.db, 60_000);
  await stack.pg.stop();
  const target = new Date(droppedAt - minuteMs);
  const r = await restoreInPlace(stack, { kind: 'time', at: target });
  await stack.flushQueues();
  await stack.startService();
  await waitServiceReady(stack);
  const readyAt = Date.now();
  const tables = await stack.db.query(`SELECT to_regclass('dispatch_events') IS NOT NULL AS ok`);
  const notes = [
    `DROP TABLE dispatch_events CASCADE at ${new Date(droppedAt).toISOString()}; restored to ${target.toISOString()} (last commit replayed ${r.recoveredTo}); last WAL archived before the restore: ${archived}`,
    `table back: ${tables.rows[0].ok}; restore ${r.seconds} s; queues emptied, the sweeper rebuilt them`,
  ];
  const res = await auditRestore(stack, 'b) table dropped → restore to the minute before', traffic, target.getTime(), faultAt, readyAt, dupBefore, notes);
  if (!tables.rows[0].ok) throw new Error('dispatch_events is still missing after the restore');
  traffic.start();
  return res;
}

/** (c) A migration run damages data and the next fails: back to the restore point taken before them. */
export async function failingMigration(stack: RestoreStack, traffic: Traffic, docs: number): Promise<RestoreScenarioResult> {
  await traffic.more(docs);
  const dir = path.join(stack.dir, 'migrations');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(migrationsDir())) fs.copyFileSync(path.join(migrationsDir(), f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, '9990_drill_rename_subject.sql'), 'ALTER TABLE documents RENAME COLUMN subject TO subject_old;\n');
  fs.writeFileSync(path.join(dir, '9991_drill_fails.sql'), 'ALTER TABLE no_such_table ADD COLUMN x integer;\n');
  // A 202 the client saw before this instant was committed before the restore point.
  const pointAt = Date.now();
  const guard = await guardMigrations(stack.db, { target: stack.backups, databaseUrl: stack.pg.url, baseEveryMin: 24 * 60, dir });
  if (!guard?.point) throw new Error(`no restore point was taken before the migrations: ${guard?.howToGoBack}`);
  const failed = await migrate(stack.db, dir).then(() => 'applied (expected a failure)', (e: Error) => e.message);
  await new Promise((r) => setTimeout(r, 3_000)); // the damage shows: submissions fail
  await traffic.stop();
  const dupBefore = stack.receiver.duplicates();
  const faultAt = Date.now();
  await stack.stopService('stop');
  await waitArchived(stack.db, 60_000);
  await stack.pg.stop();
  const r = await restoreInPlace(stack, { kind: 'point', name: guard.point });
  await stack.flushQueues();
  await stack.startService();
  await waitServiceReady(stack);
  const readyAt = Date.now();
  const col = await stack.db.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'documents' AND column_name = 'subject'`);
  const notes = [`migrations: ${failed}; restore point ${guard.point}; ${guard.howToGoBack}`, `documents.subject back: ${col.rows[0].n === 1}; restore ${r.seconds} s`];
  const res = await auditRestore(stack, 'c) failing migration → its restore point', traffic, pointAt, faultAt, readyAt, dupBefore, notes);
  if (col.rows[0].n !== 1) throw new Error('documents.subject is still renamed after going back to the restore point');
  return res;
}
