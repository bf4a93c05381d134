import { ErrorCode } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { DomainError } from '../errors/domain-error';

export interface ResolvedRecipient {
  code: string;
  /** The group through which the sender addressed this agency, recorded on the dispatch. */
  viaGroup: string | null;
}

/** What the directory says about a list of recipient references. */
export interface DirectoryFacts {
  /** The groups that exist among those referenced, with their members (ordered by group id). */
  groups: { groupId: string; members: string[] }[];
  /** The directly addressed codes that are agencies of the directory. */
  known: string[];
}

export function splitRefs(refs: string[]): { groupIds: string[]; direct: string[] } {
  return {
    groupIds: refs.filter((r) => r.startsWith('group:')).map((r) => r.slice('group:'.length)),
    direct: refs.filter((r) => !r.startsWith('group:')),
  };
}

/**
 * Every agency of the directory is addressable: local ones, a peer hub's (channel relay) and those
 * learned from the national axis (channel axis: the deliver stage sends the envelope through the
 * axis, services/axis/axis-delivery.ts).
 *
 * Two select-list expressions (`groups`, `known`) answering DirectoryFacts for the group ids in
 * parameter `$groupsParam` (text[]) and the direct codes in `$codesParam` (text[]), so a caller can
 * ask them in the same statement as its other questions: one round trip.
 */
export function directoryFactsSql(groupsParam: number, codesParam: number): string {
  return `(SELECT COALESCE(json_agg(json_build_object('groupId', g.id, 'members', g.members) ORDER BY g.id), '[]')
             FROM (SELECT g.id, COALESCE(array_agg(m.agency_code ORDER BY m.agency_code) FILTER (WHERE m.agency_code IS NOT NULL), '{}') AS members
                     FROM agency_groups g LEFT JOIN agency_group_members m ON m.group_id = g.id
                    WHERE g.id = ANY($${groupsParam}::text[]) GROUP BY g.id) g) AS groups,
          (SELECT COALESCE(array_agg(code), '{}') FROM agencies WHERE code = ANY($${codesParam}::text[])) AS known`;
}

/**
 * Codes known to be agencies of the directory, per pool (one database). Agencies are never deleted
 * (documents, dispatches and registers point at them), so once seen a code stays true: only this
 * positive fact is kept, never "unknown", and never group memberships, which do change.
 */
const knownAgencies = new WeakMap<object, Set<string>>();
const KNOWN_MAX = 100_000;

export function rememberAgencies(db: object, codes: Iterable<string>): void {
  let known = knownAgencies.get(db);
  if (!known) knownAgencies.set(db, (known = new Set()));
  for (const code of codes) {
    if (known.size >= KNOWN_MAX) known.clear();
    known.add(code);
  }
}

/**
 * DirectoryFacts without asking the database, when the references are all direct codes already
 * known to exist there; undefined when the directory must be asked (a group, or a code not seen yet).
 */
export function factsFromMemory(db: object, refs: string[]): DirectoryFacts | undefined {
  const known = knownAgencies.get(db);
  const { groupIds, direct } = splitRefs(refs);
  if (!known || groupIds.length > 0 || !direct.every((c) => known.has(c))) return undefined;
  return { groups: [], known: direct };
}

/**
 * Expands `group:<id>` references and checks every code against the directory. The sender is
 * dropped (a department is a member of "Các sở, ban, ngành" and may send to it); a document
 * addressed to its own sender only is refused.
 */
export async function resolveRecipients(db: Queryable, sender: string, refs: string[], max: number): Promise<ResolvedRecipient[]> {
  const { groupIds, direct } = splitRefs(refs);
  const r = await db.query<DirectoryFacts>(`SELECT ${directoryFactsSql(1, 2)}`, [groupIds, direct]);
  return resolveFromDirectory(sender, refs, r.rows[0]!, max);
}

/** resolveRecipients on facts already read (see directoryFactsSql). */
export function resolveFromDirectory(sender: string, refs: string[], facts: DirectoryFacts, max: number): ResolvedRecipient[] {
  const { groupIds, direct } = splitRefs(refs);
  const groups = facts.groups;
  const missingGroups = groupIds.filter((g) => !groups.some((x) => x.groupId === g));
  const byCode = new Map<string, ResolvedRecipient>();
  for (const code of direct) byCode.set(code, { code, viaGroup: null });
  for (const g of groups) {
    for (const code of g.members) if (!byCode.has(code)) byCode.set(code, { code, viaGroup: g.groupId });
  }
  const known = new Set(facts.known);
  const unknown = [...direct.filter((c) => !known.has(c)), ...missingGroups.map((g) => `group:${g}`)];
  if (unknown.length > 0) {
    throw new DomainError(
      ErrorCode.UNKNOWN_RECIPIENT,
      `Không tìm thấy nơi nhận trong danh bạ: ${unknown.join(', ')}.`,
      unknown.map((u) => ({ recipient: u })),
    );
  }
  byCode.delete(sender);
  const resolved = [...byCode.values()];
  if (resolved.length === 0) {
    throw new DomainError(ErrorCode.NO_RECIPIENTS, 'Văn bản phải gửi tới ít nhất một cơ quan khác cơ quan gửi.');
  }
  if (resolved.length > max) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `Quá nhiều nơi nhận: ${resolved.length} (tối đa ${max}).`, [
      { path: 'metadata.recipients', limit: max },
    ]);
  }
  return resolved;
}
