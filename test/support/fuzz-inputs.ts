import { emitEdxmlDocument } from '../../services/edxml';
import { metadataFor } from './pdf.fixture';

/** One hostile request: where it goes, its declared type and its bytes. */
export interface FuzzInput {
  family: 'json-raw' | 'json-tree' | 'multipart' | 'edxml' | 'pdf';
  path: '/v1/documents' | '/v1/edxml';
  contentType: string;
  body: Buffer;
}

/** A small seeded PRNG (mulberry32): a failing input is reproduced from the seed and its index. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ['"', '{', '}', '[', ']', ',', ':', '\\', '\u0000', '\uFFFF', '\uD800', 'null', '-1', '1e309', '9'.repeat(40), '<', '>', '&', ']]>', '<!ENTITY', '--', '\r\n', '%PDF-', 'endobj', 'Н', '../'];
const WEIRD_VALUES: unknown[] = [null, true, 0, -1, 1e308, '', ' ', 'x'.repeat(5000), '../../etc/passwd', '000.00.00.Н15', '2026-02-30', '\u202Eevil', [], [[[]]], {}, { __proto__: { polluted: true } }, { constructor: { prototype: { x: 1 } } }];

/** Raw byte mutations: flip, insert, delete, duplicate, truncate, splice a token. */
export function mutateBytes(input: Buffer, rnd: () => number, rounds = 1 + Math.floor(rnd() * 4)): Buffer {
  let b = Buffer.from(input);
  for (let i = 0; i < rounds; i++) {
    const at = Math.floor(rnd() * Math.max(1, b.length));
    switch (Math.floor(rnd() * 6)) {
      case 0:
        if (b.length) b[at] = b[at]! ^ (1 << Math.floor(rnd() * 8));
        break;
      case 1:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(TOKENS[Math.floor(rnd() * TOKENS.length)]!), b.subarray(at)]);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + Math.floor(rnd() * 64)))]);
        break;
      case 3: {
        const chunk = b.subarray(at, at + 1 + Math.floor(rnd() * 256));
        b = Buffer.concat([b.subarray(0, at), chunk, chunk, b.subarray(at)]);
        break;
      }
      case 4:
        b = b.subarray(0, at);
        break;
      default:
        b[at] = Math.floor(rnd() * 256);
    }
  }
  return b;
}

/** Structure-aware JSON mutation: one random node replaced by a hostile value. */
export function mutateTree(value: unknown, rnd: () => number): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  const nodes: { parent: Record<string, unknown>; key: string }[] = [];
  const walk = (v: unknown) => {
    if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        nodes.push({ parent: v as Record<string, unknown>, key: k });
        walk((v as Record<string, unknown>)[k]);
      }
    }
  };
  walk(copy);
  const pick = nodes[Math.floor(rnd() * nodes.length)];
  if (!pick) return copy;
  const r = rnd();
  if (r < 0.1) delete pick.parent[pick.key];
  else if (r < 0.2) pick.parent[`${pick.key}_extra`] = 1;
  else pick.parent[pick.key] = WEIRD_VALUES[Math.floor(rnd() * WEIRD_VALUES.length)];
  return copy;
}

export interface FuzzSeeds {
  pdf: Buffer;
  senderCode: string;
  senderName: string;
  recipients: string[];
}

/** A raw multipart body (built by hand so its framing can be mutated too). */
export function multipartBody(parts: { name: string; fileName?: string; type: string; bytes: Buffer }[], boundary: string): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.fileName !== undefined ? `; filename="${p.fileName}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\nContent-Type: ${p.type}\r\n\r\n`), p.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export function sampleEdxml(s: FuzzSeeds, attachments = [{ name: 'ke-hoach.pdf', contentType: 'application/pdf', bytes: s.pdf }]): string {
  return emitEdxmlDocument({
    from: { organId: s.senderCode, organName: s.senderName },
    to: s.recipients.map((code) => ({ organId: code, organName: `Cơ quan ${code}` })),
    documentId: null,
    code: { number: '12', notation: 'KH-UBND' },
    promulgation: { place: 'Buôn Ma Thuột', date: '2026-03-05' },
    documentType: { typeName: 'Kế hoạch' },
    subject: 'Kế hoạch thử nghiệm đầu vào độc hại',
    signer: { competence: 'KT.', position: 'PHÓ CHỦ TỊCH', fullName: 'Nguyễn Văn Ấn' },
    otherInfo: { priority: 1 },
    responseFor: [],
    toPlaces: ['- Lưu: VT, TH.'],
    business: { businessDocType: 0, paper: 0 },
    traceHeaders: [{ organId: s.senderCode, timestamp: '2026-03-05T08:00:00+07:00' }],
    attachments,
  });
}

/** The i-th input of a run: deterministic in (seed, i), a mix of every family. */
export function fuzzInput(s: FuzzSeeds, seed: number, i: number): FuzzInput {
  const rnd = prng(seed * 1_000_003 + i);
  const metadata = metadataFor(s.recipients);
  const jsonRequest = { metadata, files: [{ name: 'vb.pdf', contentType: 'application/pdf', contentBase64: s.pdf.toString('base64') }] };
  const boundary = `----fuzz${i}`;
  const r = rnd();
  if (r < 0.25) {
    return { family: 'json-raw', path: '/v1/documents', contentType: 'application/json', body: mutateBytes(Buffer.from(JSON.stringify(jsonRequest)), rnd) };
  }
  if (r < 0.45) {
    return { family: 'json-tree', path: '/v1/documents', contentType: 'application/json', body: Buffer.from(JSON.stringify(mutateTree(jsonRequest, rnd))) };
  }
  if (r < 0.65) {
    const metaBytes = rnd() < 0.5 ? Buffer.from(JSON.stringify(mutateTree(metadata, rnd))) : Buffer.from(JSON.stringify(metadata));
    const body = multipartBody(
      [
        { name: 'metadata', type: 'application/json', bytes: metaBytes },
        { name: rnd() < 0.9 ? 'file' : 'fi\u0000le', fileName: rnd() < 0.5 ? 'van-ban.pdf' : '../../x.pdf', type: 'application/pdf', bytes: s.pdf },
      ],
      boundary,
    );
    return { family: 'multipart', path: '/v1/documents', contentType: `multipart/form-data; boundary=${boundary}`, body: rnd() < 0.6 ? mutateBytes(body, rnd) : body };
  }
  if (r < 0.85) {
    return { family: 'edxml', path: '/v1/edxml', contentType: 'application/xml', body: mutateBytes(Buffer.from(sampleEdxml(s)), rnd) };
  }
  // A damaged PDF inside an otherwise valid request: the PDF checks must refuse it, never fail.
  const pdf = rnd() < 0.3 ? s.pdf.subarray(0, Math.floor(rnd() * s.pdf.length)) : mutateBytes(s.pdf, rnd, 1 + Math.floor(rnd() * 8));
  const req = { metadata, files: [{ name: 'vb.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }] };
  return { family: 'pdf', path: '/v1/documents', contentType: 'application/json', body: Buffer.from(JSON.stringify(req)) };
}
