import { ErrorCode } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { EdxmlError, parseEdxmlDate } from '../../edxml';
import { DomainError } from '../errors/domain-error';
import { visibleToCallerSql } from '../references/scoped-reference';
import { edxmlIdempotencyKey } from './document-id-key';

export interface EdxmlReference {
  organId: string;
  code: string;
  promulgationDate?: string | null;
  documentId?: string | null;
  /** Where the DocumentId stands in the envelope, to name it when its date does not exist. */
  documentIdElement?: string;
}

/**
 * Finds a document the caller sent or received (never another agency's) from an edXML reference.
 * The DocumentId decides first, being the identifier the sender chose: the document that arrived
 * under that very DocumentId, else the document its parts name (`<OrganId>,<yyyy/MM/dd>,<số>/<ký
 * hiệu>`). Only when the DocumentId finds nothing do the sender's OrganId, "số/ký hiệu" and (when
 * given) the promulgation date decide — so a stale Code beside an exact DocumentId still finds the
 * document. A DocumentId whose date does not exist (2014/02/30, as one SDK's template writes)
 * names nothing; when nothing else finds the document either, the answer is a 422 naming that
 * element — never a failed SQL cast.
 */
export async function findDocumentByReference(db: Queryable, ref: EdxmlReference, caller: string): Promise<{ id: string; sender: string } | undefined> {
  const parsed = ref.documentId ? parseDocumentId(ref.documentId) : undefined;
  if (ref.documentId && parsed) {
    const exact = await db.query(
      `SELECT d.id, d.sender_code AS sender FROM documents d
        WHERE d.sender_code = $1 AND d.idempotency_key = $2 AND ${visibleToCallerSql(3)} LIMIT 1`,
      [parsed.organId, edxmlIdempotencyKey(ref.documentId), caller],
    );
    if (exact.rows[0]) return exact.rows[0];
    const named = await byParts(db, parsed, caller);
    if (named) return named;
  }
  const found = ref.organId && ref.code ? await byParts(db, { organId: ref.organId, code: ref.code, promulgationDate: ref.promulgationDate ?? null }, caller) : undefined;
  if (!found && ref.documentId && !parsed) {
    const problem = impossibleDate(ref.documentId);
    if (problem) {
      const element = ref.documentIdElement ?? 'DocumentId';
      throw new DomainError(ErrorCode.INVALID_EDXML, `edXML không hợp lệ: ${element}: ${problem}`, [{ edxmlCode: 'EDXML_INVALID_VALUE', element }]);
    }
  }
  return found;
}

/** The problem with a DocumentId's date part when it looks like a date but is none (2014/02/30, 2026/13/01). */
function impossibleDate(documentId: string): string | undefined {
  const middle = documentId.split(',')[1]?.trim();
  if (middle === undefined || !/^\d{1,4}[/-]\d{1,2}[/-]\d{1,4}$/.test(middle)) return undefined;
  try {
    parseEdxmlDate(middle, 'DocumentId');
    return undefined;
  } catch (err) {
    if (err instanceof EdxmlError) return err.detail;
    throw err;
  }
}

/**
 * By sender, number and notation (and the promulgation date when given). Numbers compare as the
 * register does (lienthong_number_key): "030041" and "30041" are one number, as a system that keeps
 * numbers as integers writes it.
 */
async function byParts(db: Queryable, ref: { organId: string; code: string; promulgationDate: string | null }, caller: string): Promise<{ id: string; sender: string } | undefined> {
  const slash = ref.code.indexOf('/');
  if (!ref.organId || slash < 1) return undefined;
  const r = await db.query(
    `SELECT d.id, d.sender_code AS sender FROM documents d
      WHERE d.sender_code = $1 AND lienthong_number_key(d.number) = lienthong_number_key($2) AND d.notation = $3 AND ($4::date IS NULL OR d.issued_on = $4::date)
        AND ${visibleToCallerSql(5)}
      ORDER BY d.created_at DESC LIMIT 1`,
    [ref.organId, ref.code.slice(0, slash), ref.code.slice(slash + 1), ref.promulgationDate, caller],
  );
  return r.rows[0];
}

/** `<OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>` → its parts; undefined for another form or a date that does not exist. */
export function parseDocumentId(documentId: string): { organId: string; code: string; promulgationDate: string | null } | undefined {
  const m = /^([0-9A-Z.]{1,35}),(\d{4})\/(\d{1,2})\/(\d{1,2}),(.+)$/.exec(documentId.trim());
  if (!m) return undefined;
  try {
    return { organId: m[1]!, promulgationDate: parseEdxmlDate(`${m[2]}/${m[3]}/${m[4]}`, 'DocumentId'), code: m[5]! };
  } catch (err) {
    if (err instanceof EdxmlError) return undefined;
    throw err;
  }
}
