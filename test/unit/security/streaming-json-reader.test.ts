import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import { expect } from 'chai';
import fc from 'fast-check';
import type { Request } from 'express';
import { DecodedContent } from '../../../services/http/parsing/base64-spill-sink';
import { readStreamingJson } from '../../../services/http/parsing/streaming-json-reader';
import { DomainError } from '../../../services/domain/errors/domain-error';

const isContent = (p: readonly (string | number)[]) => p.length === 3 && p[0] === 'files' && typeof p[1] === 'number' && p[2] === 'contentBase64';

/** A request whose body arrives in the given pieces (as a socket would split it). */
function requestOf(pieces: Buffer[], headers: Record<string, string> = {}): Request {
  const s = new PassThrough();
  const req = Object.assign(s, { header: (n: string) => headers[n.toLowerCase()], res: undefined }) as unknown as Request;
  void (async () => {
    for (const p of pieces) {
      s.write(p);
      await new Promise((r) => setImmediate(r));
    }
    s.end();
  })();
  return req;
}

function split(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

describe('streaming JSON reader: base64 file contents decoded as they arrive (issue 17)', () => {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-sjr-'));
  const opts = { limitBytes: 10 * 1024 * 1024, maxFileBytes: 4 * 1024 * 1024, memoryLimit: 64 * 1024, tempDir, isContent };
  after(() => fs.rmSync(tempDir, { recursive: true, force: true }));

  const read = (text: string | Buffer, piece = 7, headers?: Record<string, string>) =>
    readStreamingJson(requestOf(split(Buffer.isBuffer(text) ? text : Buffer.from(text), piece), headers), opts);

  async function refused(text: string, code: string, piece = 7): Promise<DomainError> {
    try {
      await read(text, piece);
    } catch (err) {
      expect(err).to.be.instanceOf(DomainError);
      expect((err as DomainError).code).to.equal(code);
      return err as DomainError;
    }
    throw new Error(`accepted: ${text.slice(0, 80)}`);
  }

  it('when any JSON value without file contents arrives in pieces, then it reads as JSON.parse reads it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })), fc.integer({ min: 1, max: 13 }), async (value, piece) => {
        const text = JSON.stringify(value);
        expect(await read(text, piece)).to.deep.equal(JSON.parse(text));
      }),
      { numRuns: 150 },
    );
  });

  it('when a file content is large, then it goes to a temporary file with the right bytes and hash; a small one stays in memory', async () => {
    const big = randomBytes(300_000);
    const small = randomBytes(1000);
    const escaped = JSON.stringify(big.toString('base64')).replace(/\//g, '\\/'); // as PHP's json_encode writes it
    const wrapped = small.toString('base64').replace(/(.{76})/g, '$1\r\n');
    const body = `{"metadata":{"subject":"Thử nghiệm — \\u0110ắk"},"files":[{"name":"a.pdf","contentBase64":${escaped}},{"name":"b.txt","contentBase64":${JSON.stringify(wrapped)}}]}`;
    const value = (await read(body, 4093)) as { metadata: { subject: string }; files: { contentBase64: DecodedContent }[] };
    expect(value.metadata.subject).to.equal('Thử nghiệm — Đắk');
    const [a, b] = value.files.map((f) => f.contentBase64);
    expect(a).to.be.instanceOf(DecodedContent);
    expect(a!.path).to.be.a('string');
    expect(fs.readFileSync(a!.path!).equals(big)).to.equal(true);
    expect(a!.sha256).to.equal(createHash('sha256').update(big).digest('hex'));
    expect(a!.size).to.equal(big.length);
    expect(b!.path).to.equal(undefined);
    expect(b!.bytes!.equals(small)).to.equal(true);
  });

  it('when the body is gzip-encoded, then it is read through gunzip', async () => {
    const bytes = randomBytes(5000);
    const gz = zlib.gzipSync(Buffer.from(JSON.stringify({ files: [{ name: 'x', contentBase64: bytes.toString('base64') }] })));
    const value = (await read(gz, 100, { 'content-encoding': 'gzip' })) as { files: { contentBase64: DecodedContent }[] };
    expect(value.files[0]!.contentBase64.bytes!.equals(bytes)).to.equal(true);
  });

  it('when the JSON is malformed, then MALFORMED_JSON, whatever the fault', async () => {
    for (const bad of ['', '{', '{"a":1,}', '{"a" 1}', '[1 2]', '{"a":tru}', '{"a":"x\u0001"}', '{"a":1} x', '"text"', '{"a":"\\q"}', '['.repeat(100) + ']'.repeat(100)]) {
      await refused(bad, 'MALFORMED_JSON');
    }
  });

  it('when a file content is not base64 or too large, then VALIDATION_FAILED or PAYLOAD_TOO_LARGE naming the file', async () => {
    const notB64 = await refused('{"files":[{"name":"a","contentBase64":"QUJD*RA=="}]}', 'VALIDATION_FAILED');
    expect(JSON.stringify(notB64.details)).to.contain('files.0.contentBase64');
    await refused('{"files":[{"name":"a","contentBase64":"QQ==QUJD"}]}', 'VALIDATION_FAILED');
    await refused('{"files":[{"name":"a","contentBase64":"Q"}]}', 'VALIDATION_FAILED');
    const tooBig = randomBytes(opts.maxFileBytes + 3).toString('base64');
    await refused(`{"files":[{"name":"a","contentBase64":"${tooBig}"}]}`, 'PAYLOAD_TOO_LARGE', 65536);
  });

  it('when the body is longer than the limit, then PAYLOAD_TOO_LARGE', async () => {
    const long = JSON.stringify({ metadata: { note: 'x'.repeat(opts.limitBytes) } });
    await refused(long, 'PAYLOAD_TOO_LARGE', 65536);
  });

  it('when a key is __proto__, then it is an own property (as JSON.parse makes it), not the prototype', async () => {
    const v = (await read('{"__proto__":{"polluted":true},"a":1}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).to.equal(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(Object.keys(v)).to.deep.equal(['__proto__', 'a']);
  });
});
