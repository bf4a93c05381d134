import type { PdfValue } from './pdf-lexer';
import type { PdfObject } from './pdf-revisions';

// A dictionary that writes one key twice (`/Contents 4 0 R … /Contents 9 0 R`) has no single
// meaning: ISO 32000-1 §7.3.7 does not allow it, and readers resolve it differently. Our lexer
// keeps the last occurrence; qpdf does too; poppler keeps the last in a small dictionary but, once
// it holds 32 entries or more, sorts them and may return an earlier one. That gap is what a
// "shadow" attack needs: the verifier compares and walks one occurrence while the viewer shows
// the other. The verifier does not pick a winner; it refuses to vouch for such a file.

/** Paths ("/Contents", "/Resources/Font/F1", "/Annots[2]/A") of every repeated key in `o`, at any depth; at most `limit`. */
export function duplicateKeysIn(o: PdfObject, limit = 8): string[] {
  const out: string[] = [];
  const visit = (v: PdfValue, path: string, depth: number): void => {
    if (out.length >= limit || depth > 40) return; // the lexer refuses deeper nesting anyway
    if (v.kind === 'array') v.items.forEach((item, i) => visit(item, `${path}[${i}]`, depth + 1));
    if (v.kind !== 'dict') return;
    for (const key of v.duplicates ?? []) if (out.length < limit) out.push(`${path}/${key}`);
    for (const [key, value] of v.entries) visit(value, `${path}/${key}`, depth + 1);
  };
  if (o.kind === 'stream') {
    for (const key of o.duplicates ?? []) out.push(`/${key}`);
    for (const [key, value] of o.dict) visit(value, `/${key}`, 1);
  } else if (o.kind !== 'null') visit(o, '', 0);
  return out.slice(0, limit);
}
