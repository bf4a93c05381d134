import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startEmbeddedPostgres } from '../../../infra/embedded/embedded-postgres';
import type { EmbeddedServer } from '../../../infra/embedded/common';
import { archiveSettings } from '../../../services/backup/archive-settings';
import { listBaseBackups, takeBaseBackup } from '../../../services/backup/base-backup';
import { backupTarget, ensurePrivateTarget, ownerOf, type BackupTarget } from '../../../services/backup/backup-target';
import { backupTick } from '../../../services/backup/backup-scheduler';
import { guardMigrations } from '../../../services/backup/pre-migration';
import { applyRetention } from '../../../services/backup/retention';
import { restoreBackup } from '../../../services/backup/restore';
import { waitArchived } from '../../../services/backup/restore-points';
import { verifyBackups } from '../../../services/backup/verify-backups';
import { walSegments } from '../../../services/backup/wal-archive';
import { createPool, type Db } from '../../../services/db/pool';
import { migrate, migrationsDir } from '../../../services/db/migrator';
import { verifyLedger } from '../../../services/domain/ledger/ledger-verify';

/** Rows of the probe table in a restored server. */
async function probeCount(server: EmbeddedServer): Promise<number> {
  const db = createPool(server.url, { max: 1 });
  try {
    return (await db.query('SELECT count(*)::int AS n FROM backup_probe')).rows[0].n as number;
  } finally {
    await db.end();
  }
}

function modeOf(p: string): number {
  return fs.statSync(p).mode & 0o777;
}

