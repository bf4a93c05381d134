import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { LedgerKind } from '../../../contracts';
import { createPool, inTransaction, type Db } from '../../../services/db/pool';
import { jsonbOrdered } from '../../../services/domain/ledger/ledger-detail';
import { verifyLedger } from '../../../services/domain/ledger/ledger-verify';
import { appendLedger, GENESIS_HASH, hashLedgerRow, ledgerHashInput } from '../../../services/domain/ledger/ledger.repository';
import { testEnv, uniqueTag } from '../../support/test-env';

/** Every code point below U+0020, DEL, the JS line separators and an astral character. */
const CONTROLS = Array.from({ length: 0x1f }, (_, i) => String.fromCharCode(i + 1)).join('') + '\u007f\u2028\u2029😀';

/** Strings whose JSON form is easy to get wrong: quotes, backslashes, Vietnamese, newlines, controls. */
const AWKWARD = [
  'Sở "Nội vụ" tỉnh Đắk Lắk',
  'C:\\văn bản\\"trích yếu"\\',
  'dòng một\ndòng hai\r\n\tthụt lề',
  'Ủy ban nhân dân — Ắ Ặ Ẳ Ẵ Ỹ ỹ đ Đ',
  '\\u0041 is not A, </script> & <b>',
  CONTROLS,
  "apostrophe ' and $1 and $$",
  '',
];

/** The columns as `ledger verify` reads them back. */
const VERIFY_COLUMNS = `id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, kind, document_id::text,
  dispatch_id::text, sender, recipient, channel, detail, prev_hash, hash, chain`;

