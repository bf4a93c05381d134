import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { packBytes, unpackSql } from '../../../services/db/packed-bytes';
import { createPool, type Db } from '../../../services/db/pool';
import { testEnv } from '../../support/test-env';

/**
 * Byte strings packed into one binary parameter (services/db/packed-bytes.ts) must come out of the
 * server exactly as they went in: every byte value, empty and null elements, one element or many.
 */
describe('packed bytes: a list of byte strings as one binary parameter', function () {
  this.timeout(60_000);
  let db: Db;
  before(() => {
    db = createPool(testEnv().databaseUrl, { max: 1 });
  });
  after(async () => db.end());

  async function roundTrip(items: (Buffer | null)[]): Promise<(Buffer | null)[]> {
    const p = packBytes(items);
    const r = await db.query<{ v: Buffer | null }>(
      `SELECT ${unpackSql('$1::bytea', 's', 'l')} AS v FROM unnest($2::int[], $3::int[]) WITH ORDINALITY AS t(s, l, n) ORDER BY n`,
      [p.bytes, p.starts, p.lengths],
    );
    return r.rows.map((x) => x.v);
  }

  it('when every byte value, empty and null elements are packed, then each comes back as it was, in order', async () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const items = [every, Buffer.alloc(0), null, randomBytes(70_000), Buffer.from('\\x00{"a",NULL}'), null, randomBytes(1)];
    const back = await roundTrip(items);
    expect(back).to.have.length(items.length);
    items.forEach((item, i) => {
      if (item === null) expect(back[i], `element ${i}`).to.equal(null);
      else expect(Buffer.compare(back[i]!, item), `element ${i}`).to.equal(0);
    });
  });

  it('when the list is empty or all null, then the statement sees as many rows, and no bytes travel', async () => {
    expect(await roundTrip([])).to.deep.equal([]);
    expect(await roundTrip([null, null])).to.deep.equal([null, null]);
    expect(packBytes([null, null]).bytes.length).to.equal(0);
  });

  it('when 500 elements are packed, then the starts are 1-based and follow each other', () => {
    const items = Array.from({ length: 500 }, (_, i) => randomBytes(i % 7));
    const p = packBytes(items);
    expect(p.starts[0]).to.equal(1);
    for (let i = 1; i < items.length; i++) expect(p.starts[i]).to.equal(p.starts[i - 1]! + items[i - 1]!.length);
    expect(p.bytes.length).to.equal(items.reduce((n, b) => n + b.length, 0));
  });
});
