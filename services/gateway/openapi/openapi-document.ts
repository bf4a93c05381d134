import { z } from 'zod';
import {
  AgencyDirectory,
  CreateRegisterBookBody,
  DispatchAttemptPage,
  RegisterBookList,
  RegisterBookView,
  DocumentMetadata,
  DocumentView,
  ErrorResponse,
  InboxPage,
  SearchPage,
  SearchQuery,
  OutboxPage,
  PaperDispatchRequest,
  RevokeBody,
  RevokeResult,
  StatusBody,
  StatusResult,
  JsonSubmission,
  SubmitDocumentResponse,
} from '../../../contracts';
import { HTTP_STATUS_OF } from '../../../contracts/errors';
import { API_INTRODUCTION } from './api-introduction';
import { withOperationDocs } from './operation-docs';

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the server parses with, so the
 * published contract cannot drift from what is accepted. Routes added by other modules register
 * their operations through `extraPaths`.
 */
type Schema = z.ZodType;

const json = (schema: Schema, io: 'input' | 'output') => ({ 'application/json': { schema: z.toJSONSchema(schema, { io, unrepresentable: 'any' }) } });
const ok = (schema: Schema, description = 'OK') => ({ description, content: json(schema, 'output') });
/** Error responses, each naming the codes that come with its status (contracts/errors.ts). */
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => {
      const codes = Object.entries(HTTP_STATUS_OF).filter(([, st]) => st === s).map(([c]) => c);
      const content = { 'application/json': { schema: z.toJSONSchema(ErrorResponse, { io: 'output', unrepresentable: 'any' }), example: { error: { code: codes[0] ?? 'INTERNAL', message: 'Câu giải thích bằng tiếng Việt' } } } };
      return [String(s), { description: `lỗi / error: ${codes.map((c) => `\`${c}\``).join(', ')}`, content }];
    }),
  );
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } });
const pageParams = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
  { name: 'cursor', in: 'query', schema: { type: 'string' } },
  { name: 'page', in: 'query', schema: { type: 'string', enum: ['last'] } },
];
const searchParams = Object.keys(SearchQuery.shape).map((name) => ({ name, in: 'query', schema: { type: 'string' } }));

/** The example of the JSON submission: a body rendered in the Decree 30 layout, so "try it" needs no file. */
const SUBMIT_EXAMPLE = {
  metadata: {
    documentType: 'CV',
    notation: 'UBND-VP',
    issuedOn: '2026-11-28',
    place: 'Đắk Lắk',
    subject: 'Thử nghiệm kết nối hệ thống quản lý văn bản',
    signer: { authority: 'TL.', position: 'CHÁNH VĂN PHÒNG', fullName: 'Nguyễn Văn Mẫu' },
    recipients: ['SANDBOX.XXXXXX.B'],
  },
  body: { blocks: [{ type: 'paragraph', text: 'Văn bản thử nghiệm gửi từ hệ thống của đơn vị cung cấp phần mềm.' }], recipientsText: ['- Như trên;', '- Lưu: VT.'] },
};

const HealthLive = z.object({ status: z.literal('ok') });
const HealthReady = z.object({ status: z.enum(['ok', 'unavailable']), checks: z.object({ postgres: z.string(), redis: z.string() }) });
const OverduePage = z.object({
  items: z.array(
    z.object({
      dispatchId: z.string(), documentId: z.string(), number: z.string(), notation: z.string(), subject: z.string(),
      recipient: z.string(), recipientName: z.string(), reason: z.enum(['not_registered', 'not_completed']), dueOn: z.string().nullable(), sentAt: z.string(),
    }),
  ),
});

type Operation = { security?: unknown[]; responses: Record<string, unknown> };

const retryAfter = { 'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } } };

/**
 * The answers every operation that takes an API key can give, whatever its own: 401 (no or bad
 * key), 403 FORBIDDEN (the key's scopes do not cover the route: services/gateway/security/require-scope.ts)
 * and 429 RATE_LIMITED with Retry-After (LIENTHONG_RATE_LIMIT_PER_MIN per key). A 503 where the
 * admission gate applies (POST /v1/documents, POST /v1/edxml: OVERLOADED) carries Retry-After too.
 */
function withCommonResponses(paths: Record<string, Record<string, Operation>>): void {
  for (const [path, ops] of Object.entries(paths)) {
    for (const op of Object.values(ops)) {
      if (!path.startsWith('/v1/') || (op.security && op.security.length === 0)) continue;
      const common = errors(401, 403, 429) as Record<string, Record<string, unknown>>;
      common['429']!.headers = retryAfter;
      for (const status of ['401', '403', '429']) op.responses[status] ??= common[status];
      op.responses['429'] = { ...(op.responses['429'] as object), headers: retryAfter };
      if (ADMISSION_GATED.has(path) && op.responses['503']) op.responses['503'] = { ...(op.responses['503'] as object), headers: retryAfter };
    }
  }
}

/** The routes the admission gate answers 503 OVERLOADED on (services/gateway/app.ts). */
const ADMISSION_GATED = new Set(['/v1/documents', '/v1/edxml']);

/** The headers of every push and status webhook (workers/delivery/signed-post.ts). */
const PUSH_HEADERS = [
  { name: 'X-LienThong-Delivery', in: 'header', required: true, description: 'a document: `<dispatch id>`; a status: `<dispatch id>:<event id>`. Stable across retries: deduplicate on it', schema: { type: 'string' } },
  { name: 'X-LienThong-Timestamp', in: 'header', required: true, description: 'Unix seconds; refuse one more than 5 minutes off', schema: { type: 'string' } },
  { name: 'X-LienThong-Signature', in: 'header', required: true, description: '`sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" under the agency\'s secret>`', schema: { type: 'string' } },
  { name: 'X-LienThong-Attempt', in: 'header', required: true, description: '1 on the first try of this delivery (waiting behind an earlier status is not a try)', schema: { type: 'string' } },
  { name: 'X-LienThong-Receipt', in: 'header', required: false, description: 'edXML statuses 01 and 03 only: the hub\'s signed receipt, base64 DER CMS', schema: { type: 'string' } },
];
const RECEIVER_ANSWERS = {
  '200': { description: 'arrived (any 2xx without redirect; with --push-receipt, a body `{"deliveryId": "<X-LienThong-Delivery>"}` or an edXML status 01)' },
  '401': { description: 'a bad signature or an old timestamp: the hub retries with backoff and alerts' },
};
const RECEIPT_SCHEMA = {
  type: 'object',
  required: ['cms', 'content'],
  properties: {
    cms: { type: 'string', contentEncoding: 'base64', description: 'DER CMS SignedData over content' },
    content: {
      type: 'object',
      properties: {
        type: { const: 'lienthong-receipt' }, version: { const: 1 }, eventId: { type: 'integer' }, dispatchId: { type: 'string' }, documentId: { type: 'string' },
        sender: { type: 'string' }, recipient: { type: 'string' }, statusCode: { enum: ['01', '03'] }, incomingNumber: { type: ['string', 'null'] },
        at: { type: 'string', format: 'date-time' }, signedDocumentSha256: { type: ['string', 'null'] },
      },
    },
  },
};
/** What the hub POSTs to an agency system's endpoint (README § Connecting an agency system, "What is pushed"). */
const WEBHOOKS = {
  documentPush: {
    post: {
      summary: 'A document delivered to a push-channel agency: edXML (default) or JSON (--format json)',
      parameters: PUSH_HEADERS.slice(0, 4),
      requestBody: {
        required: true,
        content: {
          'application/xml': { schema: { type: 'string', description: 'edXML envelope (QCVN 102:2016), the signed PDF attached' } },
          'application/json': {
            schema: {
              type: 'object',
              required: ['deliveryId', 'document', 'files'],
              properties: {
                deliveryId: { type: 'string', description: 'the dispatch id (= X-LienThong-Delivery)' },
                document: {
                  type: 'object',
                  required: ['id', 'sender', 'documentType', 'number', 'notation', 'issuedOn', 'subject', 'urgency', 'dueOn'],
                  properties: {
                    id: { type: 'string', format: 'uuid' }, sender: { type: 'string' }, documentType: { type: 'string' }, number: { type: 'string' }, notation: { type: 'string' },
                    issuedOn: { type: 'string', format: 'date' }, subject: { type: 'string' }, urgency: { type: 'string' }, dueOn: { type: ['string', 'null'], format: 'date' },
                  },
                },
                files: {
                  type: 'array',
                  items: { type: 'object', required: ['role', 'contentType', 'contentBase64'], properties: { role: { const: 'signed' }, contentType: { const: 'application/pdf' }, contentBase64: { type: 'string', contentEncoding: 'base64' } } },
                },
              },
            },
          },
        },
      },
      responses: RECEIVER_ANSWERS,
    },
  },
  statusWebhook: {
    post: {
      summary: 'A status of a copy the agency sent (or a revoke, 13, of one it received), in the order recorded: edXML status message or JSON',
      parameters: PUSH_HEADERS,
      requestBody: {
        required: true,
        content: {
          'application/xml': { schema: { type: 'string', description: 'edXML status message; receipt of 01/03 in X-LienThong-Receipt' } },
          'application/json': {
            schema: {
              type: 'object',
              required: ['deliveryId', 'documentId', 'dispatchId', 'recipient', 'code', 'note', 'at'],
              properties: {
                deliveryId: { type: 'string', description: '`<dispatch id>:<event id>` (= X-LienThong-Delivery)' },
                documentId: { type: 'string', format: 'uuid' }, dispatchId: { type: 'string', format: 'uuid' }, recipient: { type: 'string' },
                code: { enum: ['01', '02', '03', '04', '05', '06', '13', '15', '16'] }, note: { type: ['string', 'null'] }, at: { type: 'string', format: 'date-time' },
                receipt: { ...RECEIPT_SCHEMA, description: '01 and 03 only, when the hub has a seal certificate' },
              },
            },
          },
        },
      },
      responses: RECEIVER_ANSWERS,
    },
  },
};

