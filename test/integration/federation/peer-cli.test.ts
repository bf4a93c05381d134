import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { peerCommand } from '../../../services/cli/commands/peer.command';
import { CliUsageError, type CliContext } from '../../../services/cli/cli-context';
import { loadConfig } from '../../../services/config/config';
import { createPool, type Db } from '../../../services/db/pool';
import { findPeer, peerSecret, peerServing } from '../../../services/domain/peers/peer.repository';
import { testEnv, uniqueTag } from '../../support/test-env';

describe('operator CLI: lienthong peer add|update|list|remove', function () {
  this.timeout(60_000);
  let db: Db;
  const id = `H${uniqueTag(5)}`;
  const tag = uniqueTag();
  const secretVar = `PEER_SECRET_CLI_${uniqueTag(4)}`;
  const secret = randomBytes(24).toString('hex');
  let printed: unknown;
  const ctx = (): CliContext => ({ db, config: loadConfig(), json: true, out: (v) => (printed = v) });
  const refusal = async (args: string[]): Promise<Error | undefined> => {
    try {
      await peerCommand(args, ctx());
    } catch (e) {
      return e as Error;
    }
    return undefined;
  };

  before(() => {
    db = createPool(testEnv().databaseUrl, { max: 2 });
    process.env[secretVar] = secret;
  });
  after(async () => {
    delete process.env[secretVar];
    await db.end();
  });

  it('adds a peer with its URL, its codes and the secret sealed (never printed), then lists, updates and removes it', async () => {
    await peerCommand(['add', '--id', id, '--url', 'http://127.0.0.1:9/', '--secret-env', secretVar, '--codes', `${tag}.*, 000.00.??.${tag}`, '--allow-private-endpoint'], ctx());
    expect(JSON.stringify(printed)).to.not.include(secret);
    const peer = (await findPeer(db, id))!;
    expect(peer).to.include({ url: 'http://127.0.0.1:9', allowPrivateEndpoint: true });
    expect(peer.codePatterns).to.deep.equal([`${tag}.*`, `000.00.??.${tag}`]);
    expect(peer.secretEnc).to.not.include(secret);
    expect(peerSecret(peer, loadConfig().masterKey)).to.equal(secret);
    expect((await peerServing(db, `${tag}.7`))?.id).to.equal(id);
    expect(await peerServing(db, `${uniqueTag()}.7`)).to.equal(undefined);
    await peerCommand(['list'], ctx());
    expect((printed as { id: string }[]).map((p) => p.id)).to.include(id);
    expect(JSON.stringify(printed)).to.not.include('secretEnc');
    await peerCommand(['update', '--id', id, '--codes', `${tag}.1`], ctx());
    expect((await findPeer(db, id))!.codePatterns).to.deep.equal([`${tag}.1`]);
    expect(await peerServing(db, `${tag}.7`)).to.equal(undefined);
    await peerCommand(['remove', '--id', id], ctx());
    expect(await findPeer(db, id)).to.equal(undefined);
    const audit = await db.query(`SELECT action, detail::text AS detail FROM audit_log WHERE action LIKE 'peer.%' AND detail->>'id' = $1 ORDER BY id`, [id]);
    expect(audit.rows.map((r) => r.action)).to.deep.equal(['peer.add', 'peer.update', 'peer.remove']);
    expect(audit.rows.map((r) => r.detail).join()).to.not.include(secret);
  });

  it('refuses with a reason and saves nothing: unknown flags, a bad id, a catch-all pattern, a missing or short secret, a loopback URL not allowed, a duplicate', async () => {
    const other = `H${uniqueTag(5)}`;
    const base = ['add', '--id', other, '--url', 'http://127.0.0.1:9', '--secret-env', secretVar, '--codes', `${tag}.*`, '--allow-private-endpoint'];
    const cases: [string[], RegExp][] = [
      [[...base, '--secret', 'x'], /Unknown option|options here/],
      [['add', '--id', 'hub a', ...base.slice(3)], /--id/],
      [[...base.slice(0, 7), '--codes', '*', '--allow-private-endpoint'], /mọi mã cơ quan/],
      [[...base.slice(0, 5), '--secret-env', 'PEER_SECRET_NOT_SET_ANYWHERE', ...base.slice(7)], /empty or not set/],
      [['add', '--id', other, '--url', 'http://127.0.0.1:9', '--secret-env', secretVar, '--codes', `${tag}.*`], /loopback/],
      [['add', '--id', other, '--url', 'ftp://peer.example', '--secret-env', secretVar, '--codes', `${tag}.*`], /http\(s\)/],
    ];
    for (const [args, reason] of cases) {
      const e = await refusal(args);
      expect(e, args.join(' ')).to.be.instanceOf(CliUsageError);
      expect(e!.message, args.join(' ')).to.match(reason);
      expect(await findPeer(db, other), args.join(' ')).to.equal(undefined);
    }
    process.env.PEER_SECRET_SHORT_TEST = 'short';
    expect((await refusal([...base.slice(0, 5), '--secret-env', 'PEER_SECRET_SHORT_TEST', ...base.slice(7)]))?.message).to.match(/shorter than 32/);
    delete process.env.PEER_SECRET_SHORT_TEST;
    await peerCommand(base, ctx());
    expect((await refusal(base))?.message).to.match(/exists already/);
    expect((await refusal(['remove', '--id', `H${uniqueTag(5)}`]))?.message).to.match(/no peer/);
    await peerCommand(['remove', '--id', other], ctx());
  });
});
