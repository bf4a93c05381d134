import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { LedgerKind } from '../../contracts';
import type { Db } from '../../services/db/pool';
import type { SearchData } from './search-data';
import { jsonbOrdered } from '../../services/domain/ledger/ledger-detail';
import { GENESIS_HASH, hashLedgerRow, ledgerHashInput } from '../../services/domain/ledger/ledger.repository';

export interface GrowthData {
  ledgerRows: number;
  chains: number;
  years: number[];
  seconds: number;
  /** lt_figures_rebuild() and lt_on_time_rebuild() after the load (what migrations 0087/0088 run on an existing database). */
  rollupBackfillSeconds: number;
}

interface DocRow {
  id: string;
  sender_code: string;
  number: string;
  notation: string;
  year: number;
  issued_on: string;
  dispatch_ids: string[];
  recipients: string[];
}

/** COPY text format: backslash, tab, newline and carriage return escaped; NULL as \N. */
function copyField(v: string | number | null): string {
  if (v === null) return '\\N';
  return String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * What a province's copies look like in time (the search data leaves them in 2026 whatever the
 * issue date): a document due (one in three, as generated) 7 to 30 days after its issue day;
 * each copy arriving on its issue day a minute after the ledger's accept row (as the product
 * delivers); registered (03) 0 to 3 days after arrival when its status says it was
 * (accepted, assigned, processing, completed: five copies in six), and completed (06) 1 to 20
 * days after registration when its status is completed (one in three), so some completions are
 * late. Events go in with the per-row triggers off (the rollups are rebuilt after the load).
 */
