import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { run } from '../../../infra/embedded/common';
import { resolveRunAs } from '../../../infra/embedded/embedded-postgres';
import { waitArchived } from '../../../services/backup/restore-points';
import { pgTool } from '../../../services/backup/pg-tools';
import { projectRoot } from '../../../services/config/project-root';
import { createPool, type Db } from '../../../services/db/pool';
import { freePort } from '../../../infra/embedded/free-port';

const execNode = promisify(execFile);
const CLI = path.join(projectRoot(), 'bin', 'lienthong');

/**
 * An external PostgreSQL: a cluster made with initdb and started with pg_ctl by the test itself, as
 * an operator's server would be — not by Liên Thông's launcher — configured with the lines
 * `lienthong backup archive-command` prints; the CLI reaches it through DATABASE_URL only.
 */
describe('backups of an external PostgreSQL (DATABASE_URL): backup now, then restore latest (issue 26)', function () {
  this.timeout(300_000);
  let dir: string;
  let pgdata: string;
  let backups: string;
  let url: string;
  let db: Db;
  let owner: { uid: number; gid: number } | undefined;
  let restoredData: string | undefined;
  let runDir: string;

  const asServer = async (tool: string, args: string[]) => {
    const r = await run(pgTool(tool), args, { ...(owner ? { uid: owner.uid, gid: owner.gid } : {}), cwd: '/' });
    if (r.code !== 0) throw new Error(`${tool} ${args.join(' ')}: ${r.output}`);
  };
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    execNode(process.execPath, [CLI, ...args, '--json'], { env: { ...process.env, DATABASE_URL: url, ...env }, timeout: 240_000 }).then((r) => JSON.parse(r.stdout) as Record<string, unknown>);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-extpg-'));
    fs.chmodSync(dir, 0o755);
    owner = await resolveRunAs(() => undefined);
    pgdata = path.join(dir, 'pgdata');
    backups = path.join(dir, 'backups');
    // the backup folder: private, writable by the server's user (it archives the WAL into it)
    fs.mkdirSync(path.join(backups, 'wal'), { recursive: true, mode: 0o700 });
    fs.chmodSync(backups, 0o700);
    if (owner) for (const d of [backups, path.join(backups, 'wal')]) fs.chownSync(d, owner.uid, owner.gid);
    // the server's own folders: data, and one for its socket and logs
    runDir = path.join(dir, 'run');
    for (const d of [pgdata, runDir]) {
      fs.mkdirSync(d, { mode: 0o700 });
      if (owner) fs.chownSync(d, owner.uid, owner.gid);
    }
    await asServer('initdb', ['-D', pgdata, '-U', 'operator', '-A', 'trust', '--no-sync']);
    const port = await freePort();
    const settings = (await execNode(process.execPath, [CLI, 'backup', 'archive-command', '--dir', backups, '--json'], { env: process.env })).stdout;
    const lines = (JSON.parse(settings) as { settings: string[] }).settings.map((l) => l.replace("archive_timeout = '50s'", "archive_timeout = '1s'"));
    fs.appendFileSync(path.join(pgdata, 'postgresql.conf'), [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${runDir}'`, ...lines, ''].join('\n'));
    await asServer('pg_ctl', ['start', '-D', pgdata, '-l', path.join(runDir, 'server.log'), '-w', '-t', '60', '-s']);
    url = `postgres://operator@127.0.0.1:${port}/postgres`;
    db = createPool(url, { max: 2 });
    await db.query('CREATE TABLE ext_probe (n integer PRIMARY KEY)');
    await db.query('INSERT INTO ext_probe SELECT generate_series(1, 30)');
  });

  after(async () => {
    await db?.end();
    if (restoredData) await asServer('pg_ctl', ['stop', '-D', restoredData, '-m', 'fast', '-w', '-s']).catch(() => undefined);
    if (pgdata && fs.existsSync(path.join(pgdata, 'postmaster.pid'))) await asServer('pg_ctl', ['stop', '-D', pgdata, '-m', 'fast', '-w', '-s']).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when `backup now` runs against it and rows follow, then `restore --to latest` brings up a server with all of them', async () => {
    const taken = await cli(['backup', 'now', '--dir', backups]);
    expect(taken.id).to.be.a('string');
    await db.query('INSERT INTO ext_probe SELECT generate_series(31, 80)');
    expect(await waitArchived(db, 60_000)).to.equal(true);
    const listed = await cli(['backup', 'list', '--dir', backups]);
    expect((listed.bases as unknown[]).length).to.equal(1);
    expect((listed.wal as { segments: number }).segments).to.be.greaterThan(0);
    const verified = await cli(['backup', 'verify', '--dir', backups]);
    expect(verified.ok).to.equal(true);
    // the external server may be gone: the restore needs the folder only
    const into = path.join(dir, 'restored');
    const r = await cli(['restore', '--to', 'latest', '--into', into, '--from', backups], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(r.base).to.equal(taken.id);
    // started as the operator would start it, by hand, with the server's own pg_hba.conf back in place
    restoredData = path.join(into, 'data');
    expect(fs.readFileSync(path.join(restoredData, 'pg_hba.conf'), 'utf8')).to.equal(fs.readFileSync(path.join(pgdata, 'pg_hba.conf'), 'utf8'));
    expect(fs.existsSync(path.join(restoredData, 'pg_hba.conf.before-restore'))).to.equal(false);
    const port = await freePort();
    await asServer('pg_ctl', ['start', '-D', restoredData, '-l', path.join(runDir, 'restored.log'), '-w', '-t', '60', '-s', '-o', `-p ${port} -c unix_socket_directories=${runDir} -c archive_mode=off`]);
    const rdb = createPool(`postgres://operator@127.0.0.1:${port}/postgres`, { max: 1 });
    try {
      expect((await rdb.query('SELECT count(*)::int AS n FROM ext_probe')).rows[0].n).to.equal(80);
    } finally {
      await rdb.end();
    }
  });
});
