import { expect } from 'chai';
import { sweepOnce } from '../../../services/pipeline/sweeper';
import { domainSweepChores } from '../../../services/domain/sweep-chores';
import { createStageQueues } from '../../../services/pipeline/stage-queues';
import { issueDevCertificate } from '../../../services/domain/pki/dev-pki';
import { createRedis } from '../../../services/pipeline/redis';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { sampleEdxml } from '../../support/fuzz-inputs';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { tableCounts } from '../../support/table-counts';
import { testEnv, uniqueTag } from '../../support/test-env';
import { WebClient, createWebUser } from '../web/web-client';

describe('intake: a sender that cannot sign is refused at the door (422 NO_SIGNING_CERTIFICATE)', function () {
  this.timeout(90_000);
  let gw: RunningGateway;
  let unsigned: TestAgency;
  let recipient: TestAgency;
  let pdf: Buffer;
  const masterKey = () => Buffer.from(testEnv().masterKeyHex, 'hex');

  before(async () => {
    gw = await startGateway();
    [unsigned, recipient] = (await createAgencies(gw.db, 2, { withCertificates: false })) as [TestAgency, TestAgency];
    pdf = await makePdf(1);
  });
  after(async () => gw.close());

  it('when the API, edXML and the web form send for an agency without a certificate, then each answers 422 saying what to do, and nothing is written; after pki issue it is accepted', async () => {
    const before = await tableCounts(gw.db);
    const api = await postDocument(gw.baseUrl, unsigned.apiKey, documentForm(metadataFor([recipient.code]), pdf));
    expect(api.status).to.equal(422);
    expect(api.body.error.code).to.equal('NO_SIGNING_CERTIFICATE');
    expect(api.body.error.message).to.include('chưa có chứng thư số').and.include(`lienthong pki import --agency ${unsigned.code}`);

    const edxml = await fetch(`${gw.baseUrl}/v1/edxml`, {
      method: 'POST',
      headers: { authorization: `Bearer ${unsigned.apiKey}`, 'content-type': 'application/xml' },
      body: sampleEdxml({ pdf, senderCode: unsigned.code, senderName: unsigned.name, recipients: [recipient.code] }),
    });
    const edxmlBody = (await edxml.json()) as { error: { code: string } };
    expect(edxml.status, JSON.stringify(edxmlBody)).to.equal(422);
    expect(edxmlBody.error.code).to.equal('NO_SIGNING_CERTIFICATE');

    const clerk = await createWebUser(gw.db, unsigned.code, 'clerk');
    const web = new WebClient(gw.baseUrl);
    expect((await web.signIn(clerk.username, clerk.password)).status).to.equal(303);
    const form = new FormData();
    form.append('_csrf', await web.csrf('/send'));
    const fields: Record<string, string> = {
      documentType: 'CV', number: '', notation: 'UBND-VP', issuedOn: '2026-03-05', place: 'Đắk Lắk', subject: 'Về việc thử gửi khi chưa có chứng thư',
      signerAuthority: '', signerPosition: 'CHỦ TỊCH', signerName: 'Nguyễn Văn A', urgency: 'normal', dueOn: '', source: 'upload', copies: 'Lưu: VT.',
      formKey: `fk-${uniqueTag(12)}`,
    };
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('recipients', recipient.code);
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'vb.pdf');
    const page = await web.request('POST', '/send', form);
    expect(page.status).to.equal(422);
    expect(page.text).to.include('chưa có chứng thư số còn hiệu lực');

    expect(await tableCounts(gw.db), 'nothing written by the three refusals').to.deep.equal(before);

    await issueDevCertificate(gw.db, masterKey(), true, unsigned);
    const again = await postDocument(gw.baseUrl, unsigned.apiKey, documentForm(metadataFor([recipient.code]), pdf));
    expect(again.status, JSON.stringify(again.body)).to.equal(202);
  });

  it('when a certificate expires within 30 days, then the sweeper leaves the agency one notice (not one per sweep), in its admin\'s and clerk\'s notification centre and on their pages', async () => {
    const [soon] = (await createAgencies(gw.db, 1, { withCertificates: false })) as [TestAgency];
    await issueDevCertificate(gw.db, masterKey(), true, soon, 'ec', { validDays: 10 });
    const admin = await createWebUser(gw.db, soon.code, 'admin');
    const clerk = await createWebUser(gw.db, soon.code, 'clerk');
    const otherClerk = await createWebUser(gw.db, recipient.code, 'clerk');
    const redis = createRedis(testEnv().redisUrl, 'producer');
    const queues = createStageQueues(redis, `exp-${uniqueTag().toLowerCase()}`);
    try {
      await sweepOnce(gw.db, queues, 3600_000, domainSweepChores);
      await sweepOnce(gw.db, queues, 3600_000, domainSweepChores);
    } finally {
      await queues.close();
      await redis.quit();
    }
    const notices = await gw.db.query(`SELECT message FROM agency_notices WHERE agency_code = $1 AND kind = 'certificate_expiring'`, [soon.code]);
    expect(notices.rows).to.have.length(1);
    expect(notices.rows[0].message).to.match(/hết hạn ngày \d\d\/\d\d\/\d{4} \(còn (9|10) ngày\)/);
    const message: string = notices.rows[0].message;
    const centre = await gw.db.query(
      `SELECT u.username, n.kind, n.title, n.link FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = ANY($1) ORDER BY u.username`,
      [[admin.username, clerk.username, otherClerk.username]],
    );
    expect(centre.rows, 'one notification each for the agency\'s admin and clerk, none for another agency').to.deep.equal(
      [admin.username, clerk.username].sort().map((username) => ({ username, kind: 'certificate_expiring', title: message, link: '/admin#certs' })),
    );
    const asAdmin = new WebClient(gw.baseUrl);
    expect((await asAdmin.signIn(admin.username, admin.password)).status).to.equal(303);
    const adminNotifications = await asAdmin.get('/notifications');
    expect(adminNotifications.text).to.contain('data-kind="certificate_expiring"').and.contain('Chứng thư số').and.contain(`lienthong pki import --agency ${soon.code}`);
    const adminPage = await asAdmin.get('/admin');
    const panel = adminPage.text.slice(adminPage.text.indexOf('id="agency-notices"'));
    expect(panel, 'the admin page lists the agency\'s notice').to.contain('data-notice-kind="certificate_expiring"').and.contain(`lienthong pki import --agency ${soon.code}`);
    const certs = adminPage.text.slice(adminPage.text.indexOf('id="certs"'));
    expect(certs, 'and flags the certificate in its list').to.match(/<tr class="is-late"><td data-label="Cơ quan">[^<]*<\/td><td data-label="Hết hạn">[^<]*<\/td><td data-label="Còn lại">(9|10) ngày/);
    const asClerk = new WebClient(gw.baseUrl);
    expect((await asClerk.signIn(clerk.username, clerk.password)).status).to.equal(303);
    expect((await asClerk.get('/outbox')).text, 'the clerk\'s outbox shows it').to.contain('data-notice-kind="certificate_expiring"');
    const asOther = new WebClient(gw.baseUrl);
    expect((await asOther.signIn(otherClerk.username, otherClerk.password)).status).to.equal(303);
    expect((await asOther.get('/outbox')).text, 'another agency does not').not.to.contain('id="agency-notices"');
  });
});
