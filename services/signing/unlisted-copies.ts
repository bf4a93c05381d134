import { skipWhitespace } from './pdf-lexer';
import { PdfObject, PdfRevisions, sameObject, XrefSection } from './pdf-revisions';
import { nameIn } from './revision-roles';

// Copies of an object that a later revision writes without its cross-reference naming them.
// A conforming reader finds every object through the cross-reference (ISO 32000-1 §7.5.4, §7.5.8),
// and so does this verifier. A reader that rebuilds the cross-reference, because it finds it
// damaged or distrusts it (poppler, pdf.js and others repair), scans the file for "N G obj"
// headers and the members of object streams and keeps the copy that comes last. So a later
// revision can leave the signed entry of page 1's content in place, which every comparison
// passes, and put a different copy after it that the cross-reference never names: one reader shows
// the signed page, another the forgery. A copy is reported when it:
// - lies after the end of the signed revision (the signer's own bytes are what was signed),
// - is the last copy of its object in the file, plain or in an object stream (an earlier copy is
//   superseded for every reader: an incremental update rewrites objects this way),
// - lies after the copy the cross-reference names (a copy older than it is superseded too),
// - and differs from that copy (writing the same object again changes nothing).
// Objects the cross-reference does not list at all (free or unknown) are left alone: nothing a
// conforming reader resolves points at them, and updates that free an object leave its last copy
// behind. Cross-reference streams are not objects of the document and are skipped.

/** Headers read at most: past this, the rest of the later revisions is not scanned (and the caller is told). */
const MAX_HEADERS = 100_000;

const HEADER = /(?<![0-9])(\d{1,10})[\0\t\n\f\r ]+(\d{1,5})[\0\t\n\f\r ]+obj(?![A-Za-z0-9_])/g;

interface Copy {
  /** The file offset of the object's header, or of the object stream holding it. */
  at: number;
  /** Its index in that object stream; null for a plain object. */
  index: number | null;
  object: PdfObject;
}

/** Where the cross-reference puts object `n`: a plain object's header, or a stream and an index; null when it lists none in use. */
function listedCopy(rev: PdfRevisions, view: XrefSection[], n: number): { at: number; index: number | null } | null {
  const entry = rev.entryIn(view, n);
  if (!entry || entry.type === 0) return null;
  if (entry.type === 1) return { at: skipWhitespace(rev.pdf, entry.a), index: null };
  const holder = rev.entryIn(view, entry.a);
  return holder?.type === 1 ? { at: skipWhitespace(rev.pdf, holder.a), index: entry.b } : null;
}

const isXrefStream = (o: PdfObject): boolean => o.kind === 'stream' && nameIn(o.dict, 'Type') === 'XRef';

/**
 * Why a reader that rebuilds the cross-reference would see another document than this verifier
 * compares, in Vietnamese (empty when it would not): one sentence per object, at most `limit`.
 * `view` is the newest revision's cross-reference chain; `signedEnd` the end of the signed bytes.
 */
export function unlistedCopies(rev: PdfRevisions, view: XrefSection[], signedEnd: number, limit = 8): string[] {
  const text = rev.pdf.toString('latin1', signedEnd);
  const lastPlain = new Map<number, Copy>();
  const lastMember = new Map<number, Copy>();
  const out: string[] = [];
  let headers = 0;
  for (const m of text.matchAll(HEADER)) {
    if (++headers > MAX_HEADERS) {
      out.push(`các bản sửa sau chữ ký có hơn ${MAX_HEADERS} đối tượng; phần sau đó không được kiểm tra xem có bản nào bảng tham chiếu chéo không ghi`);
      break;
    }
    const at = signedEnd + (m.index ?? 0);
    let object: PdfObject;
    try {
      object = rev.objectAt(at, view);
    } catch {
      continue; // no object a reader could read either
    }
    if (isXrefStream(object)) continue;
    lastPlain.set(Number(m[1]), { at, index: null, object });
    if (object.kind === 'stream' && nameIn(object.dict, 'Type') === 'ObjStm') {
      let members: Array<[number, PdfObject]>;
      try {
        members = rev.membersOf(object);
      } catch {
        continue; // an object stream that does not decode holds nothing any reader finds
      }
      members.forEach(([n, member], index) => lastMember.set(n, { at, index, object: member }));
    }
  }
  for (const [copies, where] of [[lastPlain, 'ở vị trí'], [lastMember, 'trong luồng đối tượng ở vị trí']] as const) {
    for (const [n, copy] of copies) {
      if (out.length >= limit) return out;
      const listed = listedCopy(rev, view, n);
      if (!listed || copy.at < listed.at) continue; // not listed at all, or superseded by the listed copy
      if (copy.at === listed.at && copy.index === listed.index) continue; // the listed copy itself
      if (sameObject(copy.object, rev.object(view, n))) continue;
      out.push(`đối tượng ${n} có một bản ${where} ${copy.at} mà bảng tham chiếu chéo không ghi, khác bản bảng ghi, nên trình xem PDF dựng lại bảng tham chiếu chéo có thể hiển thị bản đó`);
    }
  }
  return out;
}
