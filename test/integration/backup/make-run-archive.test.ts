import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { waitArchived } from '../../../services/backup/restore-points';
import { createPool } from '../../../services/db/pool';
import { startRunInstance } from '../../support/make-run-instance';

/**
 * `make run` with its data folder in a fresh private folder (`mktemp -d`, 0700), as README's set-up
 * allows, as root or not. As root the PostgreSQL server's own user cannot reach that folder, so its
 * cluster lives in a private home elsewhere (cluster-home.ts); the WAL archive beside the data
 * folder must still be the server's to write, or every archived segment fails and the base backups
 * cannot be rolled forward.
 */
describe('make run in a private mktemp data folder: WAL archiving into <data folder>-backups', function () {
  this.timeout(360_000);

  it('when a WAL segment is switched, then the server archives it (none failed) into the backup folder', async () => {
    const run = await startRunInstance();
    try {
      const port = Number(fs.readFileSync(path.join(run.dataDir, 'postgres', 'port'), 'utf8').trim());
      const db = createPool(`postgres://lienthong@127.0.0.1:${port}/lienthong`, { max: 1 });
      try {
        expect(await waitArchived(db, 120_000), 'a switched segment was archived').to.equal(true);
        const a = (await db.query<{ archived: number; failed: number }>('SELECT archived_count::int AS archived, failed_count::int AS failed FROM pg_stat_archiver')).rows[0]!;
        expect(a.archived).to.be.greaterThan(0);
        expect(a.failed, 'no archive attempt failed').to.equal(0);
        const wal = fs.readdirSync(path.join(`${run.dataDir}-backups`, 'wal'));
        expect(wal.filter((f) => /^[0-9A-F]{24}\.gz$/.test(f))).to.have.length.greaterThan(0);
      } finally {
        await db.end();
      }
    } finally {
      await run.stop();
    }
  });
});
