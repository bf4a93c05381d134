import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createPool, inTransaction, type Db } from '../../../services/db/pool';
import {
  BLOB_CHUNK_BYTES,
  blobInfo,
  blobPieces,
  getBlob,
  putBlob,
  putBlobFromFile,
  writeBlobToFile,
} from '../../../services/domain/blobs/blob.repository';
import { sweepTempDir, withTempFiles } from '../../../services/domain/blobs/temp-files';
import { testEnv } from '../../support/test-env';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('blob storage: inline and chunked (migration 0013)', function () {
  this.timeout(120_000);
  let db: Db;
  let dir: string;

  before(() => {
    db = createPool(testEnv().databaseUrl, { max: 4 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-blobs-'));
  });
  after(async () => {
    await db.end();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a small blob inline in one row and a large one in 1 MiB chunks, both read back exactly', async () => {
    const small = randomBytes(1000);
    const large = randomBytes(BLOB_CHUNK_BYTES * 3 + 17);
    const a = await putBlob(db, small, 'application/octet-stream');
    const b = await putBlob(db, large, 'application/pdf');
    expect(await blobInfo(db, a.sha256)).to.include({ chunks: null, size: 1000 });
    expect(await blobInfo(db, b.sha256)).to.include({ chunks: 4, size: large.length });
    const sizes = await db.query<{ seq: number; n: number }>(
      'SELECT seq, length(bytes) AS n FROM blob_chunks WHERE sha256 = $1 ORDER BY seq',
      [b.sha256],
    );
    expect(sizes.rows.map((r) => r.n)).to.deep.equal([BLOB_CHUNK_BYTES, BLOB_CHUNK_BYTES, BLOB_CHUNK_BYTES, 17]);
    expect((await getBlob(db, a.sha256)).equals(small)).to.equal(true);
    expect((await getBlob(db, b.sha256)).equals(large)).to.equal(true);
    const pieces: Buffer[] = [];
    for await (const p of blobPieces(db, b.sha256)) pieces.push(p);
    expect(pieces.every((p) => p.length <= BLOB_CHUNK_BYTES)).to.equal(true);
    expect(Buffer.concat(pieces).equals(large)).to.equal(true);
  });

  it('stores a file without reading it whole, deduplicates by content, and writes it back to a file', async () => {
    const bytes = randomBytes(BLOB_CHUNK_BYTES * 2 + 5);
    const source = path.join(dir, 'source.bin');
    fs.writeFileSync(source, bytes);
    const first = await putBlobFromFile(db, source, 'application/pdf');
    expect(first).to.deep.equal({ sha256: sha(bytes), size: bytes.length, contentType: 'application/pdf' });
    const again = await putBlobFromFile(db, source, 'application/pdf');
    expect(again.sha256).to.equal(first.sha256);
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM blob_chunks WHERE sha256 = $1', [first.sha256]);
    expect(rows.rows[0]!.n, 'the second store wrote no chunk twice').to.equal(3);
    const back = path.join(dir, 'back.bin');
    expect(await writeBlobToFile(db, first.sha256, back)).to.equal(bytes.length);
    expect(fs.readFileSync(back).equals(bytes)).to.equal(true);
  });

  it('leaves nothing behind when the transaction storing a chunked blob rolls back', async () => {
    const bytes = randomBytes(BLOB_CHUNK_BYTES + 1);
    const failure = await inTransaction(db, async (tx) => {
      await putBlob(tx, bytes, 'application/pdf');
      throw new Error('the stage failed after storing');
    }).catch((e: Error) => e);
    expect(failure).to.be.instanceOf(Error);
    const left = await db.query<{ blobs: number; chunks: number }>(
      `SELECT (SELECT count(*)::int FROM blobs WHERE sha256 = $1) AS blobs,
              (SELECT count(*)::int FROM blob_chunks WHERE sha256 = $1) AS chunks`,
      [sha(bytes)],
    );
    expect(left.rows[0]).to.deep.equal({ blobs: 0, chunks: 0 });
  });

  it('refuses a file whose bytes do not match the hash it was declared with, and stores nothing', async () => {
    const bytes = randomBytes(BLOB_CHUNK_BYTES + 100);
    const source = path.join(dir, 'declared.bin');
    fs.writeFileSync(source, bytes);
    const wrong = 'f'.repeat(64);
    const err = await putBlobFromFile(db, source, 'application/pdf', { sha256: wrong }).catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.match(/changed while it was stored/);
    const left = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM blobs WHERE sha256 = $1', [wrong]);
    expect(left.rows[0]!.n).to.equal(0);
  });

  it('removes its temporary files after use, and sweeps stale ones', async () => {
    const tmp = path.join(dir, 'tmp');
    let seen: string[] = [];
    await withTempFiles(tmp, 4, async (a, b, unused, folder) => {
      fs.writeFileSync(a!, 'x');
      fs.writeFileSync(b!, 'y');
      // A path the handler did not use, and one it made a folder of: both are fine to leave.
      fs.mkdirSync(folder!);
      fs.writeFileSync(path.join(folder!, 'inner'), 'z');
      seen = [a!, b!, unused!, folder!];
    });
    expect(seen.map((p) => fs.existsSync(p))).to.deep.equal([false, false, false, false]);
    const stale = path.join(tmp, 'stale');
    const fresh = path.join(tmp, 'fresh');
    fs.writeFileSync(stale, 's');
    fs.writeFileSync(fresh, 'f');
    const old = new Date(Date.now() - 7 * 3600_000);
    fs.utimesSync(stale, old, old);
    expect(sweepTempDir(tmp)).to.equal(1);
    expect([fs.existsSync(stale), fs.existsSync(fresh)]).to.deep.equal([false, true]);
  });
});
