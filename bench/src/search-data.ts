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
}

/**
 * Generates the search benchmark's data in SQL (not through the API): `agencies` agencies,
 * `documents` documents each sent to `perDoc` recipients (delivered; a mix of statuses), and a
 * file text for one document in ten. The product's trigger folds and indexes every row as in
 * production. Batches keep each transaction and its WAL bounded.
 */
export async function generateSearchData(db: Db, o: { agencies: number; documents: number; perDoc: number; batch?: number; say: (s: string) => void }): Promise<SearchData> {
  const t0 = Date.now();
  const A = o.agencies;
  await db.query(
    `INSERT INTO agencies (code, name, level) SELECT 'B19.' || g, (${sqlArray(AGENCY_KINDS)})[1 + g % ${AGENCY_KINDS.length}] || ' số ' || g, 2
       FROM generate_series(1, $1) g ON CONFLICT DO NOTHING`,
    [A],
  );
  const batch = o.batch ?? 50_000;
  for (let from = 1; from <= o.documents; from += batch) {
    const to = Math.min(o.documents, from + batch - 1);
    await db.query(
      `INSERT INTO documents (id, sender_code, document_type, number, notation, year, issued_on, place, subject, signer, urgency, due_on,
                              recipients_ref, status, created_at, updated_at)
       SELECT gen_random_uuid(), 'B19.' || (1 + g % ${A}), (${sqlArray(TYPES)})[1 + g % ${TYPES.length}], g::text, 'B19-' || (1 + g % ${A}), 2026,
              date '2026-01-01' + (g % 330), 'Đắk Lắk',
              (${sqlArray(ACTIONS)})[1 + g % ${ACTIONS.length}] || ' ' || (${sqlArray(TOPICS)})[1 + (g / ${ACTIONS.length}) % ${TOPICS.length}] || ' năm 2026, đợt ' || g,
              jsonb_build_object('authority', 'KT.', 'position', 'PHÓ GIÁM ĐỐC', 'fullName', 'Nguyễn Văn ' || (g % 97)),
              CASE WHEN g % 17 = 0 THEN 'urgent' ELSE 'normal' END,
              CASE WHEN g % 3 = 0 THEN date '2026-01-15' + (g % 330) END,
              (SELECT jsonb_agg('B19.' || (1 + (g * 7 + k * 37) % ${A})) FROM generate_series(1, $3) k),
              'routed', timestamptz '2026-01-01 08:00+07' + g * interval '20 seconds', timestamptz '2026-01-01 08:00+07' + g * interval '20 seconds'
         FROM generate_series($1::int, $2::int) g`,
      [from, to, o.perDoc],
    );
    await db.query(
      `INSERT INTO dispatches (id, document_id, recipient_code, channel, status, incoming_number, delivered_at, created_at, updated_at)
       SELECT gen_random_uuid(), d.id, 'B19.' || (1 + (d.number::int * 7 + k * 37) % ${A}), 'hosted',
              (ARRAY['delivered', 'accepted', 'assigned', 'processing', 'completed', 'completed'])[1 + (d.number::int + k) % 6],
              CASE WHEN (d.number::int + k) % 6 > 0 THEN ((d.number::int + k) % 9999)::text END,
              d.created_at + interval '1 minute', d.created_at, d.created_at
         FROM documents d CROSS JOIN generate_series(1, $3) k
        WHERE d.sender_code LIKE 'B19.%' AND d.number ~ '^[0-9]+$' AND d.number::int BETWEEN $1 AND $2`,
      [from, to, o.perDoc],
    );
    await db.query(
      `INSERT INTO document_texts (document_id, content)
       SELECT d.id, 'Căn cứ Luật Tổ chức chính quyền địa phương; xét đề nghị của ' || a.name || ', nay yêu cầu các cơ quan, đơn vị ' || d.subject
                    || '. Giao ' || (${sqlArray(AGENCY_KINDS)})[1 + d.number::int % ${AGENCY_KINDS.length}] || ' chủ trì, phối hợp thực hiện, báo cáo kết quả trước ngày 15 hằng tháng.'
         FROM documents d JOIN agencies a ON a.code = d.sender_code
        WHERE d.sender_code LIKE 'B19.%' AND d.number ~ '^[0-9]+$' AND d.number::int BETWEEN $1 AND $2 AND d.number::int % 10 = 0`,
      [from, to],
    );
    o.say(`search data: ${to.toLocaleString('en')} / ${o.documents.toLocaleString('en')} documents (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  await db.query('VACUUM (ANALYZE) documents');
  await db.query('VACUUM (ANALYZE) dispatches');
  await db.query('VACUUM (ANALYZE) document_texts');
  await db.query('ANALYZE agencies');
  const counts = await db.query<{ docs: number; disp: number; texts: number }>(
    `SELECT (SELECT count(*)::int FROM documents) AS docs, (SELECT count(*)::int FROM dispatches) AS disp, (SELECT count(*)::int FROM document_texts) AS texts`,
  );
  return {
    agencies: Array.from({ length: A }, (_, i) => `B19.${i + 1}`),
    documents: counts.rows[0]!.docs,
    dispatches: counts.rows[0]!.disp,
    texts: counts.rows[0]!.texts,
    seconds: Math.round((Date.now() - t0) / 1000),
  };
}

/** Sizes of the tables and of the indexes search and the inbox use. */
export async function indexSizes(db: Db): Promise<Record<string, string>> {
  const r = await db.query<{ name: string; size: string }>(
    `SELECT c.relname AS name, pg_size_pretty(pg_relation_size(c.oid)) AS size FROM pg_class c
      WHERE c.relname IN ('documents', 'dispatches', 'document_texts', 'documents_search_tsv', 'documents_search_meta', 'dispatches_inbox',
                          'documents_outbox', 'agencies_name_fold', 'dispatches_register')
      ORDER BY c.relname`,
  );
  return Object.fromEntries(r.rows.map((x) => [x.name, x.size]));
}
