import type { PdfValue } from './pdf-lexer';
import { PdfObject, PdfRevisions, sameEntries, sameObject, XrefSection } from './pdf-revisions';
import { revisionAmbiguities } from './revision-ambiguity';
import { entriesOf, nameIn, RevisionRoles, Role, rolesOf, strongerRole } from './revision-roles';
import { allowedUnder, describe, type Change, type ChangeKind } from './revision-change-kinds';

export type { Change, ChangeKind } from './revision-change-kinds';

// Changes made after a signature, classified object by object against the signed revision
// (ISO 32000-1 §12.8.2.2 DocMDP, ETSI EN 319 102-1): later signatures with their fields and
// appearances, DSS/VRI and document timestamps are allowed; form filling (P ≥ 2) and annotations
// (P = 3, or no certification at all) per DocMDP; anything touching page content, page resources,
// the page tree or other catalogue entries is a modification after signing.
//
// Other catalogue entries, directly or through the objects they reach (revision-roles.ts):
// - what changes what the document shows or does — Outlines, the Names trees (JavaScript,
//   EmbeddedFiles, Dests…), OpenAction, AA, PageLabels, OCProperties, URI and any other entry — is
//   a modification after signing at every P and also without a certification signature: ISO 32000
//   §12.8.2.2 lists what P allows (form filling, signing, annotations), and nothing else; an
//   approval signature (no DocMDP) allows the same changes (§12.7.5, the signature fields'
//   practice), and the rule names "other catalogue entries" without exception. pdfsig has
//   no opinion here (it only says whether a signature covers the whole file).
// - the XMP /Metadata stream and the tagging structure (/StructTreeRoot, /MarkInfo) change neither
//   what is shown nor what runs, and signing software rewrites them when it adds a signature (the
//   XMP dates, the tags of the new widget): after a certification signature they are outside what
//   P allows, so they fail it at every P; without one they are reported among what later revisions
//   changed and allowed (as independent validators do with "undefined changes": a warning, not a
//   failure).

export interface RevisionAnalysis {
  /** The revision the signature covers (1-based) and how many the file has. */
  revision: number;
  revisions: number;
  changes: Change[];
  /**
   * Why the later revisions cannot be read one way (repeated dictionary keys, /Extends chains of
   * object streams), in Vietnamese: the signature is then INDETERMINATE (FORMAT_FAILURE) whatever
   * the changes are (revision-ambiguity.ts).
   */
  formatProblems: string[];
}

const CATALOG_ALLOWED = new Set(['AcroForm', 'DSS', 'Extensions']);
const MAX_CHANGED_OBJECTS = 50_000;

const isSignatureDict = (e: Map<string, PdfValue> | null): boolean => {
  const t = nameIn(e, 'Type');
  return t === 'Sig' || t === 'DocTimeStamp' || (!!e?.get('ByteRange') && !!e?.get('Contents'));
};

interface Ctx {
  rev: PdfRevisions;
  signed: XrefSection[];
  final: XrefSection[];
}

/** A new signature field: a document timestamp when its value is a DocTimeStamp, else a signature. */
function signatureFieldKind(ctx: Ctx, field: Map<string, PdfValue> | null): ChangeKind {
  const v = field?.get('V');
  const value = v ? entriesOf(v.kind === 'ref' ? ctx.rev.resolve(ctx.final, v) : { kind: 'null' }) : null;
  return nameIn(value, 'Type') === 'DocTimeStamp' || nameIn(value, 'SubFilter') === 'ETSI.RFC3161' ? 'timestamp' : 'signature';
}

/** The strongest of two kinds of new signature fields: a signature outweighs a document timestamp. */
const addedSignature = (a: ChangeKind, b: ChangeKind): ChangeKind => (a === 'signature' || b === 'signature' ? 'signature' : 'timestamp');

/**
 * The new annotations of a page (its /Annots before and after, inline, by reference or the
 * array object itself): signature widgets are signatures (or document timestamps), other widgets
 * form structure, the rest annotations.
 */
