import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { isProcessAlive } from '../../../infra/embedded/common';
import { HOMES_ROOT } from '../../../infra/embedded/cluster-home';
import { startEmbeddedPostgres } from '../../../infra/embedded/embedded-postgres';
import { sweepStaleHomes } from '../../../infra/embedded/stale-cluster-homes';

const ENTRY = path.resolve(__dirname, '../../../infra/embedded/embedded-postgres.js');

/** A launcher in its own process: starts PostgreSQL for `dir`, says READY <postmaster pid>, then waits to be killed. */
function launcher(dir: string): Promise<{ child: ReturnType<typeof spawn>; postmaster: number }> {
  const code = `require(${JSON.stringify(ENTRY)}).startEmbeddedPostgres({ dir: ${JSON.stringify(dir)}, fast: true })` +
    `.then((s) => { process.stdout.write('READY ' + s.pid + '\\n'); setInterval(() => {}, 1000); }, (e) => { console.error(e); process.exit(3); });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no READY within 120 s:\n${out}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, postmaster: Number(m[1]) });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (c) => {
      clearTimeout(timer);
      reject(new Error(`launcher exited with ${c}:\n${out}`));
    });
  });
}

function lockedDir(parent: string, name: string): string {
  const d = path.join(parent, name);
  fs.mkdirSync(d, { mode: 0o700 });
  fs.chmodSync(d, 0o700);
  return path.join(d, 'pg');
}

describe('embedded PostgreSQL as root: cluster homes of killed launchers are cleaned at the next start (issue 24)', function () {
  this.timeout(300_000);
  let parent: string;
  before(function () {
    if (process.getuid?.() !== 0) this.skip(); // the private homes exist only for root
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-stale-homes-'));
  });
  after(() => {
    if (parent) fs.rmSync(parent, { recursive: true, force: true });
  });

  it('when a launcher was killed with -9 and its data folder deleted, then the next start stops the orphan server and removes its home; live homes stay', async () => {
    // 1. a launcher starts a cluster for a 0700 folder (so it lives in a private home), and is killed -9
    const gone = lockedDir(parent, 'gone');
    const { child, postmaster } = await launcher(gone);
    const goneHome = fs.readFileSync(path.join(gone, 'cluster-home'), 'utf8').trim();
    expect(goneHome.startsWith(HOMES_ROOT)).to.equal(true);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(isProcessAlive(postmaster), 'the server outlives its launcher').to.equal(true);
    fs.rmSync(path.dirname(gone), { recursive: true, force: true }); // as a temporary folder is, later

    // 2. a home whose folder is gone but whose owner (this process) lives is not touched
    const owned = path.join(HOMES_ROOT, `test-owned-${process.pid}`);
    fs.mkdirSync(owned, { mode: 0o700 });
    fs.writeFileSync(path.join(owned, 'data-folder'), '/nonexistent/folder\n');
    fs.writeFileSync(path.join(owned, 'owner.pid'), `${process.pid}\n`);

    // 3. the next start, for another 0700 folder: the stale home and its orphan server go
    const next = lockedDir(parent, 'next');
    const pg = await startEmbeddedPostgres({ dir: next, fast: true });
    const nextHome = fs.readFileSync(path.join(next, 'cluster-home'), 'utf8').trim();
    try {
      for (let i = 0; i < 100 && isProcessAlive(postmaster); i++) await new Promise((r) => setTimeout(r, 100));
      expect(isProcessAlive(postmaster), 'the orphan server was stopped').to.equal(false);
      expect(fs.existsSync(goneHome), 'the stale home was removed').to.equal(false);
      expect(fs.existsSync(owned), 'a home whose owner lives stays').to.equal(true);
      expect(fs.existsSync(path.join(nextHome, 'data', 'PG_VERSION'))).to.equal(true);
      // a second sweep finds nothing more to remove (the running cluster's home is claimed by its folder)
      expect(await sweepStaleHomes(HOMES_ROOT, () => undefined)).to.not.include(nextHome);
      expect(fs.existsSync(nextHome)).to.equal(true);
    } finally {
      await pg.stop();
      fs.rmSync(nextHome, { recursive: true, force: true });
      fs.rmSync(owned, { recursive: true, force: true });
    }
  });
});
