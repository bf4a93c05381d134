import type { SearchQuery } from '../../../contracts';
import { metaLikePattern, toTsQuery, toTsQueryForIndex } from './search-text';
import type { WordFrequencies } from './word-frequencies';

/** Vietnam's today, in SQL. */
export const TODAY_VN = `(now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`;

/** A received copy overdue by the one rule, dispatch_overdue (migration 0042; x = dispatches). */
export const COPY_LATE_SQL = `(dispatch_overdue(x.id, now()) IS NOT NULL)`;
/** A sent document with a copy overdue by the same rule. */
export const SENT_LATE_SQL = `EXISTS (SELECT 1 FROM dispatches y WHERE y.document_id = d.id AND dispatch_overdue(y.id, now()) IS NOT NULL)`;

/** Builds the WHERE parts of one branch; params are shared by both branches of a search. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

export interface TextMatch {
  /** SQL true when the document matches the words (d = documents). */
  where: string;
  /** The two ways of matching, apart: the words (scoped by readers in the index), the metadata substring. */
  words: string | null;
  like: string | null;
  /** SQL real: the rank of the match. */
  rank: string;
}

/** What of the words typed can be searched: the full-text query, the metadata substring; null when neither. */
function searchable(q: string | undefined): { tsq: string | null; like: string | null } | null {
  if (!q) return null;
  const tsq = toTsQuery(q);
  const like = metaLikePattern(q);
  return tsq || like ? { tsq, like } : null;
}

/**
 * The words typed: ranked full text over metadata and file text, or a substring of the metadata.
 * `agency` lets the (readers, search_tsv) index of document_search find only the agency's matches (d = document_search).
 */
export function textMatch(q: string | undefined, p: SqlParams, agency: string, freq?: WordFrequencies): TextMatch | null {
  const typed = searchable(q);
  if (!q || !typed) return null;
  const { tsq, like } = typed;
  const tq = tsq ? `to_tsquery('simple', ${p.add(tsq)})` : null;
  const reader = tsq ? p.add(agency) : null;
  const lk = like ? p.add(like) : null;
  const wordsArm = tq ? `(d.readers @> ARRAY[${reader}]::text[] AND ${indexedWords('d', q, tq, p, freq)})` : null;
  const likeArm = lk ? `d.search_meta LIKE ${lk}` : null;
  const where = [wordsArm, likeArm].filter(Boolean).join(' OR ');
  const rank = `(${tq ? `ts_rank_cd(d.search_tsv, ${tq}, 1)` : '0'} + ${lk ? `(d.search_meta LIKE ${lk})::int` : '0'})::real`;
  return { where: `(${where})`, words: wordsArm, like: likeArm, rank };
}

/**
 * The words as the GIN index is asked for them on alias `a`: the words chosen by toTsQueryForIndex
 * looked up, every row found then checked against the whole query `tq` (ts_match_vq is @@ the
 * planner does not send to the index); the whole query looked up when it is what was chosen.
 */
function indexedWords(a: string, q: string, tq: string, p: SqlParams, freq?: WordFrequencies): string {
  const forIndex = toTsQueryForIndex(q, freq);
  return forIndex ? `${a}.search_tsv @@ to_tsquery('simple', ${p.add(forIndex)}) AND ts_match_vq(${a}.search_tsv, ${tq})` : `${a}.search_tsv @@ ${tq}`;
}

/** The sender filter: an agency code, or words of its name with abbreviations ("UBND", "noi vu"). */
export function senderMatch(sender: string | undefined, p: SqlParams): string | null {
  if (!sender) return null;
  const tsq = toTsQuery(sender);
  const code = p.add(sender.toUpperCase());
  if (!tsq) return `d.sender_code = ${code}`;
  return `(d.sender_code = ${code} OR d.sender_code IN (SELECT s.code FROM agencies s
           WHERE to_tsvector('simple', lt_search_words(s.name)) @@ to_tsquery('simple', ${p.add(tsq)})))`;
}

function dayFrom(col: string, day: string | undefined, p: SqlParams): string | null {
  return day ? `${col} >= (${p.add(day)}::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')` : null;
}
function dayTo(col: string, day: string | undefined, p: SqlParams): string | null {
  return day ? `${col} < ((${p.add(day)}::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')` : null;
}