function annotationChange(ctx: Ctx, oldAnnots: PdfValue | PdfObject | undefined, newAnnots: PdfValue | PdfObject | undefined): ChangeKind {
  const list = (a: PdfValue | PdfObject | undefined, view: XrefSection[]): number[] => {
    const arr = a?.kind === 'ref' ? ctx.rev.resolve(view, a) : a;
    return arr?.kind === 'array' ? arr.items.flatMap((i) => (i.kind === 'ref' ? [i.objectNumber] : [])) : [];
  };
  const before = new Set(list(oldAnnots, ctx.signed));
  const after = list(newAnnots, ctx.final);
  if (after.length < before.size || [...before].some((n) => !after.includes(n))) return 'annotation';
  let kind: ChangeKind | null = null;
  for (const n of after.filter((x) => !before.has(x))) {
    const a = entriesOf(ctx.rev.object(ctx.final, n));
    if (nameIn(a, 'Subtype') !== 'Widget') return 'annotation';
    const parent = a?.get('Parent');
    const parentDict = parent ? entriesOf(ctx.rev.resolve(ctx.final, parent)) : null;
    if ((nameIn(a, 'FT') ?? nameIn(parentDict, 'FT')) !== 'Sig') kind = 'form-structure';
    else if (kind !== 'form-structure') {
      const sigKind = signatureFieldKind(ctx, a?.get('V') ? a : parentDict);
      kind = kind ? addedSignature(kind, sigKind) : sigKind;
    }
  }
  return kind ?? 'other'; // the same annotations, written again
}

function fieldsOf(ctx: Ctx, form: Map<string, PdfValue> | null, view: XrefSection[]): PdfValue[] {
  const f = form?.get('Fields');
  const arr = f?.kind === 'ref' ? ctx.rev.resolve(view, f) : f;
  return arr?.kind === 'array' ? arr.items : [];
}

/** Keys of the form dictionary filling and signing rewrite (revision-roles.ts FORM_VALUE_KEYS), besides /Fields. */
const FORM_REWRITTEN = new Set(['Fields', 'DR', 'DA', 'NeedAppearances', 'SigFlags']);

function acroformChange(ctx: Ctx, oldForm: Map<string, PdfValue> | null, newForm: Map<string, PdfValue> | null): ChangeKind {
  // anything else (/XFA, /CO…) changes what the form shows or computes
  if (oldForm && newForm && !sameEntries(oldForm, newForm, FORM_REWRITTEN)) return 'form-structure';
  return fieldListChange(ctx, fieldsOf(ctx, oldForm, ctx.signed), fieldsOf(ctx, newForm, ctx.final));
}

/** The fields of the form before and after: only new signature fields may join, none may leave. */
function fieldListChange(ctx: Ctx, before: PdfValue[], after: PdfValue[]): ChangeKind {
  const kept = before.every((v) => after.some((w) => sameObject(v, w)));
  if (!kept) return 'form-structure';
  let kind: ChangeKind | null = null;
  for (const added of after.filter((w) => !before.some((v) => sameObject(v, w)))) {
    const f = entriesOf(ctx.rev.resolve(ctx.final, added));
    if (nameIn(f, 'FT') !== 'Sig') return 'form-structure';
    const sigKind = signatureFieldKind(ctx, f);
    kind = kind ? addedSignature(kind, sigKind) : sigKind;
  }
  return kind ?? 'other'; // the same fields, written again
}

interface Classified {
  kind: ChangeKind;
  page: number | null;
  entry?: string;
}

/** The kind of a change to one catalogue entry's value (the entry changed, added or removed in the catalogue itself). */
function catalogEntryKind(entry: string): ChangeKind {
  if (entry === 'Pages') return 'page-tree';
  if (entry === 'Metadata') return 'xmp-metadata';
  if (entry === 'StructTreeRoot' || entry === 'MarkInfo') return 'structure-tags';
  return 'catalog';
}

