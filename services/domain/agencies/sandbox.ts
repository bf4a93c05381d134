import { randomBytes } from 'node:crypto';
import { inTransaction, type Db } from '../../db/pool';
import { sealSecret } from '../../pki/key-envelope';
import { createApiKey } from '../apikeys/api-key.repository';
import { issueDevCertificate } from '../pki/dev-pki';
import { upsertAgency } from './agency.repository';

export interface SandboxAgency {
  code: string;
  name: string;
  channel: 'hosted' | 'push';
  apiKey: string;
  /** Whether a signing certificate was issued (dev mode); otherwise the operator imports one. */
  certificate: boolean;
}

export interface SandboxOptions {
  /** The vendor's receiver: the second agency is then a push agency delivering there. */
  endpoint?: string;
  secret?: string;
  format?: 'edxml' | 'json';
}

const SANDBOX_PREFIX = 'SANDBOX';

/** True for the codes `sandbox create` hands out (the `sandbox` column is what counts; this is for display). */
export function looksLikeSandbox(code: string): boolean {
  return code.startsWith(`${SANDBOX_PREFIX}.`);
}

/**
 * Two test agencies for a vendor, in one transaction: marked `sandbox` (left out of every
 * statistic), named "[THỬ NGHIỆM] …", members of no group (a group send never reaches them), each
 * with an API key and — in dev mode — a signing certificate from the development CA.
 */
export async function createSandbox(db: Db, masterKey: Buffer, devMode: boolean, opts: SandboxOptions = {}): Promise<SandboxAgency[]> {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const tag = Array.from(randomBytes(6), (b) => alphabet[b % alphabet.length]).join('');
  const plan = [
    { code: `${SANDBOX_PREFIX}.${tag}.A`, name: `[THỬ NGHIỆM] Cơ quan gửi ${tag}`, channel: 'hosted' as const },
    { code: `${SANDBOX_PREFIX}.${tag}.B`, name: `[THỬ NGHIỆM] Cơ quan nhận ${tag}`, channel: opts.endpoint ? ('push' as const) : ('hosted' as const) },
  ];
  return inTransaction(db, async (tx) => {
    const out: SandboxAgency[] = [];
    for (const a of plan) {
      const push = a.channel === 'push';
      await upsertAgency(tx, { code: a.code, name: a.name, level: 1, channel: a.channel, endpointUrl: push ? opts.endpoint! : null, pushFormat: opts.format ?? 'edxml' });
      await tx.query(`UPDATE agencies SET sandbox = true, webhook_secret_enc = $2 WHERE code = $1`, [
        a.code,
        push && opts.secret ? sealSecret(opts.secret, masterKey, 'webhook-secret') : null,
      ]);
      const { key } = await createApiKey(tx, a.code, 'sandbox');
      if (devMode) await issueDevCertificate(tx, masterKey, true, { code: a.code, name: a.name });
      out.push({ code: a.code, name: a.name, channel: a.channel, apiKey: key, certificate: devMode });
    }
    return out;
  });
}
