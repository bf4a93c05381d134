import type { Db } from '../../services/db/pool';

/** Words documents are made of: realistic enough that a search matches a few per cent, not all. */
const ACTIONS = ['Về việc triển khai', 'Về tiếp tục đẩy mạnh', 'Hướng dẫn thực hiện', 'Báo cáo kết quả', 'Kế hoạch tổ chức', 'Quyết định phê duyệt',
  'Về việc tăng cường', 'Thông báo kết luận', 'Về việc rà soát', 'Tờ trình đề nghị', 'Về việc góp ý', 'Chỉ thị về', 'Giấy mời họp', 'Về việc đôn đốc',
  'Về việc kiểm tra', 'Công văn về', 'Về việc báo cáo', 'Đề án', 'Về việc cử cán bộ', 'Về việc phân bổ'] as const;
const TOPICS = ['cải cách hành chính', 'chuyển đổi số', 'tuyển dụng công chức', 'phòng chống thiên tai', 'đầu tư công', 'giải ngân vốn',
  'an toàn giao thông', 'xây dựng nông thôn mới', 'phòng cháy chữa cháy', 'thi đua khen thưởng', 'quản lý đất đai', 'bảo vệ môi trường',
  'y tế dự phòng', 'giáo dục đào tạo', 'thu ngân sách nhà nước'] as const;
const AGENCY_KINDS = ['Sở Nội vụ', 'Sở Tài chính', 'Sở Kế hoạch và Đầu tư', 'Sở Y tế', 'Sở Giáo dục và Đào tạo', 'Ủy ban nhân dân huyện',
  'Ủy ban nhân dân xã', 'Sở Tư pháp', 'Sở Xây dựng', 'Ban Quản lý dự án'] as const;
const TYPES = ['CV', 'CV', 'CV', 'KH', 'QĐ', 'BC', 'TB', 'HD', 'CT', 'TTr', 'GM'] as const;

const sqlArray = (xs: readonly string[]) => `ARRAY[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')}]`;

export const SEARCH_TERMS = ['cai cach hanh chinh', 'chuyen doi so', 'tuyen dung cong chuc', 'UBND', 'noi vu', 'ke hoach to chuc', 'dau tu cong',
  'phong chay', 'thi dua khen thuong', 'bao ve moi truong'] as const;

export interface SearchData {
  agencies: string[];
  documents: number;
  dispatches: number;
  texts: number;
  seconds: number;
  /** Seconds spent re-creating the secondary indexes after the load. */
  indexSeconds: number;
  /** Generated documents whose search rows were recomputed by the product's refresh and compared (all equal, or generation throws). */
  checkedAgainstTrigger: number;
}

/** The id of generated document g and of its k-th dispatch: deterministic, so each table's batch is one set-based INSERT. */
const DOC_ID = (g: string) => `md5('b19-doc-' || ${g})::uuid`;
const DISPATCH_ID = (g: string, k: string) => `md5('b19-dsp-' || ${g} || '-' || ${k})::uuid`;

/**
 * One batch of documents g in [$1, $2] with their file texts (one document in ten), in one
 * statement; their search rows follow (SEARCH_ROWS_SQL). The triggers are off during the bulk load
 * (session_replication_role = replica), and checkAgainstTrigger proves the rows equal what the
 * triggers' function writes.
 */
function documentsSql(A: number): string {
  return `
    WITH src AS (
      SELECT g, ${DOC_ID('g')} AS id, 'B19.' || (1 + g % ${A}) AS sender, (${sqlArray(TYPES)})[1 + g % ${TYPES.length}] AS dtype,
             g::text AS number, 'B19-' || (1 + g % ${A}) AS notation,
             (${sqlArray(ACTIONS)})[1 + g % ${ACTIONS.length}] || ' ' || (${sqlArray(TOPICS)})[1 + (g / ${ACTIONS.length} + g / 7) % ${TOPICS.length}] || ' năm 2026, đợt ' || g AS subject,
             jsonb_build_object('authority', 'KT.', 'position', 'PHÓ GIÁM ĐỐC', 'fullName', 'Nguyễn Văn ' || (g % 97)) AS signer,
             (SELECT jsonb_agg('B19.' || (1 + (g * 7 + k * 37) % ${A})) FROM generate_series(1, $3) k) AS recipients,
             timestamptz '2026-01-01 08:00+07' + g * interval '20 seconds' AS at
        FROM generate_series($1::int, $2::int) g
    ), texts AS (
      INSERT INTO document_texts (document_id, content)
      SELECT s.id, 'Căn cứ Luật Tổ chức chính quyền địa phương; xét đề nghị của ' || a.name || ', nay yêu cầu các cơ quan, đơn vị ' || s.subject
                   || '. Giao ' || (${sqlArray(AGENCY_KINDS)})[1 + s.g % ${AGENCY_KINDS.length}] || ' chủ trì, phối hợp thực hiện, báo cáo kết quả trước ngày 15 hằng tháng.'
        FROM src s JOIN agencies a ON a.code = s.sender
       WHERE s.g % 10 = 0
      RETURNING document_id, content
    )
    INSERT INTO documents (id, sender_code, document_type, number, notation, year, issued_on, place, subject, signer, urgency, due_on,
                           recipients_ref, status, created_at, updated_at)
    SELECT id, sender, dtype, number, notation, 2026, date '2026-01-01' + (g % 330), 'Đắk Lắk', subject, signer,
           CASE WHEN g % 17 = 0 THEN 'urgent' ELSE 'normal' END, CASE WHEN g % 3 = 0 THEN date '2026-01-15' + (g % 330) END,
           recipients, 'routed', at, at
      FROM src`;
}

