import type { PdfValue } from './pdf-lexer';
import type { PdfObject, PdfRevisions, XrefSection } from './pdf-revisions';

// What each object of a signed revision is to the document: the catalogue, a node of the page
// tree, page N, a content stream or a resource of page N, a form field, an annotation… The
// modification classifier judges a later change by the role the object had when it was signed.

export type Role =
  | { kind: 'catalog' }
  | { kind: 'pages-node' }
  | { kind: 'page'; page: number }
  | { kind: 'content'; page: number }
  | { kind: 'resource'; page: number }
  | { kind: 'acroform' }
  | { kind: 'field'; signature: boolean }
  | { kind: 'annotation'; page: number }
  | { kind: 'appearance' }
  | { kind: 'signature-value' }
  | { kind: 'dss' }
  | { kind: 'info' }
  /** Reached only through a catalogue entry other than the page tree, the form and the DSS: `entry` names it ("Outlines", "Names/EmbeddedFiles"…). */
  | { kind: 'catalog-entry'; entry: string };

const MAX_PAGES = 100_000;
const MAX_RESOURCE_OBJECTS = 20_000;
const MAX_CATALOG_ENTRY_OBJECTS = 50_000;

/** Catalogue entries with roles of their own (the page tree, the form, the DSS) or nothing behind them. */
const WALKED_ELSEWHERE = new Set(['Type', 'Pages', 'AcroForm', 'DSS', 'Extensions', 'Version']);

export const entriesOf = (o: PdfObject): Map<string, PdfValue> | null =>
  o.kind === 'dict' ? o.entries : o.kind === 'stream' ? o.dict : null;
export const nameIn = (m: Map<string, PdfValue> | null, key: string): string | null => {
  const v = m?.get(key);
  return v?.kind === 'name' ? v.value : null;
};
const refsIn = (v: PdfValue | undefined): number[] =>
  !v ? [] : v.kind === 'ref' ? [v.objectNumber] : v.kind === 'array' ? v.items.flatMap(refsIn) : v.kind === 'dict' ? [...v.entries.values()].flatMap(refsIn) : [];

export interface RevisionRoles {
  roles: Map<number, Role>;
  catalog: number | null;
  pageCount: number;
}

/** Walks the signed revision from its trailer and names the role of every object it reaches. */
export function rolesOf(rev: PdfRevisions, view: XrefSection[]): RevisionRoles {
  const roles = new Map<number, Role>();
  const set = (n: number, role: Role): void => {
    if (!roles.has(n)) roles.set(n, role);
  };
  const newest = view[0]?.trailer;
  const root = newest?.get('Root');
  const info = newest?.get('Info');
  if (info?.kind === 'ref') set(info.objectNumber, { kind: 'info' });
  if (root?.kind !== 'ref') return { roles, catalog: null, pageCount: 0 };
  set(root.objectNumber, { kind: 'catalog' });
  const catalog = entriesOf(rev.object(view, root.objectNumber));

  // page tree
  let page = 0;
  const walkPages = (v: PdfValue | undefined, depth: number): void => {
    if (v?.kind !== 'ref' || depth > 64 || page >= MAX_PAGES || roles.has(v.objectNumber)) return;
    const node = entriesOf(rev.object(view, v.objectNumber));
    const kids = node?.get('Kids');
    if (nameIn(node, 'Type') === 'Pages' || kids) {
      set(v.objectNumber, { kind: 'pages-node' });
      const list = kids?.kind === 'ref' ? rev.resolve(view, kids) : kids;
      if (kids?.kind === 'ref') set(kids.objectNumber, { kind: 'pages-node' });
      for (const kid of list?.kind === 'array' ? list.items : []) walkPages(kid, depth + 1);
      return;
    }
    page++;
    set(v.objectNumber, { kind: 'page', page });
    const contents = node?.get('Contents');
    for (const n of refsIn(contents)) set(n, { kind: 'content', page });
    if (contents?.kind === 'ref') {
      const arr = rev.object(view, contents.objectNumber);
      if (arr.kind === 'array') for (const n of refsIn(arr)) set(n, { kind: 'content', page });
    }
    markResources(rev, view, node?.get('Resources'), page, set);
    const annots = node?.get('Annots');
    if (annots?.kind === 'ref') set(annots.objectNumber, { kind: 'page', page });
    const annotList = annots?.kind === 'ref' ? rev.resolve(view, annots) : annots;
    for (const n of annotList?.kind === 'array' ? refsIn(annotList) : []) {
      const a = entriesOf(rev.object(view, n));
      if (nameIn(a, 'Subtype') !== 'Widget') set(n, { kind: 'annotation', page });
    }
  };
  walkPages(catalog?.get('Pages'), 0);

  // form fields and their widgets; appearance streams
  const acroform = catalog?.get('AcroForm');
  if (acroform?.kind === 'ref') set(acroform.objectNumber, { kind: 'acroform' });
  const form = acroform ? rev.resolve(view, acroform) : { kind: 'null' as const };
  const walkFields = (v: PdfValue | undefined, depth: number, inheritedSig: boolean): void => {
    if (v?.kind !== 'ref' || depth > 32 || roles.has(v.objectNumber)) return;
    const f = entriesOf(rev.object(view, v.objectNumber));
    const isSig = (nameIn(f, 'FT') ?? (inheritedSig ? 'Sig' : null)) === 'Sig';
    set(v.objectNumber, { kind: 'field', signature: isSig });
    const sigValue = f?.get('V');
    if (isSig && sigValue?.kind === 'ref') set(sigValue.objectNumber, { kind: 'signature-value' });
    for (const n of refsIn(f?.get('AP'))) set(n, { kind: 'appearance' });
    const kids = f?.get('Kids');
    for (const kid of kids?.kind === 'array' ? kids.items : []) walkFields(kid, depth + 1, isSig);
  };
  const fields = entriesOf(form)?.get('Fields');
  const fieldList = fields?.kind === 'ref' ? rev.resolve(view, fields) : fields;
  if (fields?.kind === 'ref') set(fields.objectNumber, { kind: 'acroform' });
  for (const f of fieldList?.kind === 'array' ? fieldList.items : []) walkFields(f, 0, false);
  for (const n of refsIn(entriesOf(form)?.get('DR'))) set(n, { kind: 'appearance' });

  const dss = catalog?.get('DSS');
  if (dss?.kind === 'ref') set(dss.objectNumber, { kind: 'dss' });
  markCatalogEntries(rev, view, catalog, set, (n) => roles.has(n));
  return { roles, catalog: root.objectNumber, pageCount: page };
}

