// Cross-reference handling for an incremental update (ISO 32000-1 §7.5.6): the new section must
// point back at the previous one with /Prev and, when the file uses cross-reference streams,
// must itself be a stream, because readers that follow a stream chain may not accept a table.

export type XrefKind = 'table' | 'stream';

export interface XrefTail {
  /** Offset of the last cross-reference section (the value after the final `startxref`). */
  startxref: number;
  kind: XrefKind;
  /** /Size of the last trailer: one more than the highest object number in use. */
  size: number;
}

export interface XrefEntry {
  objectNumber: number;
  generation: number;
  offset: number;
}

const TAIL_WINDOW = 4096;

/**
 * Finds the last cross-reference section. Returns null when `startxref` does not lead to a
 * section, so the caller can fall back to rewriting the file instead of appending to a broken one.
 */
export function readXrefTail(pdf: Buffer): XrefTail | null {
  const from = Math.max(0, pdf.length - TAIL_WINDOW);
  const at = pdf.lastIndexOf('startxref', pdf.length);
  if (at < from) return null;
  const m = /^startxref\s+(\d+)/.exec(pdf.subarray(at, at + 40).toString('latin1'));
  const startxref = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(startxref) || startxref <= 0 || startxref >= at) return null;

  const head = pdf.subarray(startxref, Math.min(at, startxref + 64)).toString('latin1');
  if (head.startsWith('xref')) {
    const trailerAt = pdf.indexOf('trailer', startxref, 'latin1');
    if (trailerAt < 0 || trailerAt > at) return null;
    const size = /\/Size\s+(\d+)/.exec(pdf.subarray(trailerAt, at).toString('latin1'));
    return size ? { startxref, kind: 'table', size: Number(size[1]) } : null;
  }
  if (/^\d+\s+\d+\s+obj\b/.test(head)) {
    const streamAt = pdf.indexOf('stream', startxref, 'latin1');
    if (streamAt < 0 || streamAt > at) return null;
    const dict = pdf.subarray(startxref, streamAt).toString('latin1');
    const size = /\/Size\s+(\d+)/.exec(dict);
    return /\/Type\s*\/XRef\b/.test(dict) && size ? { startxref, kind: 'stream', size: Number(size[1]) } : null;
  }
  return null;
}

/** Consecutive object numbers grouped into subsections, as both xref forms require. */
function subsections(entries: XrefEntry[]): XrefEntry[][] {
  const sorted = [...entries].sort((a, b) => a.objectNumber - b.objectNumber);
  const groups: XrefEntry[][] = [];
  for (const entry of sorted) {
    const last = groups[groups.length - 1];
    const prev = last?.[last.length - 1];
    if (last && prev && prev.objectNumber + 1 === entry.objectNumber) last.push(entry);
    else groups.push([entry]);
  }
  return groups;
}

export interface TrailerEntries {
  size: number;
  prev: number;
  /** Already-serialized values copied from the previous trailer (Root, Info, ID). */
  inherited: string;
}

/**
 * Serializes the new cross-reference section starting at absolute offset `sectionOffset`.
 * For the stream form, `streamObjectNumber` is the number reserved for the stream itself.
 */
export function writeXrefSection(
  kind: XrefKind,
  entries: XrefEntry[],
  trailer: TrailerEntries,
  sectionOffset: number,
  streamObjectNumber: number,
): Buffer {
  if (kind === 'table') {
    let text = 'xref\n';
    for (const group of subsections(entries)) {
      text += `${group[0]?.objectNumber ?? 0} ${group.length}\n`;
      for (const e of group) {
        // each entry is exactly 20 bytes, the EOL being two characters
        text += `${String(e.offset).padStart(10, '0')} ${String(e.generation).padStart(5, '0')} n\r\n`;
      }
    }
    text += `trailer\n<< /Size ${trailer.size} ${trailer.inherited} /Prev ${trailer.prev} >>\n`;
    text += `startxref\n${sectionOffset}\n%%EOF\n`;
    return Buffer.from(text, 'latin1');
  }

  const all = [...entries, { objectNumber: streamObjectNumber, generation: 0, offset: sectionOffset }];
  const groups = subsections(all);
  const rows = Buffer.alloc(all.length * 7);
  let pos = 0;
  for (const e of groups.flat()) {
    rows.writeUInt8(1, pos);
    rows.writeUInt32BE(e.offset, pos + 1);
    rows.writeUInt16BE(e.generation, pos + 5);
    pos += 7;
  }
  const index = groups.map((g) => `${g[0]?.objectNumber ?? 0} ${g.length}`).join(' ');
  const size = Math.max(trailer.size, streamObjectNumber + 1);
  const head =
    `${streamObjectNumber} 0 obj\n<< /Type /XRef /Size ${size} /W [1 4 2] /Index [${index}] ` +
    `${trailer.inherited} /Prev ${trailer.prev} /Length ${rows.length} >>\nstream\r\n`;
  return Buffer.concat([
    Buffer.from(head, 'latin1'),
    rows,
    Buffer.from(`\r\nendstream\nendobj\nstartxref\n${sectionOffset}\n%%EOF\n`, 'latin1'),
  ]);
}