/**
 * The search rows of documents g in [$1, $2], computed by the product's own function
 * (lt_search_row, what the triggers write) once the batch's documents and texts are in: the
 * triggers are off during the bulk load.
 */
const SEARCH_ROWS_SQL = `INSERT INTO document_search SELECT r.* FROM documents d CROSS JOIN LATERAL lt_search_row(d) r
   WHERE d.id IN (SELECT ${DOC_ID('g')} FROM generate_series($1::int, $2::int) g)`;

function dispatchesSql(A: number): string {
  return `
    INSERT INTO dispatches (id, document_id, recipient_code, channel, status, incoming_number, delivered_at, created_at, updated_at)
    SELECT ${DISPATCH_ID('g', 'k')}, ${DOC_ID('g')}, 'B19.' || (1 + (g * 7 + k * 37) % ${A}), 'hosted',
           (ARRAY['delivered', 'accepted', 'assigned', 'processing', 'completed', 'completed'])[1 + (g + k) % 6],
           CASE WHEN (g + k) % 6 > 0 THEN ((g + k) % 9999)::text END,
           timestamptz '2026-01-01 08:00+07' + g * interval '20 seconds' + interval '1 minute',
           timestamptz '2026-01-01 08:00+07' + g * interval '20 seconds', timestamptz '2026-01-01 08:00+07' + g * interval '20 seconds'
      FROM generate_series($1::int, $2::int) g CROSS JOIN generate_series(1, $3) k`;
}

const BULK_TABLES = ['documents', 'document_search', 'dispatches', 'document_texts'];

