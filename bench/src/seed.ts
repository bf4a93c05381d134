import { randomBytes } from 'node:crypto';
import { createPool } from '../../services/db/pool';
import { migrate } from '../../services/db/migrator';
import { ensureDevCa } from '../../services/domain/pki/dev-pki';
import { createAgencies } from '../../test/support/agencies.fixture';
import { setTestEnv } from '../../test/support/test-env';

export interface BenchDirectory {
  masterKeyHex: string;
  senders: { code: string; apiKey: string }[];
  five: string[];
  group50: string;
  group500: string;
}

/**
 * Migrates the fresh database and creates the benchmark's directory with the test fixtures:
 * `senderCount` senders with certificates (many, so no single number register or per-key rate
 * limit is what we measure), 5 hosted recipients, and hosted groups of 50 and 500.
 */
export async function seedDirectory(databaseUrl: string, redisUrl: string, senderCount: number): Promise<BenchDirectory> {
  const masterKeyHex = randomBytes(32).toString('hex');
  setTestEnv({ databaseUrl, redisUrl, queuePrefix: 'lienthong-bench', masterKeyHex });
  const db = createPool(databaseUrl, { max: 2, application: 'lienthong-bench-seed' });
  try {
    await migrate(db);
    await ensureDevCa(db, Buffer.from(masterKeyHex, 'hex'), true);
    const senders = await createAgencies(db, senderCount);
    const five = await createAgencies(db, 5, { withCertificates: false });
    await createAgencies(db, 50, { group: 'bench-g50', withCertificates: false });
    await createAgencies(db, 500, { group: 'bench-g500', withCertificates: false });
    return {
      masterKeyHex,
      senders: senders.map((s) => ({ code: s.code, apiKey: s.apiKey })),
      five: five.map((a) => a.code),
      group50: 'bench-g50',
      group500: 'bench-g500',
    };
  } finally {
    await db.end();
  }
}
