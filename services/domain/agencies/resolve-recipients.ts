import { ErrorCode } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { DomainError } from '../errors/domain-error';
import { findAgencies, findGroups } from './agency.repository';

export interface ResolvedRecipient {
  code: string;
  /** The group through which the sender addressed this agency, recorded on the dispatch. */
  viaGroup: string | null;
}

/**
 * Expands `group:<id>` references and checks every code against the directory. The sender is
 * dropped (a department is a member of "Các sở, ban, ngành" and may send to it); a document
 * addressed to its own sender only is refused.
 */
export async function resolveRecipients(db: Queryable, sender: string, refs: string[], max: number): Promise<ResolvedRecipient[]> {
  const groupIds = refs.filter((r) => r.startsWith('group:')).map((r) => r.slice('group:'.length));
  const direct = refs.filter((r) => !r.startsWith('group:'));
  const groups = await findGroups(db, groupIds);
  const missingGroups = groupIds.filter((g) => !groups.some((x) => x.groupId === g));
  const byCode = new Map<string, ResolvedRecipient>();
  for (const code of direct) byCode.set(code, { code, viaGroup: null });
  for (const g of groups) {
    for (const code of g.members) if (!byCode.has(code)) byCode.set(code, { code, viaGroup: g.groupId });
  }
  const known = new Set((await findAgencies(db, [...byCode.keys()])).map((a) => a.code));
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
