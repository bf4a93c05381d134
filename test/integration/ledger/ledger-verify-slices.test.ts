import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { LedgerKind } from '../../../contracts';
import { ledgerCommand } from '../../../services/cli/commands/ledger.command';
import type { CliContext } from '../../../services/cli/cli-context';
import { loadConfig } from '../../../services/config/config';
import { createPool, inTransaction, type Db } from '../../../services/db/pool';
import { hashMatches, verifyLedger, type LedgerVerification } from '../../../services/domain/ledger/ledger-verify';
import { appendLedger, GENESIS_HASH } from '../../../services/domain/ledger/ledger.repository';
import { testEnv } from '../../support/test-env';

/**
 * `ledger verify` checks id slices in the database, several at a time (migration 0084), and
 * re-hashes in TypeScript only the rows the database cannot confirm. Its answer must be the one
 * a plain walk of every row in id order gives (the reference below): the same first bad row and
 * reason, the same count. The ledger is shared by the run's suites: every tampering is undone.
 */
describe('ledger verify: slices in parallel in the database give the answer of a walk in id order', function () {
  this.timeout(120_000);
  let db: Db;
  const simple: number[] = [];
  const awkward: number[] = [];
  const chainA: number[] = [];

  /** Details the database serialises like JSON.stringify, and some it must leave to TypeScript. */
  const SIMPLE_DETAILS = [{}, { number: '07', notation: 'UBND-VP', year: 2026, recipients: 3 }, { proof: 'receipt', ok: true, none: null }, { 'Lý do': 'a "quoted"\\ line\nnext\t\u0001', n: -12 }];
  const AWKWARD_DETAILS = [{ z: { b: 'x', a: [1, 2] } }, { ratio: 0.1 }, { big: 1e21 }, { list: ['a', 'b'] }];

  before(async () => {
    db = createPool(testEnv().databaseUrl, { max: 4 });
    // Three chains, interleaved, so slices cut through each chain many times.
    for (let i = 0; i < 36; i++) {
      const sender = ['SLICE.A', 'SLICE.B', 'SLICE.C'][i % 3]!;
      const isAwkward = i % 6 === 5;
      const detail = isAwkward ? AWKWARD_DETAILS[(i / 6) % AWKWARD_DETAILS.length | 0]! : SIMPLE_DETAILS[i % SIMPLE_DETAILS.length]!;
      const id = await inTransaction(db, async (tx) => {
        await appendLedger(tx, { kind: i % 4 === 0 ? LedgerKind.documentAccepted : LedgerKind.dispatchDelivered, documentId: randomUUID(), dispatchId: i % 4 === 0 ? null : randomUUID(),
          sender, recipient: i % 4 === 0 ? null : 'SLICE.R', channel: i % 4 === 0 ? null : 'hosted', detail });
        return (await tx.query<{ id: number }>(`SELECT max(id)::int AS id FROM ledger WHERE chain = $1`, [sender])).rows[0]!.id;
      });
      (isAwkward ? awkward : simple).push(id);
      if (sender === 'SLICE.A') chainA.push(id);
    }
  });
  after(async () => db.end());

  /** The reference: every row in id order, each chain's previous row kept, hashed here. */
  async function walk(): Promise<LedgerVerification> {
    const rows = (await db.query(`SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, kind, document_id::text, dispatch_id::text,
                                         sender, recipient, channel, detail, prev_hash, hash, chain FROM ledger ORDER BY id`)).rows;
    const tails = new Map<string, string>();
    let n = 0;
    for (const row of rows) {
      const id = Number(row.id);
      if (row.prev_hash !== (tails.get(row.chain ?? '') ?? GENESIS_HASH)) return { rows: n, ok: false, firstBadId: id, reason: 'removed' };
      if (!hashMatches({ ...row, id })) return { rows: n, ok: false, firstBadId: id, reason: 'altered' };
      tails.set(row.chain ?? '', row.hash);
      n++;
    }
    return { rows: n, ok: true, lastId: Number(rows[rows.length - 1]!.id), lastHash: rows[rows.length - 1]!.hash };
  }

  async function bypassed(sql: string, params: unknown[]): Promise<void> {
    const client = new pg.Client({ connectionString: testEnv().databaseUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE ledger DISABLE TRIGGER ledger_no_update');
      await client.query(sql, params);
      await client.query('ALTER TABLE ledger ENABLE TRIGGER ledger_no_update');
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  }

  /** Verify with slices of one row (every link looked up by index), of 5, and of everything at once. */
  async function everyWay(): Promise<LedgerVerification[]> {
    return [await verifyLedger(db, { batchSize: 1, parallel: 4 }), await verifyLedger(db, { batchSize: 5, parallel: 3 }), await verifyLedger(db, { batchSize: 10_000_000, parallel: 1 })];
  }

  it('when nothing was touched, then every way of slicing finds every chain sound, with the walk\'s count and head', async () => {
    const ref = await walk();
    expect(ref.ok).to.equal(true);
    for (const r of await everyWay()) expect(r, JSON.stringify(r)).to.deep.equal(ref);
  });

  it('when details are plain, then the database confirms their rows itself; nested objects, arrays and fractions are left to TypeScript', async () => {
    const r = await db.query<{ unconfirmed: string[] }>(`SELECT unconfirmed FROM ledger_verify_slice($1, $2)`, [Math.min(...simple, ...awkward), Math.max(...simple, ...awkward) + 1]);
    const unconfirmed = r.rows[0]!.unconfirmed.map(Number);
    expect(unconfirmed).to.include.members(awkward);
    for (const id of simple) expect(unconfirmed, `row ${id} has a plain detail`).not.to.include(id);
  });

  for (const which of ['plain', 'awkward'] as const) {
    it(`when a superuser alters a row with a ${which} detail, then verify names that row, as the walk does`, async () => {
      const id = which === 'plain' ? simple[7]! : awkward[2]!;
      const original = (await db.query(`SELECT detail FROM ledger WHERE id = $1`, [id])).rows[0].detail;
      await bypassed(`UPDATE ledger SET detail = detail || '{"x": 1}'::jsonb WHERE id = $1`, [id]);
      try {
        const ref = await walk();
        expect(ref).to.include({ ok: false, firstBadId: id });
        for (const r of await everyWay()) {
          expect(r).to.include({ ok: false, firstBadId: id, rows: ref.rows });
          expect(r.reason).to.contain('altered');
        }
      } finally {
        await bypassed(`UPDATE ledger SET detail = $2 WHERE id = $1`, [id, original]);
      }
      expect((await verifyLedger(db)).ok).to.equal(true);
    });
  }

  it('when a superuser deletes a row, then verify names the next row of that chain and the row it should have followed', async () => {
    const gone = chainA[5]!;
    const row = (await db.query(`SELECT *, at::text AS at_text FROM ledger WHERE id = $1`, [gone])).rows[0];
    await bypassed(`DELETE FROM ledger WHERE id = $1`, [gone]);
    try {
      const ref = await walk();
      expect(ref).to.include({ ok: false, firstBadId: chainA[6] });
      for (const r of await everyWay()) {
        expect(r).to.include({ ok: false, firstBadId: chainA[6], rows: ref.rows });
        expect(r.reason).to.contain('removed').and.to.contain(`row ${chainA[4]}`);
      }
    } finally {
      await db.query(
        `INSERT INTO ledger (id, at, kind, document_id, dispatch_id, sender, recipient, channel, detail, prev_hash, hash, chain)
         VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [row.id, row.at_text, row.kind, row.document_id, row.dispatch_id, row.sender, row.recipient, row.channel, row.detail, row.prev_hash, row.hash, row.chain],
      );
    }
    expect((await verifyLedger(db)).ok).to.equal(true);
  });

  it('when the operator runs `lienthong ledger verify --batch 7 --parallel 3`, then it answers 0; a bad --parallel is refused', async () => {
    const printed: unknown[] = [];
    const ctx: CliContext = { db, config: loadConfig(), json: true, out: (v) => printed.push(v) };
    expect(await ledgerCommand(['verify', '--batch', '7', '--parallel', '3'], ctx)).to.equal(0);
    expect(printed[0]).to.include({ ok: true });
    let refused = '';
    await ledgerCommand(['verify', '--parallel', '0'], ctx).catch((e: Error) => (refused = e.message));
    expect(refused).to.contain('--parallel');
  });
});
