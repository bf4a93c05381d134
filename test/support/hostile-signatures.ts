// Hostile signed PDFs for the bounded-cost tests and the benchmark (issue 15): both are PDFs
// pdf-lib opens, so they reach signature verification instead of being refused at the door.

function assemble(objects: string[], extraXref = ''): Buffer {
  const parts: string[] = ['%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'];
  let length = Buffer.byteLength(parts[0]!, 'latin1');
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(length);
    const text = `${i + 1} 0 obj\n${o}\nendobj\n`;
    parts.push(text);
    length += Buffer.byteLength(text, 'latin1');
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`];
  for (const off of offsets) xref.push(`${String(off).padStart(10, '0')} 00000 n \n`);
  parts.push(xref.join(''), `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n${extraXref}`);
  return Buffer.from(parts.join(''), 'latin1');
}

/**
 * A one-page PDF whose content stream is `bytes` of repeated "/ByteRange " (and fake object
 * headers): a verifier that searches backwards from every hit costs time quadratic in the size.
 */
export function byteRangeBomb(bytes = 4 * 1024 * 1024): Buffer {
  const unit = '/ByteRange [0 1 2 3] 9 0 obj /ByteRange ';
  const data = unit.repeat(Math.ceil(bytes / unit.length));
  return assemble([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
    `<< /Length ${data.length} >>\nstream\n${data}\nendstream`,
    '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 10] /Contents <3003020101> >>',
  ]);
}

/** A one-page PDF with `count` objects (a 600,000-object file is about 29 MB) and a signature dictionary. */
export function manyObjectsPdf(count = 600_000): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
    '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 10] /Contents <3003020101> >>',
  ];
  for (let i = objects.length; i < count; i++) objects.push(`<< /N ${i} >>`);
  return assemble(objects);
}