async function tieCopiesToIssueDates(db: Db): Promise<void> {
  const c = await db.connect();
  try {
    await c.query('BEGIN');
    await c.query('SET LOCAL session_replication_role = replica');
    await c.query(
      `UPDATE documents SET due_on = issued_on + 7 + (number::bigint % 24)::int
        WHERE due_on IS NOT NULL AND sender_code LIKE 'B19.%' AND number ~ '^[0-9]+$'`,
    );
    // The arrival: the issue day at 08:01 Vietnam time plus the same second offset as the ledger rows (growth-data's `base`).
    await c.query(
      `UPDATE dispatches x SET delivered_at = (d.issued_on::timestamp + interval '1 hour 1 minute' + (d.number::bigint % 3600) * interval '1 second') AT TIME ZONE 'UTC',
              created_at = (d.issued_on::timestamp + interval '1 hour' + (d.number::bigint % 3600) * interval '1 second') AT TIME ZONE 'UTC',
              updated_at = (d.issued_on::timestamp + interval '1 hour 1 minute' + (d.number::bigint % 3600) * interval '1 second') AT TIME ZONE 'UTC'
         FROM documents d WHERE d.id = x.document_id AND d.sender_code LIKE 'B19.%' AND d.number ~ '^[0-9]+$'`,
    );
    await c.query(
      `INSERT INTO dispatch_events (dispatch_id, code, at, actor)
       SELECT x.id, e.code, e.at, 'bench-growth'
         FROM dispatches x
         CROSS JOIN LATERAL (SELECT abs(hashtext(x.id::text)) AS h) k
         CROSS JOIN LATERAL (
           SELECT '03' AS code, x.delivered_at + (k.h % 4) * interval '1 day' + interval '2 hours' AS at WHERE x.status <> 'delivered'
           UNION ALL
           SELECT '06', x.delivered_at + (k.h % 4 + 1 + k.h / 4 % 20) * interval '1 day' + interval '3 hours' WHERE x.status = 'completed'
         ) e
        WHERE x.delivered_at IS NOT NULL`,
    );
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
  await db.query('VACUUM (ANALYZE) documents, dispatches, dispatch_events');
}

/**
 * A province's years of history on top of the search data (generateSearchData): the documents'
 * issue dates spread evenly over `years` (every quarter gets documents), then the ledger those
 * documents and dispatches would have written, row for row as the product writes it: a
 * document_accepted row per document and an outcome row per dispatch (delivered; one copy in 20
 * on paper, one in 97 failed), on the sender's chain, ids ascending, each row's hash computed by
 * the product's own ledgerHashInput/hashLedgerRow over the previous row of its chain. Rows go in
 * with COPY (the ledger refuses UPDATE and DELETE, not INSERT).
 */
export async function generateGrowthData(db: Db, o: { documents: number; years: number[]; batch?: number; say: (s: string) => void }): Promise<GrowthData> {
  const t0 = Date.now();
  const first = o.years[0]!;
  // The rate's rollups (figure_outcomes, figure_on_time_months: migrations 0087, 0088, 0094) are kept by triggers
  // on documents and the ledger, row by row; for the bulk load they are off and the tables are rebuilt once at the end
  // by the migration's own backfill, timed (the bench is the stack's superuser).
  await db.query('ALTER TABLE documents DISABLE TRIGGER documents_figures, DISABLE TRIGGER documents_on_time');
  await db.query('ALTER TABLE ledger DISABLE TRIGGER ledger_figures');
  const days = Math.round((Date.UTC(o.years[o.years.length - 1]! + 1, 0, 1) - Date.UTC(first, 0, 1)) / 86_400_000);
  // Issue dates grow with the document's number, so reading by issue date is also reading by number.
  await db.query(
    `UPDATE documents SET issued_on = date '${first}-01-01' + ((number::bigint - 1) * ${days} / $1)::int,
            year = extract(year FROM date '${first}-01-01' + ((number::bigint - 1) * ${days} / $1)::int)::int
      WHERE sender_code LIKE 'B19.%' AND number ~ '^[0-9]+$'`,
    [o.documents],
  );
  await db.query('VACUUM (ANALYZE) documents');
  o.say(`growth data: issue dates spread over ${o.years.join(', ')} (${Math.round((Date.now() - t0) / 1000)} s)`);
  await tieCopiesToIssueDates(db);
  o.say(`growth data: due dates, arrivals, registrations (03) and completions (06) tied to the issue dates (${Math.round((Date.now() - t0) / 1000)} s)`);

  const reader = await db.connect();
  const writer = await db.connect();
  const tails = new Map<string, string>();
  let nextId = 1;
  let rows = 0;
  try {
    const start = await writer.query<{ next: string }>(`SELECT COALESCE(max(id), 0) + 1 AS next FROM ledger`);
    nextId = Number(start.rows[0]!.next);
    const existing = await writer.query<{ chain: string; hash: string }>(`SELECT DISTINCT ON (chain) chain, hash FROM ledger WHERE chain IS NOT NULL ORDER BY chain, id DESC`);
    for (const r of existing.rows) tails.set(r.chain, r.hash);
    await reader.query('BEGIN');
    await reader.query(
      `DECLARE growth NO SCROLL CURSOR FOR
       SELECT d.id::text, d.sender_code, d.number, d.notation, d.year, d.issued_on::text AS issued_on,
              array_agg(x.id::text ORDER BY x.recipient_code, x.id) AS dispatch_ids, array_agg(x.recipient_code ORDER BY x.recipient_code, x.id) AS recipients
         FROM documents d JOIN dispatches x ON x.document_id = d.id
        WHERE d.sender_code LIKE 'B19.%' AND d.number ~ '^[0-9]+$'
        GROUP BY d.id ORDER BY d.issued_on, d.number::bigint`,
    );
    const batch = o.batch ?? 10_000;
    for (;;) {
      const docs = (await reader.query<DocRow>(`FETCH ${batch} FROM growth`)).rows;
      if (docs.length === 0) break;
      const lines: string[] = [];
      for (const d of docs) {
        const g = Number(d.number);
        const base = Date.parse(`${d.issued_on}T01:00:00Z`) + (g % 3_600) * 1_000;
        const append = (kind: string, dispatchId: string | null, recipient: string | null, channel: string | null, detail: Record<string, unknown>, atMs: number) => {
          const id = nextId++;
          const at = `${new Date(atMs).toISOString().slice(0, 23)}000Z`;
          const prev = tails.get(d.sender_code) ?? GENESIS_HASH;
          const ordered = jsonbOrdered(detail);
          const hash = hashLedgerRow(
            ledgerHashInput({ id, at, kind, document_id: d.id, dispatch_id: dispatchId, sender: d.sender_code, recipient, channel, detail: ordered, prev_hash: prev, chain: d.sender_code }),
          );
          tails.set(d.sender_code, hash);
          lines.push(
            [id, at, kind, d.id, dispatchId, d.sender_code, recipient, channel, JSON.stringify(ordered), prev, hash, d.sender_code].map(copyField).join('\t'),
          );
        };
        append(LedgerKind.documentAccepted, null, null, null, { number: d.number, notation: d.notation, year: d.year, recipients: d.dispatch_ids.length }, base);
        d.dispatch_ids.forEach((x, k) => {
          const outcome = (g + k) % 97 === 0 ? LedgerKind.dispatchFailed : (g + k) % 20 === 0 ? LedgerKind.dispatchPaper : LedgerKind.dispatchDelivered;
          append(outcome, x, d.recipients[k]!, outcome === LedgerKind.dispatchPaper ? 'paper' : 'hosted', {}, base + 60_000 + k * 1_000);
        });
      }
      const copy = writer.query(copyFrom(`COPY ledger (id, at, kind, document_id, dispatch_id, sender, recipient, channel, detail, prev_hash, hash, chain) FROM STDIN`));
      await pipeline(Readable.from([lines.join('\n') + '\n']), copy);
      rows += lines.length;
      o.say(`growth data: ${rows.toLocaleString('en')} ledger rows (${Math.round((Date.now() - t0) / 1000)} s)`);
    }
    await reader.query('COMMIT');
    await writer.query(`SELECT setval('ledger_id_seq', GREATEST($1::bigint - 1, 1))`, [nextId]);
  } finally {
    reader.release();
    writer.release();
  }
  await db.query('ALTER TABLE documents ENABLE TRIGGER documents_figures, ENABLE TRIGGER documents_on_time');
  await db.query('ALTER TABLE ledger ENABLE TRIGGER ledger_figures');
  await db.query('VACUUM (ANALYZE) ledger');
  const t1 = Date.now();
  await db.query('SELECT lt_figures_rebuild()');
  await db.query('SELECT lt_on_time_rebuild()');
  const rollupBackfillSeconds = Math.round((Date.now() - t1) / 100) / 10;
  o.say(`growth data: figure_outcomes and figure_on_time_months rebuilt from the ledger and the copies in ${rollupBackfillSeconds} s`);
  await db.query('VACUUM (ANALYZE) figure_documents, figure_outcomes, figure_copies, figure_on_time_months');
  return { ledgerRows: rows, chains: tails.size, years: o.years, seconds: Math.round((Date.now() - t0) / 1000), rollupBackfillSeconds };
}

/** The figures of growth data generated before (BENCH_GROWTH_DATA_DIR): counted, not generated now. */
export async function existingGrowthData(db: Db, years: number[]): Promise<GrowthData> {
  const t0 = Date.now();
  const r = await db.query<{ rows: number; chains: number }>(`SELECT count(*)::int AS rows, count(DISTINCT chain)::int AS chains FROM ledger`);
  if (r.rows[0]!.rows === 0) throw new Error('BENCH_GROWTH_DATA_DIR: the database holds no ledger rows');
  return { ledgerRows: r.rows[0]!.rows, chains: r.rows[0]!.chains, years, seconds: Math.round((Date.now() - t0) / 1000), rollupBackfillSeconds: 0 };
}

/** The search data's counts in a reused growth database (its accept rounds added documents of their own: only the generated ones count). */
export async function existingGrowthSearchData(db: Db): Promise<SearchData> {
  const r = await db.query<{ agencies: string[]; docs: number; disp: number; texts: number }>(
    `SELECT ARRAY(SELECT code FROM agencies WHERE code LIKE 'B19.%' ORDER BY substr(code, 5)::int) AS agencies,
            (SELECT count(*)::int FROM documents WHERE sender_code LIKE 'B19.%') AS docs,
            (SELECT count(*)::int FROM dispatches x JOIN documents d ON d.id = x.document_id WHERE d.sender_code LIKE 'B19.%') AS disp,
            (SELECT count(*)::int FROM document_texts) AS texts`,
  );
  const row = r.rows[0]!;
  if (row.docs === 0) throw new Error('BENCH_GROWTH_DATA_DIR: the database holds no generated documents (senders B19.*)');
  return { agencies: row.agencies, documents: row.docs, dispatches: row.disp, texts: row.texts, seconds: 0, indexSeconds: 0, checkedAgainstTrigger: 0 };
}
