import { expect } from 'chai';
import { endpointUrlProblem } from '../../../services/domain/agencies/address-policy';
import { createSandbox } from '../../../services/domain/agencies/sandbox';
import { loadConfig } from '../../../services/config/config';
import { startGateway, type RunningGateway } from '../../support/http.fixture';

/**
 * A sandbox's push endpoint obeys the rules every push does, checked before anything is saved; a
 * refusal advises --allow-private-endpoint only for addresses that option can allow.
 */
describe('push endpoint rules: sandbox endpoints and the refusal advice', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw.close();
  });

  it('advises --allow-private-endpoint for private and loopback addresses, never for metadata or unspecified ones', () => {
    expect(endpointUrlProblem('https://10.1.2.3/in', false, false)).to.match(/--allow-private-endpoint/);
    expect(endpointUrlProblem('https://127.0.0.1/in', false, false)).to.match(/--allow-private-endpoint/);
    for (const url of ['https://169.254.169.254/latest', 'https://[fd00:ec2::254]/in', 'https://0.0.0.0/in']) {
      const problem = endpointUrlProblem(url, false, false);
      expect(problem, url).to.match(/bị từ chối/);
      expect(problem, url).to.not.match(/allow-private-endpoint/);
      expect(endpointUrlProblem(url, false, true), `${url} even when private endpoints are allowed`).to.match(/bị từ chối/);
    }
  });

  it('refuses a sandbox endpoint with credentials, another scheme or a metadata address, and creates nothing', async () => {
    const config = loadConfig();
    const before = (await gw.db.query<{ n: string }>(`SELECT count(*) AS n FROM agencies`)).rows[0]!.n;
    for (const [endpoint, why] of [
      ['https://user:pass@vendor.example/in', /tên đăng nhập hay mật khẩu/],
      ['gopher://vendor.example/in', /phải là http\(s\)/],
      ['https://169.254.169.254/in', /metadata|siêu dữ liệu|169\.254\.169\.254/],
    ] as const) {
      const err = await createSandbox(gw.db, config.masterKey, true, { endpoint, secret: 's3cret' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, `${endpoint} must be refused`).to.be.instanceOf(Error);
      expect((err as Error).name).to.equal('SandboxEndpointError');
      expect((err as Error).message).to.match(why);
    }
    expect((await gw.db.query<{ n: string }>(`SELECT count(*) AS n FROM agencies`)).rows[0]!.n).to.equal(before);
    const ok = await createSandbox(gw.db, config.masterKey, true, { endpoint: 'https://vendor.example/in', secret: 's3cret' });
    expect(ok.map((a) => a.channel)).to.deep.equal(['hosted', 'push']);
  });
});
