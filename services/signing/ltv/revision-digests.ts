import { createHash } from 'node:crypto';

// A signed PDF that was renewed (a DSS and a document timestamp appended) begins with every
// earlier version of itself byte for byte: each ends at an %%EOF marker. What named an earlier
// version by its SHA-256 (a signed receipt, a ledger row) still identifies a revision of it.

const MAX_REVISIONS = 1_000;

/** SHA-256 (hex) of the whole file and of every prefix ending at an %%EOF marker (with and without its end of line). */
export function revisionDigests(pdf: Buffer): Set<string> {
  const out = new Set<string>([createHash('sha256').update(pdf).digest('hex')]);
  let at = pdf.indexOf('%%EOF');
  for (let n = 0; at >= 0 && n < MAX_REVISIONS; n++) {
    let end = at + 5;
    out.add(createHash('sha256').update(pdf.subarray(0, end)).digest('hex'));
    if (pdf[end] === 0x0d) end++;
    if (pdf[end] === 0x0a) end++;
    out.add(createHash('sha256').update(pdf.subarray(0, end)).digest('hex'));
    at = pdf.indexOf('%%EOF', at + 5);
  }
  return out;
}
