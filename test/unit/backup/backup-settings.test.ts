import { expect } from 'chai';
import { archiveCommand, recoverySettings, restoreCommand } from '../../../services/backup/archive-settings';
import { defaultBackupDir, resolveBackupDir } from '../../../services/backup/backup-target';
import { parseRestoreTo } from '../../../services/backup/restore';

describe('backup settings: restore targets, archive commands, the backup folder', () => {
  it('when --to is latest, point:NAME or a time with its zone, then it is parsed; anything else is refused with the forms it takes', () => {
    expect(parseRestoreTo('latest')).to.deep.equal({ kind: 'latest' });
    expect(parseRestoreTo('point:before-0050_x-20261204T210046Z')).to.deep.equal({ kind: 'point', name: 'before-0050_x-20261204T210046Z' });
    const t = parseRestoreTo('2026-12-04T21:05:00+07:00');
    expect(t.kind === 'time' && t.at.toISOString()).to.equal('2026-12-04T14:05:00.000Z');
    for (const bad of ['yesterday', 'point:', '', '21:05']) expect(() => parseRestoreTo(bad), bad).to.throw(/--to takes latest, point:NAME or a time/);
  });

  it('when a recovery target time is written for postgresql.conf, then it is in the form PostgreSQL reads, with the zone', () => {
    const s = recoverySettings('/b/wal', { time: new Date('2026-12-04T14:05:00.123Z') });
    expect(s.recovery_target_time).to.equal("'2026-12-04 14:05:00.123+00'");
    expect(s.recovery_target_inclusive).to.equal('off');
    expect(recoverySettings('/b/wal', { point: 'p1' }).recovery_target_name).to.equal("'p1'");
    expect(recoverySettings('/b/wal', {})).to.not.have.property('recovery_target_time');
  });

  it('when the backup folder has characters a shell would read, then the archive and restore commands are refused', () => {
    expect(archiveCommand('/srv/backups/wal')).to.contain('/srv/backups/wal/%f.gz');
    expect(restoreCommand('/srv/backups/wal')).to.contain('gzip -dc');
    for (const bad of ["/srv/it's/wal", '/srv/my backups/wal', '/srv/$(rm -rf)/wal', '/srv/100%/wal']) {
      expect(() => archiveCommand(bad), bad).to.throw(/letters, digits/);
    }
  });

  it('when no folder is configured, then the embedded set-up keeps backups beside its data folder and an external database has none; off turns them off', () => {
    expect(defaultBackupDir('/var/lib/lienthong/')).to.equal('/var/lib/lienthong-backups');
    expect(resolveBackupDir(undefined, '/var/lib/lienthong', true)).to.equal('/var/lib/lienthong-backups');
    expect(resolveBackupDir(undefined, '/var/lib/lienthong', false)).to.equal(undefined);
    expect(resolveBackupDir('off', '/var/lib/lienthong', true)).to.equal(undefined);
    expect(resolveBackupDir('/mnt/b', '/var/lib/lienthong', false)).to.equal('/mnt/b');
  });
});
