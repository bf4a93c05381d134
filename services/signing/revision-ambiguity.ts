import { duplicateKeysIn } from './duplicate-keys';
import { extendsProblems } from './object-stream-extends';
import type { PdfRevisions, XrefSection } from './pdf-revisions';
import type { RevisionRoles } from './revision-roles';
import { unlistedCopies } from './unlisted-copies';

// What makes a file with later revisions mean different things to different readers, so that no
// comparison of revisions can vouch for it: repeated dictionary keys (duplicate-keys.ts), object
// streams linked by /Extends (object-stream-extends.ts), and copies of an object written after the
// signature that the cross-reference does not name (unlisted-copies.ts). Each is reported as a
// format problem of the signature (ETSI EN 319 102-1 INDETERMINATE / FORMAT_FAILURE), not as a
// change: the verifier cannot tell what changed, only that it cannot read the file one way.

const MAX_REPORTED = 8;

export interface AmbiguityInput {
  rev: PdfRevisions;
  signed: XrefSection[];
  final: XrefSection[];
  signedRoles: RevisionRoles;
  finalRoles: RevisionRoles;
  /** Objects a later revision lists (in use, freed or new), with the revision that first did. */
  changed: Map<number, number>;
  /** Where the signed bytes end: the later revisions follow. */
  signedEnd: number;
}

/** Vietnamese sentences, one per ambiguity found (at most a few), naming the object. */
export function revisionAmbiguities({ rev, signed, final, signedRoles, finalRoles, changed, signedEnd }: AmbiguityInput): string[] {
  const out: string[] = [];
  const note = (keys: string[], where: string): void => {
    if (keys.length === 0 || out.length >= MAX_REPORTED) return;
    out.push(`${where} ghi khóa ${keys.join(', ')} hai lần trong cùng một từ điển, nên trình xem PDF có thể đọc một giá trị khác với giá trị bộ kiểm tra đã so sánh`);
  };
  // the trailers of the whole chain: /Root, /Info, /Prev, /XRefStm are read from them
  for (const s of final) note((s.trailerDuplicates ?? []).map((k) => `/${k}`), `trailer của bảng tham chiếu chéo tại vị trí ${s.offset}`);
  // every object reachable in the signed revision (as signed), and in the newest one or changed by a later revision (as it is now)
  const checked = new Set<string>();
  const check = (view: XrefSection[], label: string, n: number): void => {
    if (out.length >= MAX_REPORTED) return;
    const entry = rev.entryIn(view, n);
    // an object in an object stream is the same bytes only if the stream is (a later revision may rewrite it)
    const at = entry?.type === 2 ? `2:${rev.entryIn(view, entry.a)?.a ?? '-'}` : `${entry?.type ?? '-'}`;
    const key = entry ? `${at}:${entry.a}:${entry.b}:${n}` : `none:${n}`;
    if (checked.has(key)) return; // the same bytes, already looked at through the other view
    checked.add(key);
    note(duplicateKeysIn(rev.object(view, n)), `đối tượng ${n} (${label})`);
  };
  for (const n of signedRoles.roles.keys()) check(signed, 'bản đã ký', n);
  for (const n of finalRoles.roles.keys()) check(final, 'bản mới nhất', n);
  for (const n of changed.keys()) check(final, 'bản mới nhất', n);
  for (const problem of extendsProblems(rev, final, changed, MAX_REPORTED)) if (out.length < MAX_REPORTED) out.push(problem);
  for (const problem of unlistedCopies(rev, final, signedEnd, MAX_REPORTED)) if (out.length < MAX_REPORTED) out.push(problem);
  return out;
}