export function openApiDocument(extraPaths: Record<string, unknown> = {}): Record<string, unknown> {
  const doc = {
    openapi: '3.1.0',
    info: {
      title: 'Liên Thông API',
      version: '1',
      description: API_INTRODUCTION,
    },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'one API key per agency' } } },
    security: [{ apiKey: [] }],
    webhooks: WEBHOOKS,
    paths: {
      '/v1/documents': {
        post: {
          summary: 'Submit and send a document',
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 200 } }],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: z.toJSONSchema(JsonSubmission, { io: 'input', unrepresentable: 'any' }), example: SUBMIT_EXAMPLE },
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['metadata', 'file'],
                  properties: {
                    metadata: { type: 'string', contentMediaType: 'application/json', contentSchema: z.toJSONSchema(DocumentMetadata, { io: 'input' }) },
                    file: { type: 'string', contentMediaType: 'application/pdf' },
                    attachments: { type: 'array', items: { type: 'string', contentMediaType: 'application/octet-stream' } },
                  },
                },
              },
            },
          },
          responses: { '202': ok(SubmitDocumentResponse, 'accepted'), ...errors(400, 401, 403, 409, 413, 415, 422, 503) },
        },
      },
      '/v1/documents/{id}': {
        get: { summary: 'A document with its dispatches and timelines', parameters: [idParam('id')], responses: { '200': ok(DocumentView), ...errors(401, 404) } },
      },
      '/v1/documents/{id}/files/{role}': {
        get: {
          summary: 'A file: original, canonical, signed, attachment-N (signed), attachment-N-source (as uploaded)',
          parameters: [idParam('id'), { name: 'role', in: 'path', required: true, schema: { type: 'string', pattern: '^(original|canonical|signed|attachment-\\d+(-source)?)$' } }],
          responses: { '200': { description: 'the file', content: { 'application/pdf': {} } }, ...errors(401, 404) },
        },
      },
      '/v1/documents/{id}/revoke': {
        post: {
          summary: 'Revoke (thu hồi) a sent document',
          parameters: [idParam('id')],
          requestBody: { required: true, content: json(RevokeBody, 'input') },
          responses: { '200': ok(RevokeResult), ...errors(400, 401, 404, 409, 413) },
        },
      },
      '/v1/inbox': {
        get: { summary: "Documents delivered to the caller's agency", parameters: pageParams, responses: { '200': ok(InboxPage), ...errors(400, 401) } },
      },
      '/v1/inbox/{dispatchId}/status': {
        post: {
          summary: 'Post an edXML status code on a dispatch',
          parameters: [idParam('dispatchId')],
          requestBody: { required: true, content: json(StatusBody, 'input') },
          responses: { '200': ok(StatusResult), ...errors(400, 401, 404, 409, 413) },
        },
      },
      '/v1/search': {
        get: {
          summary: 'One search over the documents the caller may read: without diacritics, abbreviations, ranked, filtered, keyset pages with the total',
          parameters: searchParams,
          responses: { '200': ok(SearchPage), ...errors(400, 401) },
        },
      },
      '/v1/registers/books': {
        get: {
          summary: "The caller's register books (incoming and outgoing), the default first",
          parameters: [{ name: 'kind', in: 'query', required: false, schema: { type: 'string', enum: ['incoming', 'outgoing'] } }],
          responses: { '200': ok(RegisterBookList), ...errors(400, 401) },
        },
        post: {
          summary: 'Open a new register book',
          requestBody: { required: true, content: json(CreateRegisterBookBody, 'input') },
          responses: { '201': ok(RegisterBookView, 'Created'), ...errors(400, 401, 409, 413) },
        },
      },
      '/v1/outbox': {
        get: { summary: "The caller's sent documents", parameters: pageParams, responses: { '200': ok(OutboxPage), ...errors(400, 401) } },
      },
      '/v1/edxml': {
        post: {
          summary: 'Submit an edXML envelope (document, revoke, update, replace) or status message (QCVN 102:2016)',
          requestBody: { required: true, content: { 'application/xml': { schema: { type: 'string' } } } },
          responses: {
            '200': { description: 'a revoke or status message was applied', content: { 'application/json': { schema: { type: 'object' } } } },
            '202': { description: 'a document was accepted', content: { 'application/json': { schema: { type: 'object' } } } },
            ...errors(401, 403, 404, 409, 413, 415, 422, 503),
          },
        },
      },
      '/v1/documents/{id}/edxml': {
        get: { summary: 'The document as an edXML envelope', parameters: [idParam('id')], responses: { '200': { description: 'edXML', content: { 'application/xml': {} } }, ...errors(401, 404) } },
      },
      '/v1/documents/{id}/evidence': {
        get: {
          summary: 'The evidence bundle: one ASiC-E ZIP (files, edXML, timeline, ledger path to an RFC 3161 anchor, signed receipts), sealed by the hub',
          parameters: [idParam('id')],
          responses: { '200': { description: 'ASiC-E ZIP', content: { 'application/vnd.etsi.asic-e+zip': {} } }, ...errors(401, 403, 404, 503) },
        },
      },
      '/v1/documents/{id}/receipts': {
        get: {
          summary: "The hub's signed receipts of arrivals (01) and registrations (03); each also as DER at links.der",
          parameters: [idParam('id')],
          responses: { '200': { description: 'receipts', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors(401, 403, 404, 503) },
        },
      },
      '/v1/documents/{id}/receipts/{eventId}': {
        get: {
          summary: "One signed receipt of the hub (an arrival 01 or registration 03) as DER CMS (the receipts list's links.der)",
          parameters: [idParam('id'), { name: 'eventId', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
          responses: { '200': { description: 'the receipt: CMS SignedData (DER)', content: { 'application/pkcs7-mime': { schema: { type: 'string', contentMediaType: 'application/pkcs7-mime' } } } }, ...errors(400, 401, 404, 503) },
        },
      },
      '/v1/paper-dispatches': {
        post: {
          summary: 'Record a document sent on paper outside the system (the denominator of the e-document rate)',
          requestBody: { required: true, content: json(PaperDispatchRequest, 'input') },
          responses: { '201': { description: 'recorded', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors(400, 401, 409, 413, 415, 422) },
        },
      },
      '/v1/stats/edoc-rate': {
        get: {
          summary: 'E-document rate (documents and dispatches) against the target, by quarter, month or agency; on-time processing',
          parameters: ['from', 'to', 'agency', 'groupBy'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
          responses: { '200': { description: 'figures', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors(400, 401, 403) },
        },
      },
      '/v1/reports/quarterly/{year}/{quarter}': {
        get: {
          summary: 'The quarterly report (PDF, or CSV with ?format=csv); monitors only',
          parameters: [
            { name: 'year', in: 'path', required: true, schema: { type: 'integer' } },
            { name: 'quarter', in: 'path', required: true, schema: { type: 'string', examples: ['Q4', '4'] } },
            { name: 'format', in: 'query', schema: { type: 'string', enum: ['pdf', 'csv'] } },
          ],
          responses: { '200': { description: 'the report', content: { 'application/pdf': {}, 'text/csv': {} } }, ...errors(400, 401, 403, 404) },
        },
      },
      '/metrics': { get: { security: [], summary: 'Prometheus metrics: Authorization: Bearer <LIENTHONG_METRICS_TOKEN>, or on LIENTHONG_METRICS_PORT instead', responses: { '200': { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errors(401) } } },
      '/v1/agencies': { get: { summary: 'The directory and its groups', responses: { '200': ok(AgencyDirectory), ...errors(401) } } },
      '/health/live': { get: { security: [], summary: 'Liveness', responses: { '200': { description: 'alive', content: json(HealthLive, 'output') } } } },
      '/health/ready': {
        get: { security: [], summary: 'Readiness (PostgreSQL and Redis)', responses: { '200': { description: 'ready', content: json(HealthReady, 'output') }, '503': { description: 'not ready: `status: unavailable`, the failing check in `checks`', content: json(HealthReady, 'output') } } },
      },
      '/v1/documents/{id}/dispatches/{dispatchId}/packet': {
        get: {
          summary: 'The print-ready packet of a paper dispatch (transmittal slip + the document); sender only',
          parameters: [idParam('id'), idParam('dispatchId')],
          responses: { '200': { description: 'the packet', content: { 'application/pdf': {} } }, ...errors(401, 404) },
        },
      },
      '/v1/documents/{id}/dispatches/{dispatchId}/attempts': {
        get: {
          summary: "The push attempts of a dispatch, newest first (when, outcome, HTTP status, error, proof), keyset pages; sender only; a relay or axis copy's attempts to the peer hub or the axis; empty for a hosted or paper copy",
          parameters: [idParam('id'), idParam('dispatchId'), ...pageParams],
          responses: { '200': ok(DispatchAttemptPage), ...errors(400, 401, 404) },
        },
      },
      '/v1/outbox/overdue': {
        get: {
          summary: "The caller's sent dispatches that are overdue: not registered (03) by the end of the next working day after arrival, or not completed (06) by the deadline (the recipient leader's, else the document's due date)",
          responses: { '200': ok(OverduePage, 'the overdue dispatches'), ...errors(401) },
        },
      },
      ...extraPaths,
    },
  };
  withCommonResponses(doc.paths as Record<string, Record<string, Operation>>);
  withOperationDocs(doc.paths as Record<string, Record<string, Record<string, unknown>>>);
  return doc;
}
