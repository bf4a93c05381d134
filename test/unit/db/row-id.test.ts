import { expect } from 'chai';
import { newRowId } from '../../../services/db/row-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The 48-bit millisecond time at the head of a version 7 UUID. */
const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('db: new row keys are version 7 UUIDs, in time order', () => {
  it('when keys are made, then each is a version 7 UUID of the RFC 9562 variant that says the time it was made', () => {
    const before = Date.now();
    const id = newRowId();
    const after = Date.now();
    expect(id).to.match(UUID_V7);
    expect(msOf(id)).to.be.within(before, after);
  });

  it('when many keys are made in a row, then they are distinct and sort (as PostgreSQL compares uuids: bytes, i.e. hex text) in the order they were made', () => {
    const ids = Array.from({ length: 20_000 }, () => newRowId());
    expect(new Set(ids).size).to.equal(ids.length);
    for (let i = 1; i < ids.length; i++) {
      if (!(ids[i - 1]! < ids[i]!)) expect.fail(`key ${i} (${ids[i]}) sorts before key ${i - 1} (${ids[i - 1]})`);
    }
  });

  it('when two keys are made in the same millisecond, then their random parts still differ (not a counter alone)', () => {
    const ids = Array.from({ length: 2_000 }, () => newRowId());
    const tails = new Set(ids.map((id) => id.slice(-12)));
    expect(tails.size).to.equal(ids.length);
  });
});