/**
 * The filters of the received branch (x = the agency's copy). Each entry is one filter, so a new
 * one is one more line (the inbox's filters are these too).
 */
export function incomingFilters(f: SearchQuery, p: SqlParams): string[] {
  // A revoked copy stays in the recipient's lists, marked "Đã thu hồi" (issue 16), unless filtered out.
  const revoked = f.revoked ?? 'include';
  return [
    f.type ? `d.document_type = ${p.add(f.type)}` : null,
    senderMatch(f.sender, p),
    f.urgency ? `d.urgency = ${p.add(f.urgency)}` : null,
    f.status ? `x.status = ${p.add(f.status)}` : null,
    dayFrom('x.delivered_at', f.from, p),
    dayTo('x.delivered_at', f.to, p),
    f.issuedFrom ? `d.issued_on >= ${p.add(f.issuedFrom)}::date` : null,
    f.issuedTo ? `d.issued_on <= ${p.add(f.issuedTo)}::date` : null,
    f.overdue ? COPY_LATE_SQL : null,
    revoked === 'exclude' ? `x.status <> 'revoked'` : revoked === 'only' ? `x.status = 'revoked'` : null,
  ].filter((c): c is string => c !== null);
}

/** The filters of the sent branch (d = the agency's own documents). */
export function outgoingFilters(f: SearchQuery, p: SqlParams): string[] {
  const revoked = f.revoked ?? 'include';
  return [
    f.type ? `d.document_type = ${p.add(f.type)}` : null,
    senderMatch(f.sender, p),
    f.urgency ? `d.urgency = ${p.add(f.urgency)}` : null,
    f.status ? `d.status = ${p.add(f.status)}` : null,
    dayFrom('d.created_at', f.from, p),
    dayTo('d.created_at', f.to, p),
    f.issuedFrom ? `d.issued_on >= ${p.add(f.issuedFrom)}::date` : null,
    f.issuedTo ? `d.issued_on <= ${p.add(f.issuedTo)}::date` : null,
    f.overdue ? SENT_LATE_SQL : null,
    revoked === 'exclude' ? `d.status <> 'revoked'` : revoked === 'only' ? `d.status = 'revoked'` : null,
  ].filter((c): c is string => c !== null);
}

/**
 * The words typed, checked on one document (its id: `idExpr`) by its document_search row: how a
 * broad search (broad-search.ts) tests each row of the agency's lists as it walks them newest
 * first, instead of reading every match through the index. Null when nothing searchable was typed.
 */
export function textProbe(q: string | undefined, p: SqlParams, idExpr: string): string | null {
  const typed = searchable(q);
  if (!typed) return null;
  const { tsq, like } = typed;
  const tests = [tsq ? `s.search_tsv @@ to_tsquery('simple', ${p.add(tsq)})` : null, like ? `s.search_meta LIKE ${p.add(like)}` : null].filter(
    (t): t is string => t !== null,
  );
  // A scalar subquery on purpose: one probe by primary key per row walked, never a join the
  // planner could turn into reading every match.
  return `COALESCE((SELECT ${tests.join(' OR ')} FROM document_search s WHERE s.document_id = ${idExpr}), false)`;
}

/**
 * The documents matching the words typed among those whose readers hold `readerKey` (an agency
 * code, or '>' and its code for the documents it sent: migration 0098), found through the
 * (readers, search_tsv) index as textMatch finds them. Null when nothing searchable was typed.
 */
export function indexedMatches(q: string | undefined, p: SqlParams, readerKey: string, freq?: WordFrequencies): string | null {
  const typed = searchable(q);
  if (!q || !typed) return null;
  const { tsq, like } = typed;
  const key = p.add(readerKey);
  const tq = tsq ? `to_tsquery('simple', ${p.add(tsq)})` : null;
  const words = tq ? indexedWords('s', q, tq, p, freq) : null;
  const arms = [words, like ? `s.search_meta LIKE ${p.add(like)}` : null]
    .filter((a): a is string => a !== null)
    .map((a) => `(s.readers @> ARRAY[${key}]::text[] AND ${a})`);
  return `SELECT s.document_id FROM document_search s WHERE ${arms.join(' OR ')}`;
}
