import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { BinaryCopyFields } from '../../../services/domain/blobs/copy-binary';

/** A one-column binary COPY stream of `fields`, as PostgreSQL writes it. */
function copyStream(fields: Buffer[], extension = Buffer.alloc(0)): Buffer {
  const head = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(4), Buffer.alloc(4)]);
  head.writeUInt32BE(extension.length, 15);
  const rows = fields.map((f) => {
    const h = Buffer.alloc(6);
    h.writeInt16BE(1, 0);
    h.writeInt32BE(f.length, 2);
    return Buffer.concat([h, f]);
  });
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  return Buffer.concat([head, extension, ...rows, trailer]);
}

function parse(stream: Buffer, pieceSize: number): { fields: Buffer[]; finished: boolean } {
  const parser = new BinaryCopyFields();
  const fields: Buffer[] = [];
  const parts: Buffer[][] = [];
  for (let at = 0; at < stream.length; at += pieceSize) {
    parser.push(stream.subarray(at, at + pieceSize), (bytes, starts) => {
      if (starts) parts.push([]);
      parts[parts.length - 1]!.push(Buffer.from(bytes));
    });
  }
  for (const p of parts) fields.push(Buffer.concat(p));
  return { fields, finished: parser.finished };
}

describe('reading a binary COPY stream piece by piece', () => {
  const fields = [randomBytes(1000), randomBytes(1), randomBytes(70_000), Buffer.alloc(0), randomBytes(333)];
  const stream = copyStream(fields, Buffer.from('ext'));

  for (const size of [1, 2, 7, 19, 4096, 65_536, stream.length]) {
    it(`when the stream arrives in pieces of ${size} bytes, then every field comes back whole and in order`, () => {
      const out = parse(stream, size);
      expect(out.finished).to.equal(true);
      expect(out.fields.map((f) => f.length)).to.deep.equal(fields.map((f) => f.length));
      out.fields.forEach((f, i) => expect(f.equals(fields[i]!), `field ${i}`).to.equal(true));
    });
  }

  it('when the stream is cut before its trailer, then it is not finished', () => {
    expect(parse(stream.subarray(0, stream.length - 2), 100).finished).to.equal(false);
  });

  it('when the stream is not a binary COPY, then it is refused', () => {
    expect(() => new BinaryCopyFields().push(Buffer.from('hello, this is text and not a copy'), () => undefined)).to.throw(/not a binary COPY/);
  });
});
