import type { PdfValue } from './pdf-lexer';
import type { PdfObject, PdfRevisions, XrefSection } from './pdf-revisions';

// What each object of a revision is to the document: the catalogue, a node of the page tree,
// page N, a content stream or a resource of page N, a form field, an annotation… The
// modification classifier judges a later change by the role the object has.
//
// Default deny: every object reachable from the catalogue (and from the trailer's /Info) gets a
// role, not only the ones a known path names. The known paths (the page tree, the form, the
// annotations, the DSS, the catalogue's entries) set the roles of the objects they name; every
// object those reach in turn inherits a role from the object that reaches it (what a page reaches
// besides its content and resources — an indirect /MediaBox, /Group, /AA… — is a page attribute;
// what an annotation reaches is part of the annotation; what a field reaches besides its value
// and appearance is part of the field's structure). Back-references (/Parent, /P, /Pg, /Obj)
// are not followed: they point at what contains an object, not at what it contains.
//
// An object reached along several paths keeps its strongest role (the one whose changes the
// rules allow least: page content before a catalogue entry, before an annotation, before form
// filling, before the DSS, before the document information), and what it reaches is walked again
// with that role. Each object changes role at most once per strength level, so the walk stays
// linear in the number of objects.

export type Role =
  | { kind: 'catalog' }
  | { kind: 'pages-node' }
  | { kind: 'page'; page: number }
  | { kind: 'content'; page: number }
  /** `page` null: resources a node of the page tree passes down to its pages. */
  | { kind: 'resource'; page: number | null }
  /** Anything else a page or a page-tree node reaches (/MediaBox, /CropBox, /Rotate, /Group, /AA…); `entry` names the key. */
  | { kind: 'page-attribute'; page: number | null; entry: string }
  | { kind: 'acroform' }
  | { kind: 'field'; signature: boolean }
  /** What a field or the form reaches besides values and appearances (/A, /AA, /XFA…). */
  | { kind: 'field-part'; entry: string }
  | { kind: 'annotation'; page: number }
  | { kind: 'appearance' }
  | { kind: 'signature-value' }
  | { kind: 'dss' }
  | { kind: 'info' }
  /** Reached only through a catalogue entry other than the page tree, the form and the DSS: `entry` names it ("Outlines", "Names/EmbeddedFiles"…). */
  | { kind: 'catalog-entry'; entry: string };

const MAX_PAGES = 100_000;
/** Role assignments in one walk; past it the walk is reported incomplete (and unreached changes are not allowed). */
const MAX_ASSIGNMENTS = 2_000_000;

/** Catalogue entries with roles of their own (the page tree, the form, the DSS) or nothing behind them. */
const WALKED_ELSEWHERE = new Set(['Type', 'Pages', 'AcroForm', 'DSS', 'Extensions', 'Version']);
/** Catalogue entries whose changes are allowed without a certification signature (revision-diff.ts). */
const LENIENT_ENTRIES = new Set(['Metadata', 'StructTreeRoot', 'MarkInfo']);
/** Keys that point back at what contains an object (or, for /Obj and /Pg, at content the structure tree only labels). */
const BACK_REFERENCES = new Set(['Parent', 'P', 'Pg', 'Obj']);
/** Keys of a field whose objects are its value and its look: filling the form changes them. */
const FIELD_VALUE_KEYS = new Set(['V', 'AP', 'AS', 'MK', 'DV', 'RV']);
/** Keys of the form dictionary that filling or signing rewrite. */
const FORM_VALUE_KEYS = new Set(['DR', 'DA', 'NeedAppearances', 'SigFlags']);

export const entriesOf = (o: PdfObject): Map<string, PdfValue> | null =>
  o.kind === 'dict' ? o.entries : o.kind === 'stream' ? o.dict : null;
export const nameIn = (m: Map<string, PdfValue> | null, key: string): string | null => {
  const v = m?.get(key);
  return v?.kind === 'name' ? v.value : null;
};
const refsIn = (v: PdfValue | undefined): number[] =>
  !v ? [] : v.kind === 'ref' ? [v.objectNumber] : v.kind === 'array' ? v.items.flatMap(refsIn) : v.kind === 'dict' ? [...v.entries.values()].flatMap(refsIn) : [];

/**
 * How little the rules allow a change to an object in this role: the higher, the stronger. Page
 * content and structure, the catalogue and its other entries are never changed; structure tags
 * and XMP only without certification; annotations at P = 3; form filling at P ≥ 2; the DSS and
 * the document information always.
 */