/** A change to an object reached through a catalogue entry; the Names dictionary itself is judged by which of its trees changed. */
function catalogEntryChange(entry: string, oldE: Map<string, PdfValue> | null, newE: Map<string, PdfValue> | null): Classified[] {
  if (entry === 'Metadata') return [{ kind: 'xmp-metadata', page: null }];
  if (entry === 'StructTreeRoot' || entry === 'MarkInfo') return [{ kind: 'structure-tags', page: null }];
  if (entry === 'Names' && oldE && newE) {
    const trees = new Set([...oldE.keys(), ...newE.keys()]);
    const changed = [...trees].filter((t) => {
      const x = oldE.get(t);
      const y = newE.get(t);
      return !x || !y || !sameObject(x, y);
    });
    if (changed.length > 0) return changed.map((t) => ({ kind: 'catalog-entry' as const, page: null, entry: `Names/${t}` }));
  }
  return [{ kind: 'catalog-entry', page: null, entry }];
}

/**
 * The catalogue: one change per entry that differs (a new /OpenAction and a new signature field
 * are two changes, each judged on its own); the form and the DSS by what they gained.
 */
function catalogChanges(ctx: Ctx, oldE: Map<string, PdfValue> | null, newE: Map<string, PdfValue> | null): Classified[] {
  const out: Classified[] = [];
  const keys = new Set([...(oldE?.keys() ?? []), ...(newE?.keys() ?? [])]);
  for (const k of keys) {
    if (CATALOG_ALLOWED.has(k)) continue;
    const x = oldE?.get(k);
    const y = newE?.get(k);
    if (!x || !y || !sameObject(x, y)) {
      const kind = catalogEntryKind(k);
      out.push({ kind, page: null, ...(kind === 'catalog' ? { entry: k } : {}) });
    }
  }
  const oldForm = oldE?.get('AcroForm');
  const newForm = newE?.get('AcroForm');
  if (newForm && !(oldForm && sameObject(oldForm, newForm))) {
    const formKind = acroformChange(ctx, oldForm ? entriesOf(ctx.rev.resolve(ctx.signed, oldForm)) : null, entriesOf(ctx.rev.resolve(ctx.final, newForm)));
    if (formKind !== 'other') out.push({ kind: formKind, page: null });
  } else if (oldForm && !newForm) out.push({ kind: 'form-structure', page: null });
  const oldDss = oldE?.get('DSS');
  const newDss = newE?.get('DSS');
  if (newDss && !(oldDss && sameObject(oldDss, newDss))) out.push({ kind: 'dss', page: null });
  // nothing else: /Extensions (the PAdES extension declared), or the same entries written again
  return out.length > 0 ? out : [{ kind: 'other', page: null }];
}

