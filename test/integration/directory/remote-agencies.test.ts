import { expect } from 'chai';
import { createPool, type Db } from '../../../services/db/pool';
import { findAgency, upsertRemoteAgency } from '../../../services/domain/agencies/agency.repository';
import { createAgencies } from '../../support/agencies.fixture';
import { testEnv, uniqueTag } from '../../support/test-env';

describe('directory: remote agencies (migration 0060)', function () {
  this.timeout(60_000);
  let db: Db;
  before(() => {
    db = createPool(testEnv().databaseUrl, { max: 4 });
  });
  after(async () => {
    await db.end();
  });

  it('adds an axis agency with both code forms and last-seen, then applies a rename', async () => {
    const tag = uniqueTag(3);
    const fresh = `000.00.${tag}.G22`;
    const seen = new Date('2026-12-01T03:00:00Z');
    expect(await upsertRemoteAgency(db, { code: fresh, altCode: `G${tag}.01`, name: 'Bộ Thử nghiệm', reachedVia: 'axis', seenAt: seen })).to.equal('added');
    let row = await findAgency(db, fresh);
    expect(row).to.include({ altCode: `G${tag}.01`, reachedVia: 'axis', peerId: null, name: 'Bộ Thử nghiệm' });
    expect(row!.lastSeenAt!.toISOString()).to.equal(seen.toISOString());

    expect(await upsertRemoteAgency(db, { code: fresh, name: 'Bộ Thử nghiệm', reachedVia: 'axis' })).to.equal('unchanged');
    row = await findAgency(db, fresh);
    expect(row!.altCode, 'an absent second form keeps the stored one').to.equal(`G${tag}.01`);
    expect(row!.lastSeenAt!.getTime()).to.be.greaterThan(seen.getTime());

    expect(await upsertRemoteAgency(db, { code: fresh, name: 'Bộ Thử nghiệm và Phát triển', reachedVia: 'axis' })).to.equal('renamed');
    expect((await findAgency(db, fresh))!.name).to.equal('Bộ Thử nghiệm và Phát triển');
  });

  it('never takes over a local agency, and the axis does not take over a peer agency', async () => {
    const [local] = await createAgencies(db, 1, { withCertificates: false });
    expect(await upsertRemoteAgency(db, { code: local!.code, name: 'Tên từ trục', reachedVia: 'axis' })).to.equal('kept-local');
    const kept = await findAgency(db, local!.code);
    expect(kept).to.include({ name: local!.name, reachedVia: 'local', lastSeenAt: null });

    const code = `${uniqueTag()}.9`;
    expect(await upsertRemoteAgency(db, { code, name: 'Sở ở tỉnh bạn', reachedVia: 'peer', peerId: 'hub-b' })).to.equal('added');
    expect(await upsertRemoteAgency(db, { code, name: 'Sở ở tỉnh bạn (trục)', reachedVia: 'axis' })).to.equal('kept-peer');
    expect(await findAgency(db, code)).to.include({ reachedVia: 'peer', peerId: 'hub-b', name: 'Sở ở tỉnh bạn' });
    expect(await upsertRemoteAgency(db, { code, name: 'Sở ở tỉnh bạn', reachedVia: 'peer', peerId: 'hub-c' })).to.equal('updated');
    expect((await findAgency(db, code))!.peerId).to.equal('hub-c');
  });

  it('refuses a peer agency without its peer, a sandbox code, and a peer id on a local agency (schema)', async () => {
    const code = `${uniqueTag()}.1`;
    await upsertRemoteAgency(db, { code, name: 'x', reachedVia: 'peer' }).then(() => expect.fail('accepted'), (e: Error) => expect(e.message).to.match(/peerId/));
    await upsertRemoteAgency(db, { code: `SANDBOX.${uniqueTag()}.A`, name: 'x', reachedVia: 'axis' }).then(() => expect.fail('accepted'), (e: Error) => expect(e.message).to.match(/SANDBOX/));
    const [local] = await createAgencies(db, 1, { withCertificates: false });
    await db.query(`UPDATE agencies SET peer_id = 'hub-x' WHERE code = $1`, [local!.code]).then(
      () => expect.fail('accepted'),
      (e: { constraint?: string }) => expect(e.constraint).to.equal('agencies_peer_id_iff_peer'),
    );
  });
});