/** The secondary indexes of the bulk-loaded tables (not those behind a primary key or unique constraint), dropped for the load. */
async function dropSecondaryIndexes(db: Db): Promise<{ name: string; def: string }[]> {
  const r = await db.query<{ name: string; def: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
      ORDER BY i.relname`,
    [BULK_TABLES],
  );
  for (const ix of r.rows) await db.query(`DROP INDEX "${ix.name}"`);
  return r.rows;
}

/**
 * Recomputes the search rows of `n` generated documents with the product's function
 * (lt_search_refresh, what the triggers call) inside a transaction that is rolled back, and
 * throws unless every column equals what the bulk load wrote.
 */
export async function checkAgainstTrigger(db: Db, documents: number, n = 25): Promise<number> {
  const ids = Array.from({ length: n }, (_, i) => 1 + Math.floor(((i + 0.5) * documents) / n));
  const c = await db.connect();
  try {
    await c.query('BEGIN');
    // readers is a set (its order means nothing): compared sorted.
    const cols = `document_id AS id, sender_code, created_at, document_type, urgency, issued_on::text, ARRAY(SELECT unnest(readers) ORDER BY 1) AS readers, search_meta, search_tsv::text AS tsv`;
    const sample = `SELECT ${DOC_ID('g')} FROM unnest($1::int[]) g`;
    const before = await c.query(`SELECT ${cols} FROM document_search WHERE document_id IN (${sample}) ORDER BY document_id`, [ids]);
    await c.query(`SELECT lt_search_refresh(d) FROM documents d WHERE d.id IN (${sample})`, [ids]);
    const after = await c.query(`SELECT ${cols} FROM document_search WHERE document_id IN (${sample}) ORDER BY document_id`, [ids]);
    await c.query('ROLLBACK');
    const byId = new Map(after.rows.map((r) => [r.id as string, r]));
    if (before.rows.length !== n || after.rows.length !== n) throw new Error(`search data check: ${before.rows.length}/${after.rows.length} of ${n} sample documents found`);
    for (const b of before.rows) {
      const a = byId.get(b.id as string);
      if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`search data check: document ${b.id as string} differs from what the trigger computes:\n${JSON.stringify(b)}\n${JSON.stringify(a)}`);
    }
    return n;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/**
 * Generates the search benchmark's data in SQL (not through the API): `agencies` agencies,
 * `documents` documents each sent to `perDoc` recipients (delivered; a mix of statuses), and a
 * file text for one document in ten. Set-based: per batch one INSERT … SELECT over
 * generate_series for documents (with their texts) and one for dispatches, the per-row triggers
 * off and the secondary indexes dropped during the load, then re-created; the search rows are
 * computed by the triggers' own function, and checked against the refresh on a sample. Exported for other phases
 * (the growth phase builds on the same data).
 */
export async function generateSearchData(db: Db, o: { agencies: number; documents: number; perDoc: number; batch?: number; say: (s: string) => void }): Promise<SearchData> {
  const t0 = Date.now();
  const A = o.agencies;
  await db.query(
    `INSERT INTO agencies (code, name, level) SELECT 'B19.' || g, (${sqlArray(AGENCY_KINDS)})[1 + g % ${AGENCY_KINDS.length}] || ' số ' || g, 2
       FROM generate_series(1, $1) g ON CONFLICT DO NOTHING`,
    [A],
  );
  await db.query('ANALYZE agencies');
  // Autovacuum stays off the tables during the load: its snapshot would keep the final VACUUM
  // from marking pages all-visible (index-only scans, e.g. the inbox total, need that).
  for (const t of BULK_TABLES) await db.query(`ALTER TABLE ${t} SET (autovacuum_enabled = false)`);
  const indexes = await dropSecondaryIndexes(db);
  const batch = o.batch ?? 50_000;
  const docSql = documentsSql(A);
  const dispSql = dispatchesSql(A);
  for (let from = 1; from <= o.documents; from += batch) {
    const to = Math.min(o.documents, from + batch - 1);
    const c = await db.connect();
    try {
      await c.query('BEGIN');
      // No per-row triggers (the search rows are written by the next statement; foreign keys hold by construction).
      await c.query(`SET LOCAL session_replication_role = replica`);
      await c.query(docSql, [from, to, o.perDoc]);
      await c.query(SEARCH_ROWS_SQL, [from, to]);
      await c.query(dispSql, [from, to, o.perDoc]);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
    o.say(`search data: ${to.toLocaleString('en')} / ${o.documents.toLocaleString('en')} documents (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  const t1 = Date.now();
  for (const ix of indexes) await db.query(ix.def);
  const indexSeconds = Math.round((Date.now() - t1) / 1000);
  o.say(`search data: ${indexes.length} indexes re-created in ${indexSeconds} s`);
  const checked = await checkAgainstTrigger(db, o.documents);
  for (const t of BULK_TABLES) {
    await db.query(`VACUUM (ANALYZE) ${t}`);
    await db.query(`ALTER TABLE ${t} RESET (autovacuum_enabled)`);
  }
  const counts = await db.query<{ docs: number; disp: number; texts: number }>(
    `SELECT (SELECT count(*)::int FROM documents) AS docs, (SELECT count(*)::int FROM dispatches) AS disp, (SELECT count(*)::int FROM document_texts) AS texts`,
  );
  return {
    agencies: Array.from({ length: A }, (_, i) => `B19.${i + 1}`),
    documents: counts.rows[0]!.docs,
    dispatches: counts.rows[0]!.disp,
    texts: counts.rows[0]!.texts,
    seconds: Math.round((Date.now() - t0) / 1000),
    indexSeconds,
    checkedAgainstTrigger: checked,
  };
}

/** The figures of search data generated before (BENCH_SEARCH_DATA_DIR): counted, not generated now. */
export async function existingSearchData(db: Db): Promise<SearchData> {
  const t0 = Date.now();
  const r = await db.query<{ agencies: string[]; docs: number; disp: number; texts: number }>(
    `SELECT ARRAY(SELECT code FROM agencies WHERE code LIKE 'B19.%' ORDER BY substr(code, 5)::int) AS agencies,
            (SELECT count(*)::int FROM documents) AS docs, (SELECT count(*)::int FROM dispatches) AS disp, (SELECT count(*)::int FROM document_texts) AS texts`,
  );
  const row = r.rows[0]!;
  if (row.agencies.length === 0) throw new Error('BENCH_SEARCH_DATA_DIR: the database holds no generated search data (agencies B19.*)');
  const checked = await checkAgainstTrigger(db, row.docs);
  return { agencies: row.agencies, documents: row.docs, dispatches: row.disp, texts: row.texts, seconds: Math.round((Date.now() - t0) / 1000), indexSeconds: 0, checkedAgainstTrigger: checked };
}

/** Sizes of the tables and of the indexes search and the inbox use. */
export async function indexSizes(db: Db): Promise<Record<string, string>> {
  const r = await db.query<{ name: string; size: string }>(
    `SELECT c.relname AS name, pg_size_pretty(pg_relation_size(c.oid)) AS size FROM pg_class c
      WHERE c.relname IN ('documents', 'dispatches', 'document_texts', 'document_search', 'document_search_readers', 'document_search_meta', 'dispatches_inbox',
                          'documents_outbox', 'agencies_name_fold', 'dispatches_register', 'dispatches_inbox_page')
      ORDER BY c.relname`,
  );
  return Object.fromEntries(r.rows.map((x) => [x.name, x.size]));
}