describe('ledger: ledger_append() hashes in the database exactly as `ledger verify` recomputes in JavaScript', function () {
  this.timeout(120_000);
  let db: Db;

  before(() => {
    db = createPool(testEnv().databaseUrl, { max: 20 });
  });
  after(async () => db.end());

  async function chainRows(chain: string) {
    return (await db.query(`SELECT ${VERIFY_COLUMNS} FROM ledger WHERE chain = $1 ORDER BY id`, [chain])).rows;
  }

  function expectLinked(rows: { prev_hash: string; hash: string }[]): void {
    expect(rows[0]!.prev_hash).to.equal(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash, `row ${i} links to row ${i - 1}`).to.equal(rows[i - 1]!.hash);
  }

  it('when ledger_hash_input() is given awkward strings, then it builds the very bytes ledgerHashInput() builds', async () => {
    for (const s of AWKWARD) {
      for (const chain of [s, null]) {
        const fields = {
          id: 9_007_199_254_740_991,
          at: '2026-11-28T08:30:00.123456Z',
          kind: s,
          document_id: randomUUID(),
          dispatch_id: null,
          sender: s,
          recipient: s.toUpperCase(),
          channel: null,
          detail: jsonbOrdered({ note: s, [s || 'k']: [s, 1, 0.5, -3, true, null, { 'ẩ': s }] }),
          prev_hash: 'f'.repeat(64),
          chain,
        };
        const r = await db.query<{ input: string; hash: string }>(
          `SELECT i AS input, encode(sha256(convert_to(i, 'UTF8')), 'hex') AS hash
             FROM ledger_hash_input($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) AS i`,
          [fields.id, fields.at, fields.kind, fields.document_id, fields.dispatch_id, fields.sender, fields.recipient, fields.channel,
            JSON.stringify(fields.detail), fields.prev_hash, fields.chain],
        );
        const js = ledgerHashInput(fields);
        expect(r.rows[0]!.input, JSON.stringify(s)).to.equal(js);
        expect(r.rows[0]!.hash).to.equal(hashLedgerRow(js));
      }
    }
  });

  it('when rows with awkward strings and details are appended, then each stored hash is the JavaScript hash of the row as read back, and verify accepts the chain', async () => {
    const chain = `AWK.${uniqueTag()} ${AWKWARD[0]}\n${AWKWARD[1]}`;
    const documentId = randomUUID();
    for (const [i, s] of AWKWARD.entries()) {
      const inserted = await inTransaction(db, (tx) =>
        appendLedger(tx, {
          kind: LedgerKind.dispatchRevoked,
          // An upper-case id: the database hashes the uuid as it stores it (lower case), as verify reads it.
          documentId: i === 0 ? documentId.toUpperCase() : documentId,
          dispatchId: randomUUID(),
          sender: chain,
          recipient: s,
          channel: s,
          // Keys deliberately out of jsonb's order, nested values, numbers of several forms.
          detail: { via: 'revoke', reason: s, z: { b: s, a: [s, 1e21, 0.1, -0] }, 'Lý do': s, n: 12345678901 },
        }),
      );
      expect(inserted).to.equal(true);
    }
    const rows = await chainRows(chain);
    expect(rows.length).to.equal(AWKWARD.length);
    expectLinked(rows);
    for (const { hash, ...fields } of rows) expect(hashLedgerRow(ledgerHashInput(fields)), `row ${fields.id}`).to.equal(hash);
    expect(rows[0]!.document_id).to.equal(documentId);
    expect(rows[0]!.detail.reason).to.equal(AWKWARD[0]);
    const v = await verifyLedger(db);
    expect(v, JSON.stringify(v)).to.include({ ok: true });
  });

  it('when 200 appends race on one chain from 20 connections, then they form one unbroken chain that verify accepts', async () => {
    const chain = `RACE.${uniqueTag()}`;
    const documentId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const entry = { kind: LedgerKind.dispatchDelivered, documentId, dispatchId: randomUUID(), sender: chain, recipient: `R.${i}`, channel: 'hosted' };
        // Half in autocommit (as the deliver stage appends), half inside a transaction (as accept does).
        return i % 2 === 0 ? appendLedger(db, entry) : inTransaction(db, (tx) => appendLedger(tx, entry));
      }),
    );
    expect(results.every((r) => r === true)).to.equal(true);
    const rows = await chainRows(chain);
    expect(rows.length).to.equal(200);
    expectLinked(rows);
    expect(new Set(rows.map((r) => r.recipient)).size).to.equal(200);
    const v = await verifyLedger(db);
    expect(v, JSON.stringify(v)).to.include({ ok: true });
  });

  it('when the same (kind, dispatch) is appended twice, then the second writes nothing and answers false', async () => {
    const chain = `ONCE.${uniqueTag()}`;
    const entry = { kind: LedgerKind.dispatchDelivered, documentId: randomUUID(), dispatchId: randomUUID(), sender: chain, recipient: 'R.1', channel: 'hosted' };
    expect(await appendLedger(db, entry)).to.equal(true);
    expect(await inTransaction(db, (tx) => appendLedger(tx, entry))).to.equal(false);
    expect(await appendLedger(db, { ...entry, dispatchId: null, kind: LedgerKind.documentAccepted })).to.equal(true);
    expect(await appendLedger(db, { ...entry, dispatchId: null, kind: LedgerKind.documentAccepted })).to.equal(false);
    const rows = await chainRows(chain);
    expect(rows.length).to.equal(2);
    expectLinked(rows);
  });

  it('when a chain holds rows written the pre-0012 way (hashed in JavaScript), then new appends link to them and verify accepts both', async () => {
    const chain = `OLD.${uniqueTag()}`;
    // The append as it was before migration 0012: reserve under the lock, hash in JS, insert.
    await inTransaction(db, async (tx) => {
      const { tail_hash: prev, next_id: id, at_text: at } = (await tx.query('SELECT * FROM ledger_reserve_in($1)', [chain])).rows[0];
      const row = { id, at, kind: LedgerKind.documentAccepted, document_id: randomUUID(), dispatch_id: null, sender: chain, recipient: null, channel: null,
        detail: jsonbOrdered({ number: '07', notation: 'UBND-VP', year: 2026, recipients: 2 }), prev_hash: prev, chain };
      await tx.query(
        `INSERT INTO ledger (id, at, kind, document_id, dispatch_id, sender, recipient, channel, detail, prev_hash, hash, chain)
         VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [id, at, row.kind, row.document_id, null, chain, null, null, row.detail, prev, hashLedgerRow(ledgerHashInput(row)), chain],
      );
    });
    await appendLedger(db, { kind: LedgerKind.documentAccepted, documentId: randomUUID(), sender: chain, detail: { number: '08', notation: 'UBND-VP', year: 2026, recipients: 1 } });
    const rows = await chainRows(chain);
    expect(rows.length).to.equal(2);
    expectLinked(rows);
    const v = await verifyLedger(db);
    expect(v, JSON.stringify(v)).to.include({ ok: true });
  });

  it('when an append runs in a REPEATABLE READ transaction (whose snapshot could miss the tail), then the database refuses it', async () => {
    const client = await db.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const err = await appendLedger(client, { kind: LedgerKind.documentAccepted, documentId: randomUUID(), sender: `RR.${uniqueTag()}` }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).to.contain('ledger_append needs READ COMMITTED');
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
