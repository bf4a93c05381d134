import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { createPool, type Db } from '../../../services/db/pool';
import { getBlob, putBlob } from '../../../services/domain/blobs/blob.repository';
import { testEnv } from '../../support/test-env';

/**
 * Issue 25 (migration 0097): small blobs — every signed PDF — are compressed with lz4, not pglz
 * (pglz was ~0.7 ms of the server's CPU per document, for a larger table). A value must come back
 * byte for byte, and its stored form must be lz4 (compressible) or plain (incompressible).
 */
describe('blobs: the bytes column is compressed with lz4', function () {
  this.timeout(60_000);
  let db: Db;
  before(() => {
    db = createPool(testEnv().databaseUrl, { max: 2 });
  });
  after(async () => db.end());

  it('when the migrations are applied, then the column\'s compression method is lz4', async () => {
    const r = await db.query(`SELECT attcompression FROM pg_attribute WHERE attrelid = 'blobs'::regclass AND attname = 'bytes'`);
    expect(r.rows).to.deep.equal([{ attcompression: 'l' }]);
  });

  it('when a PDF-like blob with a long run of zeros and random streams is stored, then it is kept lz4-compressed, smaller, and read back byte for byte', async () => {
    const pdfLike = Buffer.concat([
      Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'),
      randomBytes(12_000), // deflated streams: incompressible
      Buffer.from('/Contents <'),
      Buffer.alloc(16_000, 0x30), // the signature placeholder's hex zeros
      Buffer.from('>\n%%EOF\n'),
    ]);
    const ref = await putBlob(db, pdfLike, 'application/pdf');
    expect((await getBlob(db, ref.sha256)).equals(pdfLike)).to.equal(true);
    const r = await db.query<{ method: string | null; stored: number }>(
      `SELECT pg_column_compression(bytes) AS method, pg_column_size(bytes) AS stored FROM blobs WHERE sha256 = $1`,
      [ref.sha256],
    );
    expect(r.rows[0]!.method).to.equal('lz4');
    expect(r.rows[0]!.stored).to.be.lessThan(pdfLike.length * 0.6);
  });
});
