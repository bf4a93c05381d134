import type { Channel } from '../../contracts';
import type { Db } from '../../services/db/pool';
import { addGroupMember, upsertAgency, upsertGroup } from '../../services/domain/agencies/agency.repository';
import { createApiKey } from '../../services/domain/apikeys/api-key.repository';
import { issueDevCertificate } from '../../services/domain/pki/dev-pki';
import { sealSecret } from '../../services/pki/key-envelope';
import { testEnv, uniqueTag } from './test-env';

export interface TestAgency {
  code: string;
  name: string;
  apiKey: string;
}

/**
 * A fresh set of agencies for one suite, with unique codes so suites never see each other's
 * documents: `<TAG>.<n>`, valid under ^[0-9A-Z.]{1,35}$. Each gets an API key and a certificate.
 */
export async function createAgencies(
  db: Db,
  count: number,
  opts: {
    channel?: Channel;
    group?: string;
    withCertificates?: boolean;
    /** With `withCertificates: false`: the first `signers` agencies still get a certificate (senders). */
    signers?: number;
    endpointUrl?: string;
    secret?: string;
    pushFormat?: 'edxml' | 'json';
    /** Default: true when `endpointUrl` is given (test receivers listen on 127.0.0.1). */
    allowPrivateEndpoint?: boolean;
    pushReceipt?: boolean;
    /** Where the certificates' CRL and OCSP URLs point (a test gateway's base URL); default: `make run`'s address. */
    revocationBaseUrl?: string;
  } = {},
): Promise<TestAgency[]> {
  const tag = uniqueTag();
  const masterKey = Buffer.from(testEnv().masterKeyHex, 'hex');
  const out: TestAgency[] = [];
  if (opts.group) await upsertGroup(db, opts.group, `Nhóm thử ${opts.group}`);
  for (let i = 1; i <= count; i++) {
    const a = { code: `${tag}.${i}`, name: `Cơ quan thử ${tag} số ${i}` };
    await upsertAgency(db, {
      ...a,
      channel: opts.channel ?? 'hosted',
      endpointUrl: opts.endpointUrl ?? null,
      pushFormat: opts.pushFormat ?? 'json',
      allowPrivateEndpoint: opts.allowPrivateEndpoint ?? Boolean(opts.endpointUrl),
      pushReceipt: opts.pushReceipt ?? false,
    });
    if (opts.secret) await db.query(`UPDATE agencies SET webhook_secret_enc = $2 WHERE code = $1`, [a.code, sealSecret(opts.secret, masterKey, 'webhook-secret')]);
    if (opts.group) await addGroupMember(db, opts.group, a.code);
    if (opts.withCertificates !== false || i <= (opts.signers ?? 0)) await issueDevCertificate(db, masterKey, true, a, undefined, opts.revocationBaseUrl ? { revocationBaseUrl: opts.revocationBaseUrl } : {});
    out.push({ ...a, apiKey: (await createApiKey(db, a.code, 'test')).key });
  }
  return out;
}
