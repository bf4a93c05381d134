import { createHash } from 'node:crypto';
import { PDFArray, PDFDict, PDFName, PDFRef } from 'pdf-lib';
import { continuation, type SignTarget } from '../pdf-placeholder';
import { formatPdfDate } from '../pdf-text';
import { writeXrefSection, XrefEntry } from '../pdf-xref';

// The Document Security Store (ETSI EN 319 142-1 §5.4, ISO 32000-2 §12.8.4.3) as an incremental
// update: certificates, CRLs and OCSP responses as streams, listed in /Certs, /CRLs, /OCSPs, and
// one /VRI entry per signature or timestamp naming the ones that validate it. A DSS already in
// the file is carried over (its arrays and VRI entries are copied by reference into a new DSS
// object), so renewals add to it; the signed bytes before the update are never touched.

/** What validates one signature (or document timestamp): its key is SHA-1 of its /Contents value. */
export interface VriEntry {
  /** The signature's CMS (or timestamp token) exactly as in /Contents, without the padding. */
  signatureContents: Buffer;
  certs: Buffer[];
  crls: Buffer[];
  ocsps: Buffer[];
}

/** The /VRI key of a signature: upper-case hex SHA-1 of its /Contents bytes. */
export const vriKey = (signatureContents: Buffer): string => createHash('sha1').update(signatureContents).digest('hex').toUpperCase();

const DSS = PDFName.of('DSS');

function refsOf(t: SignTarget, dss: PDFDict | undefined, key: string): string[] {
  const value = t.lookup(dss?.get(PDFName.of(key)));
  return value instanceof PDFArray ? value.asArray().filter((x) => x instanceof PDFRef).map((x) => x.toString()) : [];
}

/** The existing /VRI entries, serialized as they are ("/KEY value"). */
function vriEntriesOf(t: SignTarget, dss: PDFDict | undefined): string[] {
  const vri = t.lookup(dss?.get(PDFName.of('VRI')));
  if (!(vri instanceof PDFDict)) return [];
  return vri.entries().map(([name, value]) => `${name.toString()} ${value.toString()}`);
}

/** The bytes to append to the file behind `t` (the DSS update with its cross-reference section), and the document after it. */
export function buildDssUpdate(t: SignTarget, entries: VriEntry[], when: Date): { update: Buffer; next: SignTarget } {
  const { tail } = t;
  let next = Math.max(t.nextObjectNumber, tail.size);
  const objects: [number, number, Buffer][] = [];
  const numberOf = new Map<string, number>();
  const stream = (der: Buffer): string => {
    const h = createHash('sha256').update(der).digest('hex');
    let n = numberOf.get(h);
    if (n === undefined) {
      n = next++;
      numberOf.set(h, n);
      objects.push([n, 0, Buffer.concat([Buffer.from(`<< /Length ${der.length} >>\nstream\n`, 'latin1'), der, Buffer.from('\nendstream', 'latin1')])]);
    }
    return `${n} 0 R`;
  };

  const existingEntry = t.catalog.get(DSS);
  const existing = t.lookup(existingEntry);
  const old = existing instanceof PDFDict ? existing : undefined;
  const lists = { Certs: refsOf(t, old, 'Certs'), CRLs: refsOf(t, old, 'CRLs'), OCSPs: refsOf(t, old, 'OCSPs') };
  const vri = vriEntriesOf(t, old);
  const tu = `(${formatPdfDate(when)})`;
  for (const e of entries) {
    const certs = e.certs.map(stream);
    const crls = e.crls.map(stream);
    const ocsps = e.ocsps.map(stream);
    for (const [list, refs] of [[lists.Certs, certs], [lists.CRLs, crls], [lists.OCSPs, ocsps]] as const) {
      for (const r of refs) if (!list.includes(r)) list.push(r);
    }
    const key = `/${vriKey(e.signatureContents)}`;
    const at = vri.findIndex((v) => v.startsWith(`${key} `));
    if (at >= 0) vri.splice(at, 1); // the newer validation data replaces the older entry
    vri.push(`${key} << /Type /VRI /Cert [${certs.join(' ')}] /CRL [${crls.join(' ')}] /OCSP [${ocsps.join(' ')}] /TU ${tu} >>`);
  }
  const vriNumber = next++;
  const dssNumber = next++;
  const xrefStreamNumber = next++;
  objects.push([vriNumber, 0, Buffer.from(`<< ${vri.join('\n')} >>`, 'latin1')]);
  const arrays = Object.entries(lists).filter(([, refs]) => refs.length > 0).map(([k, refs]) => `/${k} [${refs.join(' ')}]`).join(' ');
  objects.push([dssNumber, 0, Buffer.from(`<< /Type /DSS ${arrays} /VRI ${vriNumber} 0 R >>`, 'latin1')]);
  t.catalog.set(DSS, PDFRef.of(dssNumber));
  objects.push([t.catalogRef.objectNumber, t.catalogRef.generationNumber, Buffer.from(t.catalog.toString(), 'latin1')]);

  const chunks: Buffer[] = [];
  let offset = t.length;
  const push = (b: Buffer): void => {
    chunks.push(b);
    offset += b.length;
  };
  if (t.length > 0 && t.lastByte !== 0x0a && t.lastByte !== 0x0d) push(Buffer.from('\n', 'latin1'));
  const xref: XrefEntry[] = [];
  for (const [n, gen, body] of objects) {
    xref.push({ objectNumber: n, generation: gen, offset });
    push(Buffer.concat([Buffer.from(`${n} ${gen} obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]));
  }
  const { Info, ID } = t.trailer;
  const inherited = [`/Root ${t.catalogRef.toString()}`, Info ? `/Info ${Info.toString()}` : '', ID ? `/ID ${ID.toString()}` : ''].filter(Boolean).join(' ');
  xref.sort((a, b) => a.objectNumber - b.objectNumber);
  const xrefOffset = offset;
  chunks.push(writeXrefSection(tail.kind, xref, { size: Math.max(tail.size, xrefStreamNumber), prev: tail.startxref, inherited }, offset, xrefStreamNumber));
  const update = Buffer.concat(chunks);
  return { update, next: continuation(t, update, xrefOffset, xrefStreamNumber) };
}
