import type { Queryable } from '../../db/pool';
import { recordAudit } from '../audit/audit-log';

export interface RetentionPeriod {
  documentType: string;
  /** null when kept permanently. */
  years: number | null;
  permanent: boolean;
  note: string | null;
  updatedBy: string;
  updatedAt: Date;
}

/** Sets (or replaces) the retention period of a document type; recorded in the audit log. */
export async function setRetention(
  db: Queryable,
  documentType: string,
  period: { years: number } | { permanent: true },
  by: string,
  note: string | null = null,
): Promise<RetentionPeriod> {
  if (!/^[A-Za-zĐđ]{1,10}$/.test(documentType)) throw new RangeError(`"${documentType}" is not a document type code (CV, QĐ, TB, …)`);
  const permanent = 'permanent' in period;
  const years = permanent ? null : period.years;
  if (years !== null && !(Number.isInteger(years) && years >= 1 && years <= 200)) throw new RangeError('years must be an integer from 1 to 200');
  const r = await db.query<RetentionPeriod>(
    `INSERT INTO retention_periods (document_type, years, permanent, note, updated_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (document_type) DO UPDATE SET years = EXCLUDED.years, permanent = EXCLUDED.permanent, note = EXCLUDED.note,
       updated_by = EXCLUDED.updated_by, updated_at = now()
     RETURNING document_type AS "documentType", years, permanent, note, updated_by AS "updatedBy", updated_at AS "updatedAt"`,
    [documentType, years, permanent, note, by],
  );
  await recordAudit(db, { actor: by, actorAgency: null, action: 'retention.set', agency: null, detail: { documentType, years, permanent } });
  return r.rows[0]!;
}

export async function listRetention(db: Queryable): Promise<RetentionPeriod[]> {
  const r = await db.query<RetentionPeriod>(
    `SELECT document_type AS "documentType", years, permanent, note, updated_by AS "updatedBy", updated_at AS "updatedAt"
       FROM retention_periods ORDER BY document_type`,
  );
  return r.rows;
}