/** Every object reachable from a page's resources (fonts, images, forms, graphics states). */
function markResources(rev: PdfRevisions, view: XrefSection[], resources: PdfValue | undefined, page: number, set: (n: number, r: Role) => void): void {
  const queue = refsIn(resources);
  const visited = new Set<number>();
  while (queue.length > 0 && visited.size < MAX_RESOURCE_OBJECTS) {
    const n = queue.pop() as number;
    if (visited.has(n)) continue;
    visited.add(n);
    set(n, { kind: 'resource', page });
    const o = rev.object(view, n);
    const e = entriesOf(o);
    if (o.kind === 'array') queue.push(...refsIn(o));
    else if (e) for (const [k, v] of e) if (k !== 'Parent') queue.push(...refsIn(v));
  }
}

/**
 * Every object reached only through the other catalogue entries (Outlines, Names and its trees,
 * OpenAction, AA, Metadata, StructTreeRoot, PageLabels, OCProperties, URI…), named by the entry
 * that reaches it; the Names dictionary's trees by their own key ("Names/JavaScript",
 * "Names/EmbeddedFiles"). Walked last, so a page or a field an outline or a structure element
 * points at keeps its own role, and the walk stops there.
 */
function markCatalogEntries(rev: PdfRevisions, view: XrefSection[], catalog: Map<string, PdfValue> | null, set: (n: number, r: Role) => void, known: (n: number) => boolean): void {
  const visited = new Set<number>();
  const walk = (start: PdfValue | undefined, entry: string): void => {
    const queue = refsIn(start);
    while (queue.length > 0 && visited.size < MAX_CATALOG_ENTRY_OBJECTS) {
      const n = queue.pop() as number;
      if (visited.has(n) || known(n)) continue;
      visited.add(n);
      set(n, { kind: 'catalog-entry', entry });
      const o = rev.object(view, n);
      const e = entriesOf(o);
      if (o.kind === 'array') queue.push(...refsIn(o));
      else if (e) for (const v of e.values()) queue.push(...refsIn(v));
    }
  };
  for (const [key, value] of catalog ?? []) {
    if (WALKED_ELSEWHERE.has(key)) continue;
    if (key !== 'Names') {
      walk(value, key);
      continue;
    }
    if (value.kind === 'ref' && !known(value.objectNumber)) {
      visited.add(value.objectNumber);
      set(value.objectNumber, { kind: 'catalog-entry', entry: 'Names' });
    }
    for (const [tree, node] of entriesOf(rev.resolve(view, value)) ?? []) walk(node, `Names/${tree}`);
  }
}
