import type { Db } from '../../services/db/pool';
import { inTransaction } from '../../services/db/pool';
import { addGroupMember, upsertAgency, upsertGroup } from '../../services/domain/agencies/agency.repository';
import { createApiKey } from '../../services/domain/apikeys/api-key.repository';
import { issueDevCertificate } from '../../services/domain/pki/dev-pki';
import { DEMO_AGENCIES, DEMO_GROUPS, DEMO_PROVINCE } from './demo-directory';

export interface DemoCredentials {
  agencies: { code: string; name: string; channel: string; apiKey: string }[];
  groups: { ref: string; name: string }[];
}

/** True when the directory is empty, i.e. this is the first start of this database. */
export async function needsSeed(db: Db): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM agencies LIMIT 1');
  return r.rowCount === 0;
}

/**
 * Seeds the demo directory (dev mode only): agencies, groups, one API key per agency and a
 * certificate for each agency that sends electronically, issued by the development CA.
 */
export async function seedDemo(db: Db, masterKey: Buffer): Promise<DemoCredentials> {
  const creds: DemoCredentials = { agencies: [], groups: DEMO_GROUPS.map((g) => ({ ref: `group:${g.id}`, name: g.name })) };
  await inTransaction(db, async (tx) => {
    for (const a of DEMO_AGENCIES) {
      await upsertAgency(tx, {
        code: a.code,
        name: a.name,
        parentCode: a.code === DEMO_PROVINCE.code ? null : DEMO_PROVINCE.code,
        level: a.code === DEMO_PROVINCE.code ? 1 : 2,
        channel: a.channel,
      });
    }
    for (const g of DEMO_GROUPS) await upsertGroup(tx, g.id, g.name);
    for (const a of DEMO_AGENCIES) for (const g of a.groups) await addGroupMember(tx, g, a.code);
    for (const a of DEMO_AGENCIES) {
      const { key } = await createApiKey(tx, a.code, 'demo');
      creds.agencies.push({ code: a.code, name: a.name, channel: a.channel, apiKey: key });
      if (a.channel !== 'paper') await issueDevCertificate(tx, masterKey, true, { code: a.code, name: a.name });
    }
  });
  return creds;
}