function classify(ctx: Ctx, n: number, role: Role | undefined, before: PdfObject, after: PdfObject): Classified[] {
  const one = (kind: ChangeKind, page: number | null = null): Classified[] => [{ kind, page }];
  const oldE = entriesOf(before);
  const newE = entriesOf(after);
  if (!role) return one(isSignatureDict(oldE) ? 'signature-replaced' : 'other');
  switch (role.kind) {
    case 'catalog':
      return catalogChanges(ctx, oldE, newE);
    case 'catalog-entry':
      return catalogEntryChange(role.entry, oldE, newE);
    case 'pages-node': {
      if (!oldE || !newE) return [{ kind: 'page-tree', page: null }];
      if (!sameEntries(oldE, newE, new Set(['Resources']))) return [{ kind: 'page-tree', page: null }];
      return [{ kind: 'page-resources', page: null }];
    }
    case 'page': {
      // an indirect /Annots array is marked with its page's role
      if (!oldE || !newE) return [{ kind: before.kind === 'array' || after.kind === 'array' ? annotationChange(ctx, before, after) : 'page-tree', page: role.page }];
      if (!sameEntries(oldE, newE, new Set(['Annots', 'Contents', 'Resources']))) return [{ kind: 'page-content', page: role.page }];
      const c1 = oldE.get('Contents');
      const c2 = newE.get('Contents');
      if (!c1 !== !c2 || (c1 && c2 && !sameObject(c1, c2))) return [{ kind: 'page-content', page: role.page }];
      const r1 = oldE.get('Resources');
      const r2 = newE.get('Resources');
      if (!r1 !== !r2 || (r1 && r2 && !sameObject(r1, r2))) return [{ kind: 'page-resources', page: role.page }];
      return [{ kind: annotationChange(ctx, oldE.get('Annots'), newE.get('Annots')), page: role.page }];
    }
    case 'content':
      return [{ kind: 'page-content', page: role.page }];
    case 'resource':
      return [{ kind: 'page-resources', page: role.page }];
    case 'page-attribute':
      return [{ kind: 'page-content', page: role.page, entry: role.entry }];
    case 'field-part':
      return [{ kind: 'form-structure', page: null, entry: role.entry }];
    case 'acroform': {
      // the form dictionary, or its /Fields array written as an object of its own
      const items = (o: PdfObject): PdfValue[] => (o.kind === 'array' ? o.items : []);
      if (before.kind === 'array' || after.kind === 'array') return [{ kind: fieldListChange(ctx, items(before), items(after)), page: null }];
      return [{ kind: acroformChange(ctx, oldE, newE), page: null }];
    }
    case 'field': {
      if (!oldE || !newE) return [{ kind: 'form-structure', page: null }];
      if (role.signature) {
        // signing an empty signature field sets /V (and its appearance); replacing a /V is not allowed
        const v1 = oldE.get('V');
        if (v1 && !sameObject(v1, newE.get('V') ?? { kind: 'keyword', value: 'null' })) return [{ kind: 'signature-replaced', page: null }];
        return [{ kind: sameEntries(oldE, newE, new Set(['V', 'AP', 'AS', 'F', 'Lock', 'SV'])) ? signatureFieldKind(ctx, newE) : 'form-structure', page: null }];
      }
      return [{ kind: sameEntries(oldE, newE, new Set(['V', 'AP', 'AS', 'MK', 'Kids', 'DV', 'RV'])) ? 'form-fill' : 'form-structure', page: null }];
    }
    case 'appearance':
      return [{ kind: 'form-fill', page: null }];
    case 'annotation':
      return [{ kind: 'annotation', page: role.page }];
    case 'dss':
      return [{ kind: 'dss', page: null }];
    case 'info':
      return [{ kind: 'metadata', page: null }];
    case 'signature-value':
      return [{ kind: 'signature-replaced', page: null }];
  }
}

const newestRoles = new WeakMap<PdfRevisions, RevisionRoles>();

/**
 * Compares every later revision with the one ending at `signedEnd` (the end of the signature's
 * second byte range). `docMdp` is the P of the document's certification signature, if any.
 *
 * Default deny: the newest /Prev chain must run through the cross-reference section the signed
 * revision names in its own `startxref`, and the newest trailer must keep its /Root (and
 * /Encrypt); then every object a later section lists (in use or freed), and every object kept in
 * an object stream a later section rewrites, is compared with the signed revision. A changed
 * object is judged by the strongest role it has in the signed revision or in the newest one
 * (revision-roles.ts); an object neither reaches is garbage no viewer shows, and a new object
 * matters only through the changed objects that point at it.
 */