export function roleStrength(r: Role): number {
  switch (r.kind) {
    case 'catalog': return 100;
    case 'pages-node': case 'page': return 95;
    case 'content': case 'resource': case 'page-attribute': return 90;
    case 'signature-value': return 85;
    case 'catalog-entry': return LENIENT_ENTRIES.has(r.entry.split('/')[0] ?? '') ? 50 : 80;
    case 'field-part': return 80;
    case 'annotation': return 40;
    case 'acroform': case 'field': case 'appearance': return 30;
    case 'dss': return 20;
    case 'info': return 10;
  }
}

/** The stronger of two roles (the first when they are as strong). */
export function strongerRole(a: Role | undefined, b: Role | undefined): Role | undefined {
  if (!a) return b;
  if (!b) return a;
  return roleStrength(b) > roleStrength(a) ? b : a;
}

export interface RevisionRoles {
  roles: Map<number, Role>;
  catalog: number | null;
  pageCount: number;
  /** The walk stopped at its cap: objects it did not reach may still be reachable. */
  incomplete: boolean;
}

/** Walks a revision (a view, newest section first) from its trailer and names the role of every object it reaches. */
export function rolesOf(rev: PdfRevisions, view: XrefSection[], deadline = Number.POSITIVE_INFINITY): RevisionRoles {
  const roles = new Map<number, Role>();
  const queue: number[] = [];
  let assignments = 0;
  let incomplete = false;
  /** Gives `n` the role unless it already has one as strong; a new role is passed on to what `n` reaches. */
  const set = (n: number, role: Role): void => {
    const had = roles.get(n);
    if (had && roleStrength(had) >= roleStrength(role)) return;
    if (++assignments > MAX_ASSIGNMENTS) {
      incomplete = true;
      return;
    }
    if ((assignments & 0xfff) === 0 && Date.now() > deadline) throw new Error('comparing revisions ran out of time');
    roles.set(n, role);
    queue.push(n);
  };
  const newest = view[0]?.trailer;
  const root = newest?.get('Root');
  const info = newest?.get('Info');
  if (info?.kind === 'ref') set(info.objectNumber, { kind: 'info' });
  if (root?.kind !== 'ref') {
    propagate(rev, view, roles, queue, set);
    return { roles, catalog: null, pageCount: 0, incomplete };
  }
  set(root.objectNumber, { kind: 'catalog' });
  const catalog = entriesOf(rev.object(view, root.objectNumber));

  // page tree: nodes, pages (numbered in order), their content, resources and attributes
  let page = 0;
  const pageNodes = new Set<number>();
  const annotations: Array<[number, number]> = [];
  const walkPages = (v: PdfValue | undefined, depth: number): void => {
    if (v?.kind !== 'ref' || pageNodes.has(v.objectNumber)) return;
    if (depth > 64 || page >= MAX_PAGES) {
      incomplete = true; // pages past the caps keep no role: their changes cannot be shown harmless
      return;
    }
    pageNodes.add(v.objectNumber);
    const node = entriesOf(rev.object(view, v.objectNumber));
    const kids = node?.get('Kids');
    if (nameIn(node, 'Type') === 'Pages' || kids) {
      set(v.objectNumber, { kind: 'pages-node' });
      const list = kids?.kind === 'ref' ? rev.resolve(view, kids) : kids;
      if (kids?.kind === 'ref') set(kids.objectNumber, { kind: 'pages-node' });
      for (const [key, value] of node ?? []) {
        if (key === 'Kids' || BACK_REFERENCES.has(key)) continue;
        for (const n of refsIn(value)) set(n, key === 'Resources' ? { kind: 'resource', page: null } : { kind: 'page-attribute', page: null, entry: key });
      }
      for (const kid of list?.kind === 'array' ? list.items : []) walkPages(kid, depth + 1);
      return;
    }
    page++;
    set(v.objectNumber, { kind: 'page', page });
    for (const [key, value] of node ?? []) {
      if (key === 'Annots' || BACK_REFERENCES.has(key)) continue;
      const role: Role = key === 'Contents' ? { kind: 'content', page } : key === 'Resources' ? { kind: 'resource', page } : { kind: 'page-attribute', page, entry: key };
      for (const n of refsIn(value)) set(n, role);
    }
    const annots = node?.get('Annots');
    if (annots?.kind === 'ref') set(annots.objectNumber, { kind: 'page', page });
    const annotList = annots?.kind === 'ref' ? rev.resolve(view, annots) : annots;
    for (const n of annotList?.kind === 'array' ? refsIn(annotList) : []) annotations.push([n, page]);
  };
  walkPages(catalog?.get('Pages'), 0);

  // the other catalogue entries (Outlines, Names and its trees, OpenAction, AA, Metadata…)
  for (const [key, value] of catalog ?? []) {
    if (WALKED_ELSEWHERE.has(key)) continue;
    if (key !== 'Names') {
      for (const n of refsIn(value)) set(n, { kind: 'catalog-entry', entry: key });
      continue;
    }
    if (value.kind === 'ref') set(value.objectNumber, { kind: 'catalog-entry', entry: 'Names' });
    for (const [tree, node] of entriesOf(rev.resolve(view, value)) ?? []) {
      for (const n of refsIn(node)) set(n, { kind: 'catalog-entry', entry: `Names/${tree}` });
    }
  }

  // annotations other than widgets (widgets belong to their fields)
  for (const [n, p] of annotations) {
    if (nameIn(entriesOf(rev.object(view, n)), 'Subtype') !== 'Widget') set(n, { kind: 'annotation', page: p });
  }

  // form fields and their widgets; appearance streams
  const acroform = catalog?.get('AcroForm');
  if (acroform?.kind === 'ref') set(acroform.objectNumber, { kind: 'acroform' });
  const form = entriesOf(acroform ? rev.resolve(view, acroform) : { kind: 'null' as const });
  const fieldsSeen = new Set<number>();
  const walkFields = (v: PdfValue | undefined, depth: number, inheritedSig: boolean): void => {
    if (v?.kind !== 'ref' || fieldsSeen.has(v.objectNumber)) return;
    if (depth > 32) {
      incomplete = true;
      return;
    }
    fieldsSeen.add(v.objectNumber);
    const f = entriesOf(rev.object(view, v.objectNumber));
    const isSig = (nameIn(f, 'FT') ?? (inheritedSig ? 'Sig' : null)) === 'Sig';
    set(v.objectNumber, { kind: 'field', signature: isSig });
    for (const [key, value] of f ?? []) {
      if (key === 'Kids' || BACK_REFERENCES.has(key)) continue;
      const role: Role = key === 'V' && isSig ? { kind: 'signature-value' } : FIELD_VALUE_KEYS.has(key) ? { kind: 'appearance' } : { kind: 'field-part', entry: key };
      for (const n of refsIn(value)) set(n, role);
    }
    const kids = f?.get('Kids');
    const kidList = kids?.kind === 'ref' ? rev.resolve(view, kids) : kids;
    if (kids?.kind === 'ref') set(kids.objectNumber, { kind: 'field', signature: isSig });
    for (const kid of kidList?.kind === 'array' ? kidList.items : []) walkFields(kid, depth + 1, isSig);
  };
  const fields = form?.get('Fields');
  const fieldList = fields?.kind === 'ref' ? rev.resolve(view, fields) : fields;
  if (fields?.kind === 'ref') set(fields.objectNumber, { kind: 'acroform' });
  for (const f of fieldList?.kind === 'array' ? fieldList.items : []) walkFields(f, 0, false);
  for (const [key, value] of form ?? []) {
    if (key === 'Fields') continue;
    for (const n of refsIn(value)) set(n, FORM_VALUE_KEYS.has(key) ? { kind: 'appearance' } : { kind: 'field-part', entry: key });
  }
  // widgets no field names are shown like any other annotation
  for (const [n, p] of annotations) if (!roles.has(n)) set(n, { kind: 'annotation', page: p });

  const dss = catalog?.get('DSS');
  for (const n of refsIn(dss)) set(n, { kind: 'dss' });
  propagate(rev, view, roles, queue, set);
  return { roles, catalog: root.objectNumber, pageCount: page, incomplete };
}

/**
 * Passes every role on to what its object reaches. The structural roles (the catalogue, the page
 * tree, pages, the form and its fields) had their entries assigned by the walks above; the
 * others are inherited as they are.
 */
function propagate(rev: PdfRevisions, view: XrefSection[], roles: Map<number, Role>, queue: number[], set: (n: number, r: Role) => void): void {
  while (queue.length > 0) {
    const n = queue.pop() as number;
    const role = roles.get(n);
    if (!role) continue;
    switch (role.kind) {
      case 'catalog': case 'pages-node': case 'page': case 'acroform': case 'field':
        // their entries were given roles by the walks; an indirect array (/Kids, /Annots, /Fields) holds refs walked there
        continue;
      default:
    }
    const o = rev.object(view, n);
    if (o.kind === 'array') {
      for (const m of refsIn(o)) set(m, role);
      continue;
    }
    const e = entriesOf(o);
    if (!e) continue;
    for (const [key, value] of e) {
      if (BACK_REFERENCES.has(key)) continue;
      for (const m of refsIn(value)) set(m, role);
    }
  }
}
