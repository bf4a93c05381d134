import type { Queryable } from '../../db/pool';
import { visibleToCallerSql } from '../references/scoped-reference';

/**
 * Finds a document the caller sent or received (never another agency's) from an edXML reference: the sender's OrganId, "số/ký hiệu" and, when
 * given, the promulgation date; or a DocumentId of the sample form `<OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>`.
 */
export async function findDocumentByReference(
  db: Queryable,
  ref: { organId: string; code: string; promulgationDate?: string | null; documentId?: string | null },
  caller: string,
): Promise<{ id: string; sender: string } | undefined> {
  let { organId, code, promulgationDate } = ref;
  if ((!code || !organId) && ref.documentId) {
    const parsed = parseDocumentId(ref.documentId);
    if (parsed) ({ organId, code, promulgationDate } = parsed);
  }
  const slash = code.indexOf('/');
  if (!organId || slash < 1) return undefined;
  const number = code.slice(0, slash);
  const notation = code.slice(slash + 1);
  const r = await db.query(
    `SELECT d.id, d.sender_code AS sender FROM documents d
      WHERE d.sender_code = $1 AND d.number = $2 AND d.notation = $3 AND ($4::date IS NULL OR d.issued_on = $4::date)
        AND ${visibleToCallerSql(5)}
      ORDER BY d.created_at DESC LIMIT 1`,
    [organId, number, notation, promulgationDate ?? null, caller],
  );
  return r.rows[0];
}

export function parseDocumentId(documentId: string): { organId: string; code: string; promulgationDate: string | null } | undefined {
  const m = /^([0-9A-Z.]{1,35}),(\d{4})\/(\d{2})\/(\d{2}),(.+)$/.exec(documentId.trim());
  if (!m) return undefined;
  return { organId: m[1]!, promulgationDate: `${m[2]}-${m[3]}-${m[4]}`, code: m[5]! };
}
