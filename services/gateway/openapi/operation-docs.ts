/**
 * What a vendor reads at /v1/docs beside the schemas: a Vietnamese description of each operation
 * (English beside it), and examples in curl and TypeScript (the client in clients/typescript).
 * Keyed by "METHOD path" as in the OpenAPI document; applied by withOperationDocs.
 */
interface OperationDoc {
  /** Vietnamese title, shown before the English summary. */
  title: string;
  vi: string;
  en: string;
  curl?: string;
  ts?: string;
}

const H = '-H "Authorization: Bearer $LT_KEY"';

const DOCS: Record<string, OperationDoc> = {
  'post /v1/documents': {
    title: 'Gửi văn bản',
    vi: 'Gửi văn bản: siêu dữ liệu (JSON) và tệp (PDF, DOCX, HTML, Markdown, văn bản, PNG, JPEG), hoặc nội dung có cấu trúc để hệ thống trình bày theo Nghị định 30. Văn bản được chuyển sang PDF, ký số bằng chứng thư của cơ quan gửi và chuyển đến từng nơi nhận. Trả về 202 với mã văn bản; theo dõi bằng `GET /v1/documents/{id}`. Gửi lại với cùng `Idempotency-Key` không tạo văn bản thứ hai.',
    en: 'Submit and send a document: multipart (`metadata` + `file` + `attachments`) or JSON (`files` in base64, or `body` to be rendered in the Decree 30 layout). 202 with the id; the same Idempotency-Key returns the first result.',
    curl: `curl -sS "$BASE/v1/documents" ${H} \\
  -F 'metadata={"documentType":"CV","notation":"UBND-VP","issuedOn":"2026-11-28","place":"Đắk Lắk","subject":"Thử nghiệm","signer":{"authority":"TL.","position":"CHÁNH VĂN PHÒNG","fullName":"Nguyễn Văn Mẫu"},"recipients":["SANDBOX.XXXXXX.B"]};type=application/json' \\
  -F 'file=@docs/samples/cong-van-mau.pdf;type=application/pdf'`,
    ts: `import { readFileSync } from 'node:fs';
import { LienThongClient } from './clients/typescript/src';

const lt = new LienThongClient({ baseUrl: process.env.BASE!, apiKey: process.env.LT_KEY! });
const { id } = await lt.submit({
  metadata: { documentType: 'CV', notation: 'UBND-VP', issuedOn: '2026-11-28', place: 'Đắk Lắk', subject: 'Thử nghiệm',
    signer: { authority: 'TL.', position: 'CHÁNH VĂN PHÒNG', fullName: 'Nguyễn Văn Mẫu' }, recipients: ['SANDBOX.XXXXXX.B'] },
  file: { name: 'cong-van-mau.pdf', bytes: readFileSync('docs/samples/cong-van-mau.pdf') },
}, { idempotencyKey: 'my-system-42' });`,
  },
  'get /v1/documents/{id}': {
    title: 'Xem văn bản và trạng thái',
    vi: 'Văn bản, các tệp, và trạng thái từng bản gửi (dispatch) với dòng thời gian. Cơ quan nhận chỉ thấy bản của mình.',
    en: 'Metadata, files and per-recipient dispatch states with their timelines (a recipient sees only its own copy).',
    curl: `curl -sS "$BASE/v1/documents/$ID" ${H}`,
    ts: `const doc = await lt.document(id);
console.log(doc.status, doc.dispatches.map((d) => [d.recipient, d.status]));`,
  },
  'get /v1/documents/{id}/files/{role}': {
    title: 'Tải tệp',
    vi: 'Tải một tệp: `signed` (bản đã ký), `original`, `canonical`, `attachment-N`. Cơ quan nhận tải được `signed` và phụ lục.',
    en: 'Download a file by role; recipients may read `signed` and attachments.',
    curl: `curl -sS "$BASE/v1/documents/$ID/files/signed" ${H} -o signed.pdf`,
    ts: `const pdf = await lt.downloadFile(id, 'signed'); // Uint8Array`,
  },
  'post /v1/documents/{id}/revoke': {
    title: 'Thu hồi văn bản',
    vi: 'Thu hồi văn bản đã gửi (chỉ cơ quan gửi): mọi bản nhận chuyển sang trạng thái 13.',
    en: 'Revoke a sent document (sender only): every copy gets status 13.',
    curl: `curl -sS "$BASE/v1/documents/$ID/revoke" ${H} -H 'Content-Type: application/json' -d '{"reason":"Gửi nhầm nơi nhận"}'`,
    ts: `await lt.revoke(id, 'Gửi nhầm nơi nhận');`,
  },
  'get /v1/inbox': {
    title: 'Văn bản đến',
    vi: 'Văn bản đến của cơ quan (mới nhất trước), phân trang bằng `limit` và `cursor` (`nextCursor` của trang trước).',
    en: "The caller's inbox, newest first, cursor paging.",
    curl: `curl -sS "$BASE/v1/inbox?limit=50" ${H}`,
    ts: `let page = await lt.inbox({ limit: 50 });
while (page.nextCursor) page = await lt.inbox({ limit: 50, cursor: page.nextCursor });`,
  },
  'post /v1/inbox/{dispatchId}/status': {
    title: 'Báo trạng thái xử lý',
    vi: 'Báo trạng thái xử lý một văn bản đến theo mã edXML: 01 đã đến, 02 từ chối, 03 đã tiếp nhận (vào sổ, cấp số đến; `register.bookId` chọn sổ đến — xem `GET /v1/registers/books` — và `register.registeredOn` ngày vào sổ, từ ngày văn bản đến tới hôm nay, mặc định sổ mặc định và hôm nay; ngày khác → 400), 04 phân công, 05 đang xử lý, 06 hoàn thành; 13 (cơ quan gửi lấy lại), 15/16 (trả lời). Chuyển trạng thái không hợp lệ → 409.',
    en: 'Post an edXML status code on a dispatch; transitions are checked (409 otherwise); 03 issues the incoming number (register.registeredOn: from the day the copy arrived to today, else 400).',
    curl: `curl -sS "$BASE/v1/inbox/$DISPATCH/status" ${H} -H 'Content-Type: application/json' -d '{"code":"03","register":{"registeredOn":"2026-12-04"}}'`,
    ts: `const { incomingNumber } = await lt.postStatus(dispatchId, { code: '03', register: { registeredOn: '2026-12-04' } });`,
  },
  'get /v1/registers/books': {
    title: 'Sổ đăng ký văn bản',
    vi: 'Các sổ văn bản đến và đi của cơ quan (sổ mặc định trước). Dùng `id` của sổ khi vào sổ văn bản đến (trạng thái 03 với `register.bookId`) hoặc khi gửi văn bản (`metadata.registerBook`). Số đến đánh riêng theo từng sổ đến; số văn bản đi là một dãy của cơ quan trong năm (Nghị định 30, Điều 15), sổ đi chỉ để phân nhóm.',
    en: "The caller agency's incoming and outgoing register books; pass a book's id as `register.bookId` with status 03, or as `metadata.registerBook` when submitting.",
    curl: `curl -sS "$BASE/v1/registers/books?kind=incoming" ${H}`,
    ts: `const res = await fetch(\`\${process.env.BASE}/v1/registers/books?kind=incoming\`, { headers: { Authorization: \`Bearer \${process.env.LT_KEY}\` } });
const { books } = await res.json();`,
  },
  'post /v1/registers/books': {
    title: 'Mở sổ đăng ký mới',
    vi: 'Mở một sổ văn bản đến hoặc đi mới (ví dụ "Sổ văn bản mật đến"); tên sổ không trùng trong cùng loại. Trả về 201 với sổ mới.',
    en: 'Open a new incoming or outgoing register book; names are unique per kind.',
    curl: `curl -sS "$BASE/v1/registers/books" ${H} -H 'Content-Type: application/json' -d '{"kind":"incoming","name":"Sổ văn bản mật đến"}'`,
    ts: `const res = await fetch(\`\${process.env.BASE}/v1/registers/books\`, { method: 'POST',
  headers: { Authorization: \`Bearer \${process.env.LT_KEY}\`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ kind: 'incoming', name: 'Sổ văn bản mật đến' }) });
const book = await res.json();`,
  },
  'get /v1/outbox': {
    title: 'Văn bản đi',
    vi: 'Văn bản đã gửi của cơ quan, với số bản gửi theo trạng thái và số bản quá hạn.',
    en: "The caller's sent documents with dispatch counts per state.",
    curl: `curl -sS "$BASE/v1/outbox?limit=20" ${H}`,
    ts: `const sent = await lt.outbox({ limit: 20 });`,
  },
  'post /v1/edxml': {
    title: 'Gửi gói edXML',
    vi: 'Gửi một gói edXML (QCVN 102:2016): văn bản mới (không trùng theo DocumentId), thu hồi, cập nhật, thay thế, hoặc thông điệp trạng thái. `From` phải là cơ quan của khóa API.',
    en: "An edXML envelope or status message; the envelope's From must be the caller's agency.",
    curl: `curl -sS "$BASE/v1/edxml" ${H} -H 'Content-Type: application/xml' --data-binary @envelope.edxml`,
    ts: `const result = await lt.submitEdxml(readFileSync('envelope.edxml', 'utf8'));`,
  },
  'get /v1/documents/{id}/edxml': {
    title: 'Văn bản dạng edXML',
    vi: 'Văn bản dưới dạng gói edXML, kèm bản PDF đã ký.',
    en: 'The document as an edXML envelope with the signed PDF attached.',
    curl: `curl -sS "$BASE/v1/documents/$ID/edxml" ${H} -o document.edxml`,
    ts: `const xml = await lt.documentEdxml(id);`,
  },
  'get /v1/documents/{id}/evidence': {
    title: 'Gói bằng chứng',
    vi: 'Một tệp ZIP theo bố cục ASiC-E: bản PDF đã ký và tệp đính kèm, gói edXML, dòng thời gian mọi bản gửi, các dòng nhật ký với đường băm tới mốc thời gian RFC 3161, các biên nhận có ký; niêm phong bằng con dấu của hệ thống. Kiểm tra ngoại tuyến: `lienthong evidence verify FILE --trust ca.pem`.',
    en: 'One ASiC-E ZIP with the signed PDF, attachments, edXML, the timeline, the ledger path to an RFC 3161 anchor and the signed receipts, sealed by the hub; check it offline with `lienthong evidence verify`.',
    curl: `curl -sS "$BASE/v1/documents/$ID/evidence" ${H} -o bang-chung.zip`,
    ts: `const res = await fetch(\`\${process.env.BASE}/v1/documents/\${id}/evidence\`, { headers: { Authorization: \`Bearer \${process.env.LT_KEY}\` } });
writeFileSync('bang-chung.zip', Buffer.from(await res.arrayBuffer()));`,
  },
  'get /v1/documents/{id}/receipts': {
    title: 'Biên nhận có ký',
    vi: 'Biên nhận do hệ thống ký (CMS) cho mỗi lần văn bản đến (01) và được vào sổ (03): nội dung JSON và bản DER (kiểm tra bằng `openssl cms -verify`).',
    en: "The hub's signed receipts (CMS) of each arrival (01) and registration (03): the JSON content and the DER (check with `openssl cms -verify`).",
    curl: `curl -sS "$BASE/v1/documents/$ID/receipts" ${H}`,
    ts: `const res = await fetch(\`\${process.env.BASE}/v1/documents/\${id}/receipts\`, { headers: { Authorization: \`Bearer \${process.env.LT_KEY}\` } });
const { receipts } = await res.json(); // each: content (JSON) and cms (base64 DER)`,
  },
  'get /v1/documents/{id}/receipts/{eventId}': {
    title: 'Một biên nhận (DER)',
    vi: 'Một biên nhận có ký của hệ thống (văn bản đến 01 hoặc vào sổ 03) dưới dạng CMS SignedData DER (`application/pkcs7-mime`), theo đường dẫn `links.der` của danh sách biên nhận. Không có biên nhận đó → 404; `eventId` không phải số nguyên dương → 400; hệ thống chưa có chứng thư niêm phong → 503.',
    en: "One of the hub's signed receipts (arrival 01 or registration 03) as DER CMS (`application/pkcs7-mime`), at the receipts list's `links.der`; 404 when there is no such receipt, 503 without a hub seal.",
    curl: `curl -sS "$BASE/v1/documents/$ID/receipts/$EVENT_ID" ${H} -o bien-nhan.p7m && openssl cms -verify -inform DER -in bien-nhan.p7m -noverify`,
    ts: `const res = await fetch(\`\${process.env.BASE}/v1/documents/\${id}/receipts/\${eventId}\`, { headers: { Authorization: \`Bearer \${process.env.LT_KEY}\` } });
const der = new Uint8Array(await res.arrayBuffer()); // application/pkcs7-mime`,
  },
  'post /v1/paper-dispatches': {
    title: 'Ghi nhận văn bản giấy',
    vi: 'Ghi nhận văn bản đã gửi bằng giấy ngoài hệ thống, để mẫu số của tỷ lệ văn bản điện tử đúng thực tế.',
    en: 'Record a document sent on paper outside the system (the denominator of the rate).',
    curl: `curl -sS "$BASE/v1/paper-dispatches" ${H} -H 'Content-Type: application/json' -d '{"documentType":"CV","number":"15","notation":"UBND-VP","issuedOn":"2026-11-28","subject":"…","recipients":["000.00.01.H15"],"sentOn":"2026-11-28"}'`,
    ts: `const res = await fetch(\`\${process.env.BASE}/v1/paper-dispatches\`, {
  method: 'POST',
  headers: { authorization: \`Bearer \${process.env.LT_KEY}\`, 'content-type': 'application/json' },
  body: JSON.stringify({ documentType: 'CV', number: '15', notation: 'UBND-VP', issuedOn: '2026-11-28', subject: '…',
    recipients: ['000.00.01.H15'], sentOn: '2026-11-28' }),
});
if (res.status !== 201) throw new Error(\`\${res.status} \${await res.text()}\`);`,
  },
  'get /v1/stats/edoc-rate': {
    title: 'Tỷ lệ văn bản điện tử',
    vi: 'Tỷ lệ văn bản điện tử (văn bản và bản gửi) so với chỉ tiêu, theo quý, tháng hoặc cơ quan; xử lý đúng hạn. Khóa thường thấy cơ quan mình; khóa `monitor` thấy tất cả. Cơ quan thử nghiệm (sandbox) không được tính.',
    en: 'E-document rate against the target; sandbox agencies are never counted.',
    curl: `curl -sS "$BASE/v1/stats/edoc-rate?from=2026-10-01&to=2026-12-31&groupBy=month" ${H}`,
    ts: `const rate = await lt.stats({ from: '2026-10-01', to: '2026-12-31', groupBy: 'month' });`,
  },
  'get /v1/reports/quarterly/{year}/{quarter}': {
    title: 'Báo cáo quý',
    vi: 'Báo cáo quý (PDF tiếng Việt, hoặc CSV với `?format=csv`); chỉ khóa `monitor`.',
    en: 'The quarterly report (PDF or CSV); monitor keys only.',
    curl: `curl -sS "$BASE/v1/reports/quarterly/2026/Q4?format=csv" ${H}`,
    ts: `const res = await fetch(\`\${process.env.BASE}/v1/reports/quarterly/2026/Q4?format=csv\`, { headers: { authorization: \`Bearer \${process.env.MONITOR_KEY}\` } });
const csv = await res.text(); // UTF-8 with a byte-order mark`,
  },
  'get /v1/search': {
    title: 'Tìm kiếm văn bản',
    vi: 'Tìm trong các văn bản cơ quan được đọc (văn bản đến và văn bản đã gửi): số/ký hiệu, trích yếu, loại, cơ quan ban hành, người ký, nơi nhận và nội dung tệp; không phân biệt hoa thường và dấu ("cai cach" = "cải cách"), hiểu chữ viết tắt (UBND, QĐ…), xếp theo mức phù hợp: khi khớp không quá 2.000 văn bản (`LIENTHONG_SEARCH_COUNT_LIMIT`), mọi kết quả được đếm (`total` chính xác, `totalExact: true`), 1.000 kết quả mới nhất (`LIENTHONG_SEARCH_RANK_WINDOW`) xếp theo `rank` trước, các kết quả cũ hơn theo sau, mới trước, với `rank` = null; khi khớp nhiều hơn, `totalExact: false`, `total` là số đã đếm được (ít nhất bấy nhiêu) và kết quả xếp mới trước, `rank` = null; thêm `count=exact` để đếm và xếp hạng đầy đủ. Lọc theo `box` (in/out/all), `type`, `sender`, `urgency`, `status`, `from`/`to`, `issuedFrom`/`issuedTo`, `overdue=1`, `revoked`; phân trang như hộp thư đến, kèm `total`. Tham số sai → 400 `VALIDATION_FAILED`.',
    en: 'One search over the documents the caller may read, accent- and case-insensitive, abbreviations expanded, ranked, filtered, keyset pages with the total. Up to 2,000 matches (LIENTHONG_SEARCH_COUNT_LIMIT) every match is counted and the newest 1,000 (LIENTHONG_SEARCH_RANK_WINDOW) come first by `rank`, the older follow newest first with `rank` null; past the limit the answer has `totalExact: false`, `total` a lower bound and the matches newest first; `count=exact` counts and ranks every match.',
    curl: `curl -sS -G "$BASE/v1/search" ${H} --data-urlencode 'q=cai cach hanh chinh' --data-urlencode 'box=in' --data-urlencode 'limit=20'`,
    ts: `const url = new URL('/v1/search', process.env.BASE);
url.search = new URLSearchParams({ q: 'cai cach hanh chinh', box: 'in', limit: '20' }).toString();
const page = await (await fetch(url, { headers: { authorization: \`Bearer \${process.env.LT_KEY}\` } })).json();
console.log(page.totalExact ? page.total : \`at least \${page.total}\`, page.items.length, page.nextCursor);`,
  },
  'get /v1/outbox/overdue': {
    title: 'Văn bản đi quá hạn',
    vi: 'Các bản gửi của cơ quan đang quá hạn: nơi nhận chưa vào sổ (03) trước hết ngày làm việc kế tiếp sau khi đến (`not_registered`), hoặc chưa hoàn thành (06) khi hết hạn xử lý do lãnh đạo nơi nhận đặt, nếu không có thì hạn của văn bản (`not_completed`).',
    en: "The caller's overdue dispatches: not registered by the next working day after arrival, or not completed by the deadline.",
    curl: `curl -sS "$BASE/v1/outbox/overdue" ${H}`,
    ts: `const { items } = await (await fetch(\`\${process.env.BASE}/v1/outbox/overdue\`, { headers: { authorization: \`Bearer \${process.env.LT_KEY}\` } })).json();
for (const d of items) console.log(d.recipient, d.reason, d.dueOn);`,
  },
  'get /v1/documents/{id}/dispatches/{dispatchId}/packet': {
    title: 'Bộ hồ sơ gửi giấy',
    vi: 'Bộ hồ sơ in sẵn của một bản gửi bằng giấy (phiếu chuyển và văn bản đã ký), dạng PDF; chỉ cơ quan gửi.',
    en: 'The print-ready packet (transmittal slip + the signed document) of a paper dispatch; sender only.',
    curl: `curl -sS "$BASE/v1/documents/$ID/dispatches/$DISPATCH/packet" ${H} -o packet.pdf`,
    ts: `const res = await fetch(\`\${process.env.BASE}/v1/documents/\${id}/dispatches/\${dispatchId}/packet\`, { headers: { authorization: \`Bearer \${process.env.LT_KEY}\` } });
const packet = new Uint8Array(await res.arrayBuffer()); // application/pdf`,
  },
  'get /v1/documents/{id}/dispatches/{dispatchId}/attempts': {
    title: 'Lịch sử các lần gửi đẩy',
    vi: 'Các lần hệ thống gửi đẩy (POST) văn bản tới điểm nhận của một nơi nhận, mới nhất trước: số lần thử (`attempt`, đánh lại từ 1 sau khi quản trị gửi lại), đợt gửi (`round`: 1, tăng thêm 1 sau mỗi lần quản trị gửi lại; `round` và `attempt` cùng xác định một lần thử), lúc bắt đầu (`startedAt`), lúc có kết quả (`at`), kết quả (`outcome`), mã HTTP điểm nhận trả lời (`httpStatus`), lỗi (`error`) và bằng chứng đã nhận (`proof`: `http-2xx` hoặc `receipt`). `outcome`: `started` đang gửi; `delivered` điểm nhận đã nhận; `failed` lỗi, sẽ thử lại trong thời hạn gửi; `interrupted` tiến trình gửi dừng giữa chừng, không rõ điểm nhận đã nhận hay chưa — lần sau gửi lại cùng mã giao nhận (`X-LienThong-Delivery`). Phân trang như hộp thư đến (`limit` 1–200, `cursor`, `page=last`), kèm `total`. Chỉ cơ quan gửi; văn bản hoặc bản gửi không phải của cơ quan → 404. Bản chuyển qua hub ngang hàng hoặc qua trục liên thông quốc gia: các lần gửi tới hub hoặc trục đó. Bản nhận trong hộp thư Liên Thông (hosted) hoặc gửi bằng giấy không có lần gửi đẩy: danh sách rỗng.',
    en: "A push dispatch's attempts, newest first (attempt within its retry budget, round: the budget, one more after each operator retry, startedAt, at, outcome started|delivered|failed|interrupted, httpStatus, error, proof), keyset pages with the total; sender only (404 otherwise); a relay or axis copy lists its attempts to the peer hub or the axis; empty for a hosted or paper copy.",
    curl: `curl -sS "$BASE/v1/documents/$ID/dispatches/$DISPATCH/attempts?limit=20" ${H}`,
    ts: `let page = await lt.dispatchAttempts(id, dispatchId, { limit: 20 });
for (const a of page.items) console.log(a.round, a.attempt, a.outcome, a.httpStatus, a.error);
while (page.nextCursor) page = await lt.dispatchAttempts(id, dispatchId, { limit: 20, cursor: page.nextCursor });`,
  },
  'get /metrics': {
    title: 'Số đo cho Prometheus',
    vi: 'Số đo theo định dạng văn bản của Prometheus: văn bản và bản gửi theo kết quả, tỷ lệ văn bản điện tử theo cơ quan, bản gửi lỗi, hạn chứng thư, độ dài hàng đợi. Cần `Authorization: Bearer <LIENTHONG_METRICS_TOKEN>` (không dùng khóa API của cơ quan), hoặc đọc ở cổng riêng `LIENTHONG_METRICS_PORT`.',
    en: 'Prometheus text exposition; needs the metrics token (not an agency key), or use the separate metrics port.',
    curl: `curl -sS "$BASE/metrics" -H "Authorization: Bearer $LIENTHONG_METRICS_TOKEN"`,
    ts: `const text = await (await fetch(\`\${process.env.BASE}/metrics\`, { headers: { authorization: \`Bearer \${process.env.LIENTHONG_METRICS_TOKEN}\` } })).text();`,
  },
  'get /health/live': {
    title: 'Kiểm tra còn chạy',
    vi: 'Tiến trình gateway còn sống (không kiểm tra cơ sở dữ liệu); không cần khóa API. Dùng cho liveness probe.',
    en: 'Liveness of the gateway process; no key needed.',
    curl: `curl -sS "$BASE/health/live"`,
    ts: `const { status } = await (await fetch(\`\${process.env.BASE}/health/live\`)).json(); // 'ok'`,
  },
  'get /health/ready': {
    title: 'Kiểm tra sẵn sàng',
    vi: 'Gateway sẵn sàng nhận yêu cầu: PostgreSQL và Redis đều trả lời (200); một trong hai không trả lời → 503 với lý do trong `checks`. Không cần khóa API.',
    en: 'Readiness: PostgreSQL and Redis answer (200), else 503 with the failing check.',
    curl: `curl -sS "$BASE/health/ready"`,
    ts: `const res = await fetch(\`\${process.env.BASE}/health/ready\`);
const { status, checks } = await res.json(); // res.status 503 when PostgreSQL or Redis is down`,
  },
  'get /v1/agencies': {
    title: 'Danh bạ cơ quan',
    vi: 'Danh bạ cơ quan và các nhóm (dùng `group:<id>` làm nơi nhận).',
    en: 'The directory and its groups.',
    curl: `curl -sS "$BASE/v1/agencies" ${H}`,
    ts: `const { agencies, groups } = await lt.agencies();`,
  },
};

/** The operations documented here ("method path"), for the test that every published one is. */
export const DOCUMENTED_OPERATIONS: readonly string[] = Object.keys(DOCS);

function describe(d: OperationDoc): string {
  const parts = [d.vi, `*English:* ${d.en}`];
  if (d.curl) parts.push('**curl**', '```sh\n' + d.curl + '\n```');
  if (d.ts) parts.push('**TypeScript** (`clients/typescript`)', '```ts\n' + d.ts + '\n```');
  return parts.join('\n\n');
}

/** Adds the descriptions and examples (`description` for the page, `x-codeSamples` for other tools). */
export function withOperationDocs(paths: Record<string, Record<string, Record<string, unknown>>>): void {
  for (const [p, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const d = DOCS[`${method} ${p}`];
      if (!d) continue;
      op.summary = `${d.title} — ${String(op.summary ?? '')}`;
      op.description = describe(d);
      op['x-codeSamples'] = [
        ...(d.curl ? [{ lang: 'curl', label: 'curl', source: d.curl }] : []),
        ...(d.ts ? [{ lang: 'TypeScript', label: 'TypeScript', source: d.ts }] : []),
      ];
    }
  }
}
