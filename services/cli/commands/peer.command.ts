import { endpointUrlProblem } from '../../domain/agencies/address-policy';
import { recordAudit, type AdminAction } from '../../domain/audit/audit-log';
import { codePatternProblem } from '../../domain/peers/code-pattern';
import { findPeer, insertPeer, listPeers, PEER_SECRET_PURPOSE, removePeer, updatePeer, type PeerHub } from '../../domain/peers/peer.repository';
import { sealSecret } from '../../pki/key-envelope';
import { syncPeerDirectory } from '../../../workers/delivery/peer-directory-sync';
import { CliUsageError, parseArgs, required, type CliContext, type CommandHandler } from '../cli-context';

const SPEC = { id: 'string', url: 'string', 'secret-env': 'string', codes: 'string', 'allow-private-endpoint': 'flag' } as const;

/**
 * lienthong peer add --id ID --url URL --secret-env VAR --codes 'PATTERN,…' [--allow-private-endpoint]
 * | peer update --id ID [the options of add] | peer list | peer remove --id ID | peer sync [--id ID]
 * Another Liên Thông hub and the agency codes it serves (README § Federation).
 */
export const peerCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { options, positionals } = parseArgs(rest, SPEC);
  if (positionals.length > 0) throw new CliUsageError(`unexpected argument: ${positionals[0]}`);
  switch (sub) {
    case 'add': {
      const peer = {
        id: peerId(required(options, 'id')),
        url: peerUrl(ctx, required(options, 'url'), flag(options) ?? false),
        secretEnc: sealedSecret(ctx, required(options, 'secret-env')),
        codePatterns: patterns(required(options, 'codes')),
        allowPrivateEndpoint: flag(options) ?? false,
      };
      if (!(await insertPeer(ctx.db, peer))) throw new CliUsageError(`peer ${peer.id} exists already (peer update --id ${peer.id} …)`);
      await audit(ctx, 'peer.add', shown(peer));
      ctx.out(shown(peer), `peer ${peer.id} added: ${peer.url}, serving ${peer.codePatterns.join(', ')}`);
      return;
    }
    case 'update': {
      const id = peerId(required(options, 'id'));
      const before = await findPeer(ctx.db, id);
      if (!before) throw new CliUsageError(`no peer ${id} (peer list)`);
      const allowPrivate = flag(options);
      const change = {
        ...(options.url ? { url: peerUrl(ctx, options.url, allowPrivate ?? before.allowPrivateEndpoint) } : {}),
        ...(options['secret-env'] ? { secretEnc: sealedSecret(ctx, options['secret-env']) } : {}),
        ...(options.codes ? { codePatterns: patterns(options.codes) } : {}),
        ...(allowPrivate !== undefined ? { allowPrivateEndpoint: allowPrivate } : {}),
      };
      if (Object.keys(change).length === 0) throw new CliUsageError('nothing to update (--url, --secret-env, --codes, --allow-private-endpoint)');
      await updatePeer(ctx.db, id, change);
      await audit(ctx, 'peer.update', shown({ id, ...change }));
      const after = (await findPeer(ctx.db, id))!;
      ctx.out(shown(after), `peer ${id} updated: ${after.url}, serving ${after.codePatterns.join(', ')}`);
      return;
    }
    case 'list': {
      const peers = await listPeers(ctx.db);
      ctx.out(peers.map(shown), peers.length === 0 ? 'no peers' : peers.map(line).join('\n'));
      return;
    }
    case 'remove': {
      const id = peerId(required(options, 'id'));
      if (!(await removePeer(ctx.db, id))) throw new CliUsageError(`no peer ${id} (peer list)`);
      await audit(ctx, 'peer.remove', { id });
      ctx.out({ id, removed: true }, `peer ${id} removed; its agencies stay in the directory but relays to them fail until a peer serves them`);
      return;
    }
    case 'sync': {
      // The peers' own agencies into this directory (both code forms, the hub, last seen).
      const peers = options.id ? [await findPeer(ctx.db, peerId(options.id))] : await listPeers(ctx.db);
      if (peers.some((p) => !p)) throw new CliUsageError(`no peer ${options.id} (peer list)`);
      const results = [];
      for (const p of peers as PeerHub[]) results.push({ id: p.id, ...(await syncPeerDirectory(ctx.db, ctx.config, p)) });
      ctx.out(results, results.map((r) => `${r.id}: ${r.listed} listed, ${r.added} added, ${r.renamed} renamed, ${r.updated} updated, ${r['kept-local'] + r['kept-peer'] + r['not-served']} not taken`).join('\n') || 'no peers');
      return;
    }
    default:
      throw new CliUsageError("usage: lienthong peer sync [--id ID] | peer add --id ID --url URL --secret-env VAR --codes 'PATTERN,…' [--allow-private-endpoint] | peer update --id ID [options of add] | peer list | peer remove --id ID");
  }
};

/** A peer as printed and audited: never its sealed secret. */
function shown<T extends { secretEnc?: string }>(p: T): Omit<T, 'secretEnc'> & { secret?: 'set' } {
  const { secretEnc, ...rest } = p;
  return secretEnc ? { ...rest, secret: 'set' } : rest;
}

function line(p: PeerHub): string {
  return `${p.id}\t${p.url}\t${p.codePatterns.join(',')}${p.allowPrivateEndpoint ? '\tprivate-allowed' : ''}\tlast seen ${p.lastSeenAt ? p.lastSeenAt.toISOString() : 'never'}`;
}

function flag(options: Record<string, string>): boolean | undefined {
  const v = options['allow-private-endpoint'];
  if (v === undefined) return undefined;
  return ['true', 'yes', '1'].includes(v.toLowerCase());
}

function peerId(id: string): string {
  if (!/^[0-9A-Z.]{1,35}$/.test(id)) throw new CliUsageError('--id: 1–35 of 0-9, A-Z and dots (it is written into edXML TraceHeader/OrganId)');
  return id;
}

function peerUrl(ctx: CliContext, raw: string, allowPrivate: boolean): string {
  const problem = endpointUrlProblem(raw, ctx.config.LIENTHONG_DEV_MODE, allowPrivate);
  if (problem) throw new CliUsageError(`--url: ${problem}`);
  return raw.replace(/\/+$/, '');
}

/** The shared secret, read from the named environment variable (never the command line), sealed with the master key. */
function sealedSecret(ctx: CliContext, name: string): string {
  if (name === 'true' || !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) throw new CliUsageError('--secret-env: the NAME of an environment variable (letters, digits, _)');
  const value = process.env[name];
  if (!value) throw new CliUsageError(`--secret-env: environment variable ${name} is empty or not set`);
  if (value.length < 32) throw new CliUsageError(`--secret-env: the secret in ${name} is shorter than 32 characters`);
  return sealSecret(value, ctx.config.masterKey, PEER_SECRET_PURPOSE);
}

function patterns(raw: string): string[] {
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new CliUsageError('--codes: at least one agency-code pattern');
  for (const p of list) {
    const problem = codePatternProblem(p);
    if (problem) throw new CliUsageError(`--codes: ${problem}`);
  }
  return [...new Set(list)];
}

async function audit(ctx: CliContext, action: AdminAction, detail: Record<string, unknown>): Promise<void> {
  await recordAudit(ctx.db, { actor: 'operator:cli', actorAgency: null, action, agency: null, detail });
}
