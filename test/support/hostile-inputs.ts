import { zipSync } from 'fflate';

/**
 * A PDF whose page tree loops: the Pages node lists itself among its Kids and the page is its own
 * Parent. A naive walk of the tree never ends; the service must refuse it with a clear error.
 */
export function loopedPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>',
    '<< /Type /Page /Parent 3 0 R /Kids [2 0 R] /MediaBox [0 0 595 842] /Contents 4 0 R >>',
    '<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 712 Td (looped tree) Tj ET\nendstream',
  ];
  let out = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A zip of about 64 KB that declares 64 MB of zeros inside (ratio ~1000:1). */
export function zipBomb(): Buffer {
  return Buffer.from(zipSync({ 'van-ban.pdf': new Uint8Array(64 * 1024 * 1024) }, { level: 9 }));
}

/** Puts a DOCTYPE after the XML declaration and an entity reference into the subject. */
export function withDoctype(xml: string, doctype: string, entity: string): string {
  const afterDecl = xml.startsWith('<?xml') ? xml.indexOf('?>') + 2 : 0;
  return (xml.slice(0, afterDecl) + `\n${doctype}\n` + xml.slice(afterDecl)).replace('Kế hoạch thử nghiệm', `&${entity}; Kế hoạch thử nghiệm`);
}

export function xxe(xml: string): string {
  return withDoctype(xml, '<!DOCTYPE edXMLEnvelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 'xxe');
}

export function billionLaughs(xml: string): string {
  const defs = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i <= 9; i++) defs.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return withDoctype(xml, `<!DOCTYPE edXMLEnvelope [${defs.join('')}]>`, 'lol9');
}

/** `{"metadata": [[[[…]]]]}` nested `depth` deep, as text (JSON.stringify would recurse). */
export function deeplyNestedJson(depth: number): string {
  return `{"metadata":${'['.repeat(depth)}${']'.repeat(depth)},"files":[]}`;
}

/** A Cyrillic capital En (U+041D) where the Latin H belongs: looks identical in most fonts. */
export const CONFUSABLE_CODE = '000.00.00.\u041d15';
