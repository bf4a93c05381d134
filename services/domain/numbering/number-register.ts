import type { Queryable } from '../../db/pool';

export type RegisterKind = 'outgoing' | 'incoming';

/**
 * Issues the next number of an agency's yearly register inside the caller's transaction.
 * The row lock taken by the upsert serialises concurrent issuers, and a rolled-back transaction
 * gives its number back, so numbers have no gaps.
 */
export async function issueNextNumber(tx: Queryable, agencyCode: string, year: number, kind: RegisterKind): Promise<number> {
  const r = await tx.query<{ last_number: number }>(
    `INSERT INTO number_registers (agency_code, year, kind, last_number) VALUES ($1, $2, $3, 1)
     ON CONFLICT (agency_code, year, kind) DO UPDATE SET last_number = number_registers.last_number + 1
     RETURNING last_number`,
    [agencyCode, year, kind],
  );
  return r.rows[0]!.last_number;
}

/** A number the sender gave keeps the register ahead of it, so the next issued one cannot collide. */
export async function observeNumber(tx: Queryable, agencyCode: string, year: number, kind: RegisterKind, n: number): Promise<void> {
  await tx.query(
    `INSERT INTO number_registers (agency_code, year, kind, last_number) VALUES ($1, $2, $3, $4)
     ON CONFLICT (agency_code, year, kind) DO UPDATE SET last_number = GREATEST(number_registers.last_number, EXCLUDED.last_number)`,
    [agencyCode, year, kind, n],
  );
}

/** Numbers are strings (012 is real); issued ones are zero-padded to two digits, as in 01. */
export function formatNumber(n: number): string {
  return String(n).padStart(2, '0');
}
