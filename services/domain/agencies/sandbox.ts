import { randomBytes } from 'node:crypto';
import { inTransaction, type Db } from '../../db/pool';
import { sealSecret } from '../../pki/key-envelope';
import { createApiKey } from '../apikeys/api-key.repository';
import { issueDevCertificate } from '../pki/dev-pki';
import { endpointUrlProblem } from './address-policy';
import { upsertAgency } from './agency.repository';
import { SANDBOX_CODE_PREFIX } from './sandbox-rule';

export interface SandboxAgency {
  code: string;
  name: string;
  channel: 'hosted' | 'push';
  apiKey: string;
  /** Whether a signing certificate was issued (dev mode); otherwise the operator imports one. */
  certificate: boolean;
}

/** The vendor's endpoint breaks the push rules: nothing was created. */
export class SandboxEndpointError extends Error {
  override name = 'SandboxEndpointError';
}

export interface SandboxOptions {
  /** The vendor's receiver: the second agency is then a push agency delivering there. */
  endpoint?: string;
  secret?: string;
  format?: 'edxml' | 'json';
}


/**
 * Two test agencies for a vendor, in one transaction: marked `sandbox` (left out of every
 * statistic) and from real agencies (sandbox-rule.ts), named "[THỬ NGHIỆM] …", members of no group, each
 * with an API key and — in dev mode — a signing certificate from the development CA.
 */
export async function createSandbox(db: Db, masterKey: Buffer, devMode: boolean, opts: SandboxOptions = {}): Promise<SandboxAgency[]> {
  // The endpoint rules every push enforces (http(s) only, https outside dev mode, no credentials, no
  // internal address literal), checked before anything is saved: a sandbox agency has no
  // --allow-private-endpoint.
  if (opts.endpoint) {
    const problem = endpointUrlProblem(opts.endpoint, devMode, false);
    if (problem) throw new SandboxEndpointError(`--endpoint ${opts.endpoint}: ${problem}`);
  }
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const tag = Array.from(randomBytes(6), (b) => alphabet[b % alphabet.length]).join('');
  const plan = [
    { code: `${SANDBOX_CODE_PREFIX}${tag}.A`, name: `[THỬ NGHIỆM] Cơ quan gửi ${tag}`, channel: 'hosted' as const },
    { code: `${SANDBOX_CODE_PREFIX}${tag}.B`, name: `[THỬ NGHIỆM] Cơ quan nhận ${tag}`, channel: opts.endpoint ? ('push' as const) : ('hosted' as const) },
  ];
  return inTransaction(db, async (tx) => {
    const out: SandboxAgency[] = [];
    for (const a of plan) {
      const push = a.channel === 'push';
      await upsertAgency(tx, { code: a.code, name: a.name, level: 1, channel: a.channel, endpointUrl: push ? opts.endpoint! : null, pushFormat: opts.format ?? 'edxml' });
      // The SANDBOX. prefix is the mark (agencies.sandbox is generated from it, migration 0046).
      if (push && opts.secret) await tx.query(`UPDATE agencies SET webhook_secret_enc = $2 WHERE code = $1`, [a.code, sealSecret(opts.secret, masterKey, 'webhook-secret')]);
      const { key } = await createApiKey(tx, a.code, 'sandbox');
      if (devMode) await issueDevCertificate(tx, masterKey, true, { code: a.code, name: a.name });
      out.push({ code: a.code, name: a.name, channel: a.channel, apiKey: key, certificate: devMode });
    }
    return out;
  });
}
