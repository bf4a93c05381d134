import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/pool';
import { parseCrl } from './crl';
import { issuerHash, RevocationCache } from './revocation-checker';

// PostgreSQL behind the revocation checker: fetched CRLs (shared by gateways and workers) and the
// CRLs an operator imported with `lienthong pki crl import`.

export function dbRevocationCache(db: Queryable): RevocationCache {
  return {
    async get(url) {
      const r = await db.query<{ der: Buffer; fetched_at: Date; next_update: Date | null }>(
        'SELECT der, fetched_at, next_update FROM revocation_cache WHERE url = $1', [url]);
      const row = r.rows[0];
      return row ? { der: row.der, fetchedAt: row.fetched_at, nextUpdate: row.next_update } : null;
    },
    async put(url, der, nextUpdate) {
      await db.query(
        `INSERT INTO revocation_cache (url, der, fetched_at, next_update) VALUES ($1, $2, now(), $3)
         ON CONFLICT (url) DO UPDATE SET der = EXCLUDED.der, fetched_at = now(), next_update = EXCLUDED.next_update`,
        [url, der, nextUpdate]);
    },
  };
}

export async function importCrl(db: Queryable, der: Buffer): Promise<{ id: string; revoked: number; thisUpdate: Date }> {
  const crl = parseCrl(der);
  const id = randomUUID();
  await db.query('INSERT INTO imported_crls (id, issuer_hash, der, this_update, next_update) VALUES ($1, $2, $3, $4, $5)',
    [id, issuerHash(crl.issuer), der, crl.thisUpdate, crl.nextUpdate]);
  return { id, revoked: crl.revoked.size, thisUpdate: crl.thisUpdate };
}

export async function importedCrls(db: Queryable): Promise<Buffer[]> {
  const r = await db.query<{ der: Buffer }>('SELECT der FROM imported_crls ORDER BY this_update DESC LIMIT 200');
  return r.rows.map((x) => x.der);
}
