import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { expect } from 'chai';
import { startEmbeddedPostgres } from '../../../infra/embedded/embedded-postgres';
import type { EmbeddedServer } from '../../../infra/embedded/common';
import { archiveSettings } from '../../../services/backup/archive-settings';
import { takeBaseBackup } from '../../../services/backup/base-backup';
import { backupTarget, ensurePrivateTarget, ownerOf, type BackupTarget } from '../../../services/backup/backup-target';
import { waitArchived } from '../../../services/backup/restore-points';
import { listS3, restoreFromS3, verifyS3 } from '../../../services/backup/s3-commands';
import { pushToS3, remoteBases, remoteIndex, removeExpiredRemote } from '../../../services/backup/s3-sync';
import { s3Tick } from '../../../services/backup/backup-scheduler';
import { listRemote, s3SettingsFromEnv, s3Target, type S3Target } from '../../../services/backup/s3-target';
import { projectRoot } from '../../../services/config/project-root';
import { createPool, type Db } from '../../../services/db/pool';
import { migrate } from '../../../services/db/migrator';
import { verifyLedger } from '../../../services/domain/ledger/ledger-verify';

const run = promisify(execFile);
const BUCKET = 'lt-backups';

/** s3rver (an S3-compatible server from npm, a devDependency) in its own process on a free port. */
async function startS3rver(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const bin = path.join(projectRoot(), 'node_modules', 's3rver', 'bin', 's3rver.js');
  const child = spawn(process.execPath, [bin, '-d', dir, '-a', '127.0.0.1', '-p', '0', '--silent', '--no-vhost-buckets', '--configure-bucket', BUCKET], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`s3rver did not start:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (c) => reject(new Error(`s3rver exited with ${c}:\n${out}`)));
  });
  return { child, port };
}

/** A pass-through proxy in front of the server that records each request's method, path and headers. */
async function recordingProxy(targetPort: number): Promise<{ server: http.Server; port: number; seen: { method: string; url: string; headers: http.IncomingHttpHeaders }[] }> {
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    const up = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

async function probeCount(url: string): Promise<number> {
  const db = createPool(url, { max: 1 });
  try {
    return (await db.query('SELECT count(*)::int AS n FROM s3_probe')).rows[0].n as number;
  } finally {
    await db.end();
  }
}

describe('backups to an S3-compatible target: uploaded with SSE, listed, verified and restored from the bucket (issue 26)', function () {
  this.timeout(300_000);
  let dir: string;
  let s3rver: ChildProcess;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let s3: S3Target;
  let env: NodeJS.ProcessEnv;
  let source: EmbeddedServer;
  let db: Db;
  let target: BackupTarget;
  const servers: EmbeddedServer[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-s3-'));
    fs.chmodSync(dir, 0o755);
    const started = await startS3rver(path.join(dir, 's3rver'));
    s3rver = started.child;
    proxy = await recordingProxy(started.port);
    env = {
      ...process.env,
      LIENTHONG_BACKUP_S3_ENDPOINT: `http://127.0.0.1:${proxy.port}`,
      LIENTHONG_BACKUP_S3_BUCKET: BUCKET,
      LIENTHONG_BACKUP_S3_PREFIX: 'province/lienthong',
      LIENTHONG_BACKUP_S3_ACCESS_KEY_ENV: 'TEST_S3_KEY',
      LIENTHONG_BACKUP_S3_SECRET_KEY_ENV: 'TEST_S3_SECRET',
      TEST_S3_KEY: 'S3RVER',
      TEST_S3_SECRET: 'S3RVER',
    };
    s3 = s3Target(s3SettingsFromEnv(env)!);
    target = backupTarget(path.join(dir, 'backups'));
    ensurePrivateTarget(target);
    source = await startEmbeddedPostgres({ dir: path.join(dir, 'source'), settings: archiveSettings(target.walDir, 1) });
    ensurePrivateTarget(target, ownerOf(source.dataDir!));
    db = createPool(source.url, { max: 2 });
    await migrate(db);
    await db.query('CREATE TABLE s3_probe (n integer PRIMARY KEY)');
  });

  after(async () => {
    await db?.end();
    for (const s of servers) await s.stop().catch(() => undefined);
    await source?.stop();
    proxy?.server.close();
    s3rver?.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when the credentials are not in the named variables, then the configuration says which to set', () => {
    expect(() => s3SettingsFromEnv({ LIENTHONG_BACKUP_S3_BUCKET: 'b', LIENTHONG_BACKUP_S3_ACCESS_KEY_ENV: 'MY_KEY' })).to.throw(/MY_KEY and AWS_SECRET_ACCESS_KEY/);
    expect(s3SettingsFromEnv({})).to.equal(undefined);
  });

  it('when a base backup and WAL are copied, then every object is in the bucket under the prefix, each written with SSE-S3 requested', async () => {
    await db.query('INSERT INTO s3_probe SELECT generate_series(1, 40)');
    await takeBaseBackup(source.url, target, 'test-s3');
    await db.query('INSERT INTO s3_probe SELECT generate_series(41, 100)');
    expect(await waitArchived(db, 60_000)).to.equal(true);
    proxy.seen.length = 0;
    const uploaded = await pushToS3(target, s3);
    expect(uploaded.some((k) => /^base\/[^/]+\/pgdata\.tar\.gz$/.test(k))).to.equal(true);
    expect(uploaded.filter((k) => k.startsWith('wal/')).length).to.be.greaterThan(0);
    const writes = proxy.seen.filter((r) => r.method === 'PUT' || (r.method === 'POST' && r.url.includes('uploads')));
    expect(writes.length).to.be.at.least(uploaded.length);
    for (const w of writes.filter((r) => !/partNumber=/.test(r.url))) expect(w.headers['x-amz-server-side-encryption'], w.url).to.equal('AES256');
    for (const w of writes) expect(w.url.startsWith(`/${BUCKET}/province/lienthong/`), w.url).to.equal(true);
    // a second copy sends nothing again
    expect(await pushToS3(target, s3)).to.deep.equal([]);
  });

  it("when the workers' S3 tick runs after new writes, then it uploads just the new WAL", async () => {
    const index = await remoteIndex(s3);
    await db.query('INSERT INTO s3_probe SELECT generate_series(101, 120)');
    await db.query('DELETE FROM s3_probe WHERE n > 100');
    expect(await waitArchived(db, 60_000)).to.equal(true);
    const up = await s3Tick(db, { target, databaseUrl: source.url, baseEveryMin: 1440, keepDays: 30, s3 }, index, true);
    expect(up!.length).to.be.greaterThan(0);
    expect(up!.every((k) => k.startsWith('wal/') || k === 'restore-points.jsonl'), up!.join(',')).to.equal(true);
  });

  it('when the backup folder is lost, then `backup list --s3` and `backup verify --s3` read the bucket alone', async () => {
    fs.rmSync(target.root, { recursive: true, force: true });
    const listed = await listS3(s3);
    expect(listed.bases.map((b) => b.label)).to.deep.equal(['test-s3']);
    expect(listed.wal.segments).to.be.greaterThan(0);
    const check = await verifyS3(s3, path.join(dir, 'verify-cache'));
    expect(check.problems).to.deep.equal([]);
    expect(check.ok).to.equal(true);
    // the CLI, as an operator runs it
    const cli = path.join(projectRoot(), 'bin', 'lienthong');
    const { stdout } = await run(process.execPath, [cli, 'backup', 'list', '--s3', '--json'], { env: { ...env, DATABASE_URL: source.url } });
    expect((JSON.parse(stdout) as { bases: unknown[] }).bases.length).to.equal(1);
  });

  it('when restored from the bucket, then the restored server has every row archived, and its ledger verifies', async () => {
    const r = await restoreFromS3(s3, path.join(dir, 'restore-cache'), { to: { kind: 'latest' }, into: path.join(dir, 'restored'), force: false, log: () => undefined });
    servers.push(r.server);
    expect(await probeCount(r.server.url)).to.equal(100);
    const rdb = createPool(r.server.url, { max: 1 });
    try {
      expect((await verifyLedger(rdb)).ok).to.equal(true);
    } finally {
      await rdb.end();
    }
    // and through the CLI: restore --from s3 into another folder
    await r.server.stop();
    const cli = path.join(projectRoot(), 'bin', 'lienthong');
    const { stdout } = await run(process.execPath, [cli, 'restore', '--from', 's3', '--to', 'latest', '--into', path.join(dir, 'restored-cli'), '--json'], { env, timeout: 240_000 });
    expect((JSON.parse(stdout) as { from: string; base: string }).from).to.equal('s3');
    const again = await startEmbeddedPostgres({ dir: path.join(dir, 'restored-cli') });
    servers.push(again);
    expect(await probeCount(again.url)).to.equal(100);
  });

  it('when a newer base backup exists and the window has passed, then the bucket keeps it and drops the older one with its WAL', async () => {
    const t2 = backupTarget(path.join(dir, 'backups2'));
    ensurePrivateTarget(t2, ownerOf(path.join(dir, 'source', 'data')));
    const newer = await takeBaseBackup(source.url, t2, 'test-s3-newer');
    await pushToS3(t2, s3);
    const before = await remoteBases(s3);
    expect(before.map((b) => b.label)).to.deep.equal(['test-s3', 'test-s3-newer']);
    const removed = await removeExpiredRemote(s3, 1, new Date(Date.now() + 3 * 86_400_000));
    expect(removed).to.deep.equal([before[0]!.id]);
    const keys = (await listRemote(s3)).map((o) => o.key);
    expect(keys.filter((k) => k.startsWith(`base/${before[0]!.id}/`))).to.deep.equal([]);
    expect(keys).to.include(`base/${newer.id}/backup.json`);
    const oldWal = keys.filter((k) => /^wal\/[0-9A-F]{24}\.gz$/.test(k) && k.slice(12, 28) < newer.startWal.slice(8));
    expect(oldWal).to.deep.equal([]);
  });
});
