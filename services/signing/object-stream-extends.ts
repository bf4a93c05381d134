import { PdfRevisions, sameObject, XrefSection } from './pdf-revisions';
import { entriesOf, nameIn } from './revision-roles';

// /Extends on an object stream (ISO 32000-1 §7.5.7) makes it part of a collection of streams
// whose links form a directed acyclic graph. It does not change how an object is found: a
// cross-reference entry of type 2 names the stream and the index (§7.5.8.3), and that is all
// this verifier (like poppler) reads. A reader that rebuilds a damaged file, or looks an object
// up in the collection, may instead take another copy of it from a stream the cross-reference
// never names — so a later revision could leave the signed entry in place and put a different
// copy next to it in an extending stream. Conservatively, in every file with later revisions:
// - a chain of /Extends must end, each link naming an object stream of the newest revision;
// - along a chain touched by a later revision, an object held by two of its streams must be the
//   same in both (the copy the cross-reference names then says what every reader sees).

const MAX_CHAIN = 64;

const isObjectStream = (rev: PdfRevisions, view: XrefSection[], n: number): boolean => {
  const o = rev.object(view, n);
  return o.kind === 'stream' && nameIn(o.dict, 'Type') === 'ObjStm';
};

/** The object streams the newest revision uses or a later revision writes. */
function candidateStreams(rev: PdfRevisions, view: XrefSection[], changed: Map<number, number>): number[] {
  const out = new Set<number>();
  for (const section of view) for (const e of section.entries.values()) if (e.type === 2) out.add(e.a);
  for (const n of changed.keys()) out.add(n);
  return [...out].filter((n) => isObjectStream(rev, view, n));
}

/** Why object streams linked by /Extends leave the file ambiguous, in Vietnamese (empty when they do not). */
export function extendsProblems(rev: PdfRevisions, view: XrefSection[], changed: Map<number, number>, limit = 8): string[] {
  const out: string[] = [];
  for (const start of candidateStreams(rev, view, changed)) {
    if (out.length >= limit) break;
    const chain = [start];
    let problem: string | null = null;
    for (;;) {
      const current = chain[chain.length - 1] as number;
      const link = entriesOf(rev.object(view, current))?.get('Extends');
      if (!link) break;
      if (link.kind !== 'ref' || !isObjectStream(rev, view, link.objectNumber)) {
        const target = link.kind === 'ref' ? `đối tượng ${link.objectNumber}` : 'một giá trị không phải tham chiếu';
        problem = `luồng đối tượng ${current} mở rộng (/Extends) ${target}, không phải một luồng đối tượng đọc được`;
        break;
      }
      if (chain.includes(link.objectNumber)) {
        problem = `chuỗi /Extends của các luồng đối tượng quay vòng (${[...chain, link.objectNumber].join(' → ')})`;
        break;
      }
      chain.push(link.objectNumber);
      if (chain.length > MAX_CHAIN) {
        problem = `chuỗi /Extends bắt đầu từ luồng đối tượng ${start} dài quá ${MAX_CHAIN} luồng`;
        break;
      }
    }
    if (!problem && chain.length > 1 && chain.some((n) => changed.has(n))) problem = conflictingCopies(rev, view, chain);
    if (problem && !out.includes(problem)) out.push(problem);
  }
  return out;
}

/** An object two streams of one /Extends chain hold with different content, described; else null. */
function conflictingCopies(rev: PdfRevisions, view: XrefSection[], chain: number[]): string | null {
  const seen = new Map<number, { stream: number; value: ReturnType<PdfRevisions['object']> }>();
  for (const stream of chain) {
    const members = rev.objectStreamMembers(view, stream);
    if (!members) return `luồng đối tượng ${stream} (trong chuỗi /Extends) không giải mã được`;
    for (const [n, value] of members) {
      const other = seen.get(n);
      if (!other) seen.set(n, { stream, value });
      else if (!sameObject(other.value, value)) {
        return `đối tượng ${n} có hai bản khác nhau trong các luồng đối tượng ${other.stream} và ${stream} nối với nhau bằng /Extends`;
      }
    }
  }
  return null;
}
