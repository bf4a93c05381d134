import type { SearchItem, SearchQuery } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { DEFAULT_PAGE_SIZE } from '../paging/cursor';
import { keysetPage, type Page } from '../paging/keyset-page';
import { givenToSql } from '../handling/handling.repository';
import { COPY_LATE_SQL, incomingFilters, outgoingFilters, SENT_LATE_SQL, SqlParams, textMatch } from './search-filters';

/** Who handles a received copy: the department the leader assigned it to (event 04's note). */
const HANDLER_SQL = `(SELECT regexp_replace(e.note, '^Giao ', '') FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '04' ORDER BY e.id DESC LIMIT 1)`;

/** Who is reading: unit heads and specialists see only the received copies given to them or their unit (issue 20). */
export interface SearchReader {
  givenTo?: { userId: string; departmentId: string | null } | undefined;
}

function incomingBranch(agency: string, f: SearchQuery, p: SqlParams, rank: string | null, match: string | null, reader: SearchReader): string {
  const where = [`x.recipient_code = ${p.add(agency)}`, 'x.delivered_at IS NOT NULL', ...(match ? [match] : []), ...incomingFilters(f, p)];
  if (reader.givenTo) where.push(givenToSql(`${p.add(reader.givenTo.userId)}::uuid`, `${p.add(reader.givenTo.departmentId)}::uuid`));
  return `SELECT 'in'::text AS box, d.id AS "documentId", x.id AS "dispatchId", x.id AS "rowId", d.sender_code AS sender, a.name AS "senderName",
                 d.document_type AS "documentType", d.number, d.notation, d.issued_on::text AS "issuedOn", d.subject, d.urgency,
                 d.due_on::text AS "dueOn", x.status, x.incoming_number AS "incomingNumber", x.delivered_at AS at,
                 ${COPY_LATE_SQL} AS overdue, x.opened_at IS NULL AS unread, ${HANDLER_SQL} AS handler, ${rank ?? 'NULL::real'} AS rank
            FROM dispatches x JOIN documents d ON d.id = x.document_id JOIN agencies a ON a.code = d.sender_code
           WHERE ${where.join(' AND ')}`;
}

function outgoingBranch(agency: string, f: SearchQuery, p: SqlParams, rank: string | null, match: string | null): string {
  const where = [`d.sender_code = ${p.add(agency)}`, ...(match ? [match] : []), ...outgoingFilters(f, p)];
  return `SELECT 'out'::text AS box, d.id AS "documentId", NULL::uuid AS "dispatchId", d.id AS "rowId", d.sender_code AS sender, a.name AS "senderName",
                 d.document_type AS "documentType", d.number, d.notation, d.issued_on::text AS "issuedOn", d.subject, d.urgency,
                 d.due_on::text AS "dueOn", d.status, NULL::text AS "incomingNumber", d.created_at AS at,
                 ${SENT_LATE_SQL} AS overdue, false AS unread, NULL::text AS handler, ${rank ?? 'NULL::real'} AS rank
            FROM documents d JOIN agencies a ON a.code = d.sender_code
           WHERE ${where.join(' AND ')}`;
}

/**
 * The one search: the documents the agency may read (its received copies, its sent documents),
 * matched by the words typed without regard to case or diacritics, filtered, ranked (then newest
 * first), in keyset pages with the honest total. Every read is scoped by `agency` here, the same
 * way for the API and the web.
 */
export async function searchDocuments(db: Queryable, agency: string, f: SearchQuery, reader: SearchReader = {}): Promise<Page<SearchItem>> {
  const p = new SqlParams();
  const text = textMatch(f.q, p);
  const box = f.box ?? 'all';
  const branches: string[] = [];
  if (box !== 'out') branches.push(incomingBranch(agency, f, p, text?.rank ?? null, text?.where ?? null, reader));
  if (box !== 'in') branches.push(outgoingBranch(agency, f, p, text?.rank ?? null, text?.where ?? null));
  const union = branches.map((b) => `(${b})`).join(' UNION ALL ');
  const key = text
    ? [{ expr: 'u.rank', type: 'real' }, { expr: 'u.at', type: 'timestamptz' }, { expr: 'u."rowId"', type: 'uuid' }]
    : [{ expr: 'u.at', type: 'timestamptz' }, { expr: 'u."rowId"', type: 'uuid' }];
  const keyCols = key.map((k, i) => `${k.expr}::text AS "_k${i}"`).join(', ');
  const page = await keysetPage<Record<string, unknown>>(
    db,
    {
      select: `SELECT u.*, ${keyCols} FROM (${union}) u WHERE {{keyset}}`,
      key,
      params: p.values,
      count: `SELECT count(*)::int AS n FROM (${union}) u`,
    },
    { limit: f.limit ?? DEFAULT_PAGE_SIZE, cursor: f.cursor, last: f.page === 'last' },
  );
  return {
    ...page,
    items: page.items.map(({ rowId: _r, ...row }) => ({ ...(row as Omit<SearchItem, 'at'>), at: new Date(row.at as string).toISOString() })),
  };
}