describe('backups: a base backup and archived WAL, restored to a point in time', function () {
  this.timeout(240_000);
  let dir: string;
  let source: EmbeddedServer;
  let db: Db;
  let target: BackupTarget;
  const restored: EmbeddedServer[] = [];
  let latestServer: EmbeddedServer | undefined;
  let betweenBatches: Date;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-backup-'));
    fs.chmodSync(dir, 0o755);
    target = backupTarget(path.join(dir, 'backups'));
    ensurePrivateTarget(target);
    // archive_timeout 1 s: the test need not wait a minute for its WAL to reach the archive.
    source = await startEmbeddedPostgres({ dir: path.join(dir, 'source'), settings: archiveSettings(target.walDir, 1) });
    ensurePrivateTarget(target, ownerOf(path.join(dir, 'source', 'data')));
    db = createPool(source.url, { max: 2 });
    await migrate(db);
    await db.query('CREATE TABLE backup_probe (n integer PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())');
  });

  after(async () => {
    await db?.end();
    for (const s of restored) await s.stop().catch(() => undefined);
    await source?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when a base backup is taken, then it is listed, private (0700) and holds no master key', async () => {
    const info = await takeBaseBackup(source.url, target, 'test');
    expect(listBaseBackups(target).map((b) => b.id)).to.deep.equal([info.id]);
    expect(info.startWal).to.match(/^[0-9A-F]{24}$/);
    for (const p of [target.root, target.baseDir, target.walDir]) expect(modeOf(p), p).to.equal(0o700);
    const names: string[] = [];
    const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : names.push(e.name)));
    walk(target.root);
    expect(names).to.include('backup_manifest');
    expect(names.filter((n) => /master\.key/.test(n))).to.deep.equal([]);
  });

  it('when rows are written after the backup, then the WAL reaches the archive and `backup verify` finds it whole', async () => {
    await db.query('INSERT INTO backup_probe (n) SELECT generate_series(1, 50)');
    // The target travels in milliseconds (a Date): read within the millisecond of the first batch's
    // commit, it would fall before that commit (microseconds), and the restore would stop short of it.
    await new Promise((r) => setTimeout(r, 10));
    betweenBatches = (await db.query('SELECT clock_timestamp() AS t')).rows[0].t as Date;
    await new Promise((r) => setTimeout(r, 300)); // the second batch commits strictly later than the target
    await db.query('INSERT INTO backup_probe (n) SELECT generate_series(51, 100)');
    expect(await waitArchived(db, 60_000)).to.equal(true);
    const check = await verifyBackups(target);
    expect(check.problems).to.deep.equal([]);
    expect(check.ok).to.equal(true);
    expect(walSegments(target).length).to.be.greaterThan(0);
  });

  it('when restored to the time between the two batches, then exactly the first batch is there; latest has both', async () => {
    const atTime = await restoreBackup({ target, to: { kind: 'time', at: betweenBatches }, into: path.join(dir, 'r-time') });
    restored.push(atTime.server);
    expect(await probeCount(atTime.server)).to.equal(50);
    const latest = await restoreBackup({ target, to: { kind: 'latest' }, into: path.join(dir, 'r-latest') });
    restored.push(latest.server);
    latestServer = latest.server;
    expect(await probeCount(latest.server)).to.equal(100);
    const rdb = createPool(latest.server.url, { max: 1 });
    try {
      expect((await verifyLedger(rdb)).ok).to.equal(true);
      expect((await rdb.query('SELECT pg_is_in_recovery() AS r')).rows[0].r).to.equal(false); // promoted: writable
      await rdb.query('INSERT INTO backup_probe (n) VALUES (101)');
    } finally {
      await rdb.end();
    }
  });

  it('when the target folder holds a running server, or data without --force, then the restore refuses and leaves it alone', async () => {
    const running = path.join(dir, 'r-latest');
    let err = await restoreBackup({ target, to: { kind: 'latest' }, into: running, force: true }).then(() => null, (e: Error) => e);
    expect(err?.message).to.match(/running on .*stop the service first/);
    const stopped = path.join(dir, 'r-time');
    await restored[0]!.stop();
    expect(latestServer).to.not.equal(undefined);
    err = await restoreBackup({ target, to: { kind: 'latest' }, into: stopped }).then(() => null, (e: Error) => e);
    expect(err?.message).to.match(/already holds a database.*--force/);
    const again = await restoreBackup({ target, to: { kind: 'latest' }, into: stopped, force: true });
    restored.push(again.server);
    expect(again.movedAside).to.match(/data\.before-restore-/);
    expect(fs.existsSync(path.join(again.movedAside!, 'PG_VERSION'))).to.equal(true);
    expect(await probeCount(again.server)).to.equal(100);
  });

  it('when a migration damages data and the next one fails, then the restore point taken before them brings the data back', async () => {
    const migrations = path.join(dir, 'migrations');
    fs.mkdirSync(migrations);
    for (const f of fs.readdirSync(migrationsDir())) fs.copyFileSync(path.join(migrationsDir(), f), path.join(migrations, f));
    fs.writeFileSync(path.join(migrations, '9990_test_damage.sql'), 'DELETE FROM backup_probe;');
    fs.writeFileSync(path.join(migrations, '9991_test_fails.sql'), 'ALTER TABLE no_such_table ADD COLUMN x int;');
    const guard = await guardMigrations(db, { target, databaseUrl: source.url, baseEveryMin: 24 * 60, dir: migrations });
    expect(guard?.pending).to.deep.equal(['9990_test_damage.sql', '9991_test_fails.sql']);
    expect(guard?.baseBackup).to.equal(null); // the one taken above is recent
    expect(guard?.howToGoBack).to.contain(`--to point:${guard!.point}`);
    const failed = await migrate(db, migrations).then(() => null, (e: Error) => e);
    expect(failed?.message).to.match(/9991_test_fails\.sql failed/);
    expect((await db.query('SELECT count(*)::int AS n FROM backup_probe')).rows[0].n).to.equal(0);
    const back = await restoreBackup({ target, to: { kind: 'point', name: guard!.point! }, into: path.join(dir, 'r-point') });
    restored.push(back.server);
    expect(await probeCount(back.server)).to.equal(100);
    const rdb = createPool(back.server.url, { max: 1 });
    try {
      const applied = (await rdb.query(`SELECT name FROM schema_migrations WHERE name LIKE '999%'`)).rows;
      expect(applied).to.deep.equal([]);
    } finally {
      await rdb.end();
    }
  });

  it('when an archived WAL segment is damaged, then `backup verify` says which', async () => {
    const seg = walSegments(target).at(-1)!;
    const file = path.join(target.walDir, `${seg}.gz`);
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const check = await verifyBackups(target);
    expect(check.ok).to.equal(false);
    expect(check.wal.corrupt).to.include(seg);
    fs.writeFileSync(file, bytes);
  });

  it('when the schedule looks, then it takes a base backup only when the newest is older than the period, and retention keeps the window', async () => {
    const before = listBaseBackups(target).length;
    const schedule = { target, databaseUrl: source.url, baseEveryMin: 24 * 60, keepDays: 30 };
    expect(await backupTick(db, schedule)).to.equal(null); // the newest is minutes old
    const taken = await backupTick(db, { ...schedule, baseEveryMin: 0 });
    expect(taken).to.be.a('string');
    expect(listBaseBackups(target).length).to.equal(before + 1);
    // 31 days on: every base backup is outside the window but the newest, kept so its first minute stays restorable.
    const removed = await applyRetention(target, 30, new Date(Date.now() + 31 * 86_400_000));
    expect(listBaseBackups(target).map((b) => b.id)).to.deep.equal([taken]);
    expect(removed.length).to.equal(before);
    const oldestKept = listBaseBackups(target)[0]!.startWal;
    expect(walSegments(target).every((w) => w.slice(8) >= oldestKept.slice(8))).to.equal(true);
    expect((await verifyBackups(target)).ok).to.equal(true);
  });
});
