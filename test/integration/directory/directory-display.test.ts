import { expect } from 'chai';
import { upsertRemoteAgency } from '../../../services/domain/agencies/agency.repository';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { getJson, startGateway, type RunningGateway } from '../../support/http.fixture';
import { uniqueTag } from '../../support/test-env';
import { createWebUser, WebClient } from '../web/web-client';

describe('directory: where each agency is reached (GET /v1/agencies and the admin directory page)', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let local: TestAgency;
  const tag = uniqueTag(3);
  const axisCode = `000.${tag}.00.G22`;
  const peerCode = `H${tag}.9`;

  before(async () => {
    gw = await startGateway();
    [local] = (await createAgencies(gw.db, 1, { withCertificates: false })) as [TestAgency];
    await upsertRemoteAgency(gw.db, { code: axisCode, altCode: `G22.${tag}`, name: 'Bộ qua trục', reachedVia: 'axis', seenAt: new Date('2026-12-01T01:02:00Z') });
    await upsertRemoteAgency(gw.db, { code: peerCode, name: 'Sở ở tỉnh bạn', reachedVia: 'peer', peerId: 'hub-tinh-ban' });
  });
  after(async () => gw?.close());

  it('GET /v1/agencies says local, peer (with the hub) or axis, with the second code form and last-seen', async () => {
    const r = await getJson(gw.baseUrl, '/v1/agencies', local.apiKey);
    expect(r.status).to.equal(200);
    const by = (code: string) => r.body.agencies.find((a: { code: string }) => a.code === code);
    expect(by(local.code)).to.include({ reachedVia: 'local', peerId: null, altCode: null, lastSeenAt: null });
    expect(by(axisCode)).to.include({ reachedVia: 'axis', peerId: null, altCode: `G22.${tag}`, lastSeenAt: '2026-12-01T01:02:00Z' });
    expect(by(peerCode)).to.include({ reachedVia: 'peer', peerId: 'hub-tinh-ban' });
  });

  it('the admin directory page shows the same in Vietnamese', async () => {
    const login = await createWebUser(gw.db, local.code, 'admin');
    const admin = new WebClient(gw.baseUrl);
    expect((await admin.signIn(login.username, login.password)).status).to.equal(303);
    const page = (await admin.get('/admin')).text;
    const row = (code: string) => new RegExp(`<tr data-agency="${code.replace(/\./g, '\\.')}">[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';
    expect(row(axisCode)).to.contain('Qua trục liên thông quốc gia').and.contain(`G22.${tag}`).and.contain('thấy lần cuối 01/12/2026');
    expect(row(peerCode)).to.contain('Qua hub ngang hàng hub-tinh-ban');
    expect(row(local.code)).to.contain('Tại hệ thống này');
  });
});
