import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { agencyCommand } from '../../../services/cli/commands/agency.command';
import { apikeyCommand } from '../../../services/cli/commands/apikey.command';
import { groupCommand } from '../../../services/cli/commands/group.command';
import { CliUsageError, type CliContext } from '../../../services/cli/cli-context';
import { loadConfig } from '../../../services/config/config';
import { createPool, type Db } from '../../../services/db/pool';
import { authenticateApiKey } from '../../../services/domain/apikeys/api-key.repository';
import { testEnv, uniqueTag } from '../../support/test-env';

describe('operator CLI: the directory, groups and API keys', function () {
  this.timeout(60_000);
  let db: Db;
  let printed: unknown[];
  let ctx: CliContext;
  const tag = uniqueTag();

  before(() => {
    db = createPool(testEnv().databaseUrl, { max: 2 });
  });
  beforeEach(() => {
    printed = [];
    ctx = { db, config: loadConfig(), json: true, out: (v) => printed.push(v) };
  });
  after(async () => db.end());

  it('when a CSV with quoted Vietnamese names and groups is imported, then every agency and membership is in the directory', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lt-csv-')), 'agencies.csv');
    fs.writeFileSync(
      file,
      [
        'code,name,parent,level,channel,endpoint,groups',
        `${tag}.1,"Sở Nội vụ, tỉnh Đắk Lắk",,1,hosted,,cli-${tag.toLowerCase()}`,
        `${tag}.2,"Phòng ""Một cửa"" huyện Lắk",${tag}.1,2,paper,,cli-${tag.toLowerCase()}`,
      ].join('\r\n'),
    );
    expect(await agencyCommand(['import', file], ctx)).to.equal(undefined);
    expect(printed).to.deep.equal([{ imported: 2 }]);
    const rows = await db.query(`SELECT code, name, parent_code AS parent, channel FROM agencies WHERE code LIKE $1 ORDER BY code`, [`${tag}.%`]);
    expect(rows.rows).to.deep.equal([
      { code: `${tag}.1`, name: 'Sở Nội vụ, tỉnh Đắk Lắk', parent: null, channel: 'hosted' },
      { code: `${tag}.2`, name: 'Phòng "Một cửa" huyện Lắk', parent: `${tag}.1`, channel: 'paper' },
    ]);
    const members = await db.query(`SELECT agency_code FROM agency_group_members WHERE group_id = $1 ORDER BY 1`, [`cli-${tag.toLowerCase()}`]);
    expect(members.rows.map((r) => r.agency_code)).to.deep.equal([`${tag}.1`, `${tag}.2`]);
  });

  it('when an agency code breaks the identifier rule or a push agency has no endpoint, then the command refuses with a usage error', async () => {
    const refusal = async (args: string[]) => {
      try {
        await agencyCommand(args, ctx);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const lower = await refusal(['add', '--code', 'abc.1', '--name', 'x']);
    expect(lower).to.be.instanceOf(CliUsageError);
    expect((lower as Error).message).to.contain('^[0-9A-Z.]{1,35}$');
    const push = await refusal(['add', '--code', `${tag}.9`, '--name', 'x', '--channel', 'push']);
    expect(push).to.be.instanceOf(CliUsageError);
    expect((push as Error).message).to.contain('--endpoint');
    expect((await db.query(`SELECT 1 FROM agencies WHERE code = $1`, [`${tag}.9`])).rowCount).to.equal(0);
  });

  it('when a group is added with a member and a key is created then revoked, then the key authenticates only before the revocation', async () => {
    await groupCommand(['add', '--id', `g-${tag.toLowerCase()}`, '--name', 'Nhóm thử'], ctx);
    await groupCommand(['add-member', '--id', `g-${tag.toLowerCase()}`, '--agency', `${tag}.1`], ctx);
    await apikeyCommand(['create', '--agency', `${tag}.1`, '--scope', 'monitor'], ctx);
    const created = printed.find((p) => (p as { key?: string }).key) as { id: string; key: string; scopes: string[] };
    expect(created.scopes).to.deep.equal(['monitor']);
    expect((await authenticateApiKey(db, created.key))?.agencyCode).to.equal(`${tag}.1`);
    expect(await apikeyCommand(['revoke', created.id], ctx)).to.equal(0);
    expect(await authenticateApiKey(db, created.key)).to.equal(undefined);
    const stored = await db.query(`SELECT key_hash FROM api_keys WHERE id = $1`, [created.id]);
    expect(Buffer.from(stored.rows[0].key_hash).toString('utf8')).not.to.contain(created.key.slice(3, 20));
  });
});
