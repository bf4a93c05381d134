import type { SearchQuery } from '../../../contracts';
import { givenToSql } from '../handling/handling.repository';
import type { SearchReader } from './ranked-search';
import { incomingFilters, outgoingFilters, type SqlParams } from './search-filters';

/*
 * The two branches of a list in date order (newest first): the agency's delivered copies and its
 * sent documents, each one row per entry with its sort key. The inbox, the outbox and a search
 * without words read them as they are; a broad word search (broad-search.ts) adds the words as one
 * more condition, checked on each row as the index walks the list.
 */

/**
 * The received branch: the sort key and the document (the columns shown are read for the page's
 * rows alone, pageRows). `extra`: more conditions (x = the copy, d = documents). The documents row
 * is joined only when a condition reads it: without filters on the document the list is the
 * inbox's index alone (a broad search walking 500 copies saved a primary-key probe on each).
 */
export function incomingBranch(agency: string, f: SearchQuery, p: SqlParams, reader: SearchReader, extra: string[] = []): string {
  const where = [`x.recipient_code = ${p.add(agency)}`, 'x.delivered_at IS NOT NULL', ...incomingFilters(f, p), ...extra];
  if (reader.givenTo) where.push(givenToSql(`${p.add(reader.givenTo.userId)}::uuid`, `${p.add(reader.givenTo.departmentId)}::uuid`));
  const readsDocument = where.some((w) => /\bd\./.test(w));
  return `SELECT 'in'::text AS box, x.id AS "rowId", x.delivered_at AS at, NULL::real AS rank, x.document_id AS "docId"
            FROM dispatches x${readsDocument ? ' JOIN documents d ON d.id = x.document_id' : ''}
           WHERE ${where.join(' AND ')}`;
}

/** The sent branch (d = documents). */
export function outgoingBranch(agency: string, f: SearchQuery, p: SqlParams, extra: string[] = []): string {
  const where = [`d.sender_code = ${p.add(agency)}`, ...outgoingFilters(f, p), ...extra];
  return `SELECT 'out'::text AS box, d.id AS "rowId", d.created_at AS at, NULL::real AS rank, d.id AS "docId"
            FROM documents d
           WHERE ${where.join(' AND ')}`;
}
