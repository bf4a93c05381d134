import { expect } from 'chai';
import { agencyCommand } from '../../../services/cli/commands/agency.command';
import { CliUsageError, type CliContext } from '../../../services/cli/cli-context';
import { loadConfig } from '../../../services/config/config';
import { createPool, type Db } from '../../../services/db/pool';
import { findAgency } from '../../../services/domain/agencies/agency.repository';
import { testEnv, uniqueTag } from '../../support/test-env';

describe('operator CLI: push endpoints are checked when saved (agency add|update)', function () {
  this.timeout(60_000);
  let db: Db;
  const tag = uniqueTag();
  const ctxFor = (devMode: boolean): CliContext => ({ db, config: { ...loadConfig(), LIENTHONG_DEV_MODE: devMode }, json: true, out: () => undefined });
  const refusal = async (args: string[], devMode = true): Promise<Error | undefined> => {
    try {
      await agencyCommand(args, ctxFor(devMode));
    } catch (e) {
      return e as Error;
    }
    return undefined;
  };

  before(() => {
    db = createPool(testEnv().databaseUrl, { max: 2 });
  });
  after(async () => db.end());

  it('when an endpoint is a loopback, private or metadata address, a name resolving to loopback, a non-http scheme, or plain http outside dev mode, then add refuses with the reason and saves nothing', async () => {
    const cases: [string, boolean, RegExp][] = [
      ['http://127.0.0.1:9/in', true, /loopback/],
      ['http://10.0.0.5/in', true, /mạng nội bộ/],
      ['http://169.254.169.254/latest/meta-data', true, /metadata/],
      ['http://localhost:9/in', true, /localhost phân giải tới địa chỉ loopback/],
      ['ftp://example.org/in', true, /http\(s\)/],
      ['http://example.org/in', false, /phải dùng https/],
    ];
    for (const [i, [url, dev, reason]] of cases.entries()) {
      const code = `${tag}.${i + 1}`;
      const e = await refusal(['add', '--code', code, '--name', 'Cơ quan thử', '--channel', 'push', '--endpoint', url], dev);
      expect(e, url).to.be.instanceOf(CliUsageError);
      expect(e!.message, url).to.match(reason);
      expect(await findAgency(db, code), url).to.equal(undefined);
    }
  });

  it('when the operator allows a private endpoint explicitly, then add and update accept it; update can withdraw the permission, and metadata stays refused', async () => {
    const code = `${tag}.20`;
    await agencyCommand(['add', '--code', code, '--name', 'Cơ quan nội bộ', '--channel', 'push', '--endpoint', 'http://127.0.0.1:9/in', '--allow-private-endpoint'], ctxFor(true));
    expect(await findAgency(db, code)).to.include({ endpointUrl: 'http://127.0.0.1:9/in', allowPrivateEndpoint: true, pushReceipt: false });
    await agencyCommand(['update', '--code', code, '--push-receipt'], ctxFor(true));
    expect(await findAgency(db, code)).to.include({ allowPrivateEndpoint: true, pushReceipt: true });
    const withdrawn = await refusal(['update', '--code', code, '--allow-private-endpoint', 'false']);
    expect(withdrawn?.message).to.match(/loopback/);
    expect(await findAgency(db, code)).to.include({ allowPrivateEndpoint: true }, 'a refused update changes nothing');
    const metadata = await refusal(['update', '--code', code, '--endpoint', 'http://169.254.169.254/x']);
    expect(metadata?.message).to.match(/metadata/);
    await agencyCommand(['update', '--code', code, '--endpoint', 'https://203.162.4.190/lienthong', '--allow-private-endpoint', 'false'], ctxFor(false));
    expect(await findAgency(db, code)).to.include({ endpointUrl: 'https://203.162.4.190/lienthong', allowPrivateEndpoint: false, pushReceipt: true });
  });
});