export function analyseRevisions(rev: PdfRevisions, signedEnd: number, docMdp: number | null, deadline = Number.POSITIVE_INFINITY): RevisionAnalysis {
  const all = rev.sections;
  const firstSigned = all.findIndex((s) => s.offset < signedEnd);
  const signed = firstSigned >= 0 ? all.slice(firstSigned) : [];
  const later = (firstSigned >= 0 ? all.slice(0, firstSigned) : all).slice().reverse(); // oldest first
  const revisions = all.length;
  const analysis: RevisionAnalysis = { revision: signed.length, revisions, changes: [], formatProblems: [] };
  const forbid = (kind: ChangeKind, objectNumber: number, entry: string, text?: string): void => {
    analysis.changes.push({ kind, revision: signed.length + 1, page: null, objectNumber, entry, allowed: false, text: text ?? describe(kind, null, objectNumber, entry) });
  };

  // the chain of sections must reach the revision the signature covers, as that revision named it
  const named = rev.startxrefBefore(signedEnd);
  const head = signed[0];
  const reaches = !!head && (named === null ? later.length === 0 : named.includes(head.offset)) && signed.every((s) => s.offset < signedEnd);
  if (!reaches) {
    forbid('catalog', 0, 'xref');
    return analysis;
  }
  if (later.length === 0) return analysis;

  // the newest trailer keeps the signed catalogue and encryption
  const signedTrailer = head.trailer;
  const finalTrailer = all[0]?.trailer ?? signedTrailer;
  const root0 = signedTrailer.get('Root');
  const root1 = finalTrailer.get('Root');
  if (!root0 || !root1 || root0.kind !== 'ref' || !sameObject(root0, root1)) forbid('catalog', root1?.kind === 'ref' ? root1.objectNumber : 0, 'Root');
  const enc0 = signedTrailer.get('Encrypt');
  const enc1 = finalTrailer.get('Encrypt');
  if (!enc0 !== !enc1 || (enc0 && enc1 && !sameObject(enc0, enc1))) forbid('catalog', enc1?.kind === 'ref' ? enc1.objectNumber : 0, 'Encrypt');

  const ctx: Ctx = { rev, signed, final: all };
  // objects a later section lists, in use or freed, each with the first revision that did
  const firstChanged = new Map<number, number>();
  later.forEach((section, i) => {
    for (const n of section.entries.keys()) if (n !== 0 && !firstChanged.has(n)) firstChanged.set(n, signed.length + i + 1);
  });
  // objects kept in an object stream a later section rewrites under the same number are changed as well
  const rewrittenStreams = new Set<number>();
  for (const section of all) {
    for (const e of section.entries.values()) if (e.type === 2 && firstChanged.has(e.a)) rewrittenStreams.add(e.a);
  }
  if (rewrittenStreams.size > 0) {
    for (const view of [signed, all]) {
      const seen = new Set<number>();
      for (const section of view) {
        for (const [n, e] of section.entries) {
          if (seen.has(n)) continue;
          seen.add(n);
          if (e.type === 2 && rewrittenStreams.has(e.a) && !firstChanged.has(n)) firstChanged.set(n, firstChanged.get(e.a) ?? signed.length + 1);
        }
      }
    }
  }
  if (firstChanged.size > MAX_CHANGED_OBJECTS) {
    analysis.changes.push({ kind: 'other', revision: signed.length + 1, page: null, objectNumber: 0, allowed: false, text: 'quá nhiều đối tượng bị thay đổi sau chữ ký' });
    return analysis;
  }
  const signedRoles = rolesOf(rev, signed, deadline);
  // the newest revision is the same for every signature of the file: walked once
  let finalRoles = newestRoles.get(rev);
  if (!finalRoles) {
    finalRoles = rolesOf(rev, all, deadline);
    newestRoles.set(rev, finalRoles);
  }
  const incomplete = signedRoles.incomplete || finalRoles.incomplete;
  // a file readers resolve differently cannot be shown to carry only allowed changes
  analysis.formatProblems = revisionAmbiguities({ rev, signed, final: all, signedRoles, finalRoles, changed: firstChanged, signedEnd });
  let count = 0;
  for (const [n, revision] of [...firstChanged].sort((x, y) => x[1] - y[1] || x[0] - y[0])) {
    if ((++count & 0xff) === 0 && Date.now() > deadline) throw new Error('comparing revisions ran out of time');
    const before = rev.object(signed, n);
    const after = rev.object(all, n);
    if (sameObject(before, after)) continue;
    if (before.kind === 'null') continue; // a new object matters only through the changed objects that point at it
    const role = strongerRole(signedRoles.roles.get(n), finalRoles.roles.get(n));
    if (!role && incomplete) {
      // the walk did not reach every object: what it missed cannot be shown harmless
      analysis.changes.push({ kind: 'other', revision, page: null, objectNumber: n, allowed: false, text: describe('other', null, n) });
      continue;
    }
    for (const { kind, page, entry } of classify(ctx, n, role, before, after)) {
      const allowed = allowedUnder(kind, docMdp);
      const byDocMdp = !allowed && docMdp !== null && allowedUnder(kind, null);
      analysis.changes.push({ kind, revision, page, objectNumber: n, ...(entry ? { entry } : {}), allowed, ...(byDocMdp ? { forbiddenByDocMdp: docMdp } : {}), text: describe(kind, page, n, entry) });
    }
  }
  return analysis;
}
