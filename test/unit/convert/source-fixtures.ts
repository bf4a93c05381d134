import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** Sources made at test time: small, readable, and each one a real file of its kind. */

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

function docxParts(bodyXml: string): Record<string, Uint8Array> {
  return {
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    '_rels/.rels': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    ),
    'word/document.xml': strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="${W}"><w:body>${bodyXml}</w:body></w:document>`),
  };
}

const para = (text: string) => `<w:p><w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`;
const cell = (text: string) => `<w:tc>${para(text)}</w:tc>`;

/** A minimal Word document: two paragraphs and a one-row table. */
export function minimalDocx(): Buffer {
  const body = para('Báo cáo kết quả cải cách hành chính quý I') + para('Tỷ lệ văn bản điện tử đạt 62%.') + `<w:tbl><w:tr>${cell('Đơn vị')}${cell('Tỷ lệ')}</w:tr></w:tbl>`;
  return Buffer.from(zipSync(docxParts(body)));
}

/** A .docx with one extra member of `megabytes` of zeros: it deflates about a thousandfold. */
export function zeroBombDocx(megabytes: number): Buffer {
  const parts: Zippable = { ...docxParts(para('x')), 'word/media/padding.bin': new Uint8Array(megabytes * 1024 * 1024) };
  return Buffer.from(zipSync(parts, { level: 9 }));
}

/** A small .docx whose central directory claims a member unpacks to about 3.9 GB. */
export function lyingSizeDocx(): Buffer {
  const zip = Buffer.from(zipSync(docxParts(para('x'))));
  const cd = zip.lastIndexOf(Buffer.from('PK\x01\x02', 'latin1'));
  zip.writeUInt32LE(0xf0000000, cd + 24); // uncompressed size of the last central directory entry
  return zip;
}

export function manyMembersDocx(count: number): Buffer {
  const parts: Zippable = docxParts(para('x'));
  for (let i = 0; i < count; i++) parts[`word/extra/part${i}.xml`] = strToU8('<x/>');
  return Buffer.from(zipSync(parts));
}

export function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) png.data.set([...rgb, 255], i * 4);
  return PNG.sync.write(png);
}

export function solidJpeg(width: number, height: number, rgb: [number, number, number]): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...rgb, 255], i * 4);
  return Buffer.from(jpeg.encode({ data, width, height }, 90).data);
}

/** Only the signature and an IHDR claiming width × height pixels: no image data at all. */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const type = Buffer.from('IHDR', 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(13);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([type, ihdr])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), length, type, ihdr, crc]);
}

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** AES-256 with user password "u", made by qpdf as a real tool would. */
export function encryptWithQpdf(pdf: Buffer): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-qpdf-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.pdf'), pdf);
    execFileSync('qpdf', ['--encrypt', 'u', 'o', '256', '--', path.join(dir, 'in.pdf'), path.join(dir, 'out.pdf')]);
    return fs.readFileSync(path.join(dir, 'out.pdf'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The colour at the centre of page 1, rendered by poppler. */
export function centrePixel(pdf: Buffer): [number, number, number] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-pixel-'));
  try {
    fs.writeFileSync(path.join(dir, 'doc.pdf'), pdf);
    execFileSync('pdftoppm', ['-png', '-r', '20', '-f', '1', '-l', '1', '-singlefile', path.join(dir, 'doc.pdf'), path.join(dir, 'page')]);
    const png = PNG.sync.read(fs.readFileSync(path.join(dir, 'page.png')));
    const at = (Math.floor(png.height / 2) * png.width + Math.floor(png.width / 2)) * 4;
    return [png.data[at] ?? -1, png.data[at + 1] ?? -1, png.data[at + 2] ?? -1];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
