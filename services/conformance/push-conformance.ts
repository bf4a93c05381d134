import { randomUUID } from 'node:crypto';
import { signDelivery } from '../../workers/delivery/signed-post';
import { documentBody, statusBody, type PushFormat, type TestBody } from './conformance-bodies';

/** The checks a receiver must pass before its agency is switched to push (README § Push delivery). */
export const PUSH_CHECKS = {
  'valid-delivery': 'nhận một lần chuyển hợp lệ: trả 2xx (accepts a valid delivery with 2xx)',
  'bad-signature': 'từ chối chữ ký sai: 401/403 (refuses a bad signature)',
  'old-timestamp': 'từ chối dấu thời gian cũ hơn 5 phút: 401/403 (refuses an old timestamp)',
  'duplicate-delivery': 'lần chuyển lặp lại cùng mã: trả 2xx, không ghi nhận hai lần (a repeated delivery id is a duplicate)',
  'no-redirect': 'không chuyển hướng: không trả 3xx (never redirects)',
  'response-time': 'trả lời trong 10 giây (answers within 10 s)',
  'large-envelope': 'nhận gói 20 MB (takes a 20 MB envelope)',
  'status-message': 'nhận thông điệp trạng thái (accepts status messages)',
} as const;

export type PushCheckId = keyof typeof PUSH_CHECKS;

export interface CheckResult {
  id: PushCheckId;
  title: string;
  passed: boolean;
  detail: string;
}

export interface ConformanceReport {
  endpoint: string;
  format: PushFormat;
  passed: boolean;
  checks: CheckResult[];
}

export interface ConformanceOptions {
  endpoint: string;
  secret: string;
  format?: PushFormat;
  /** One request's time limit (the answer-time check is 10 s whatever this is). */
  requestTimeoutMs?: number;
  /** Size of the large envelope; 20 MB unless a test says otherwise. */
  largeBytes?: number;
}

interface Answer {
  status: number;
  ms: number;
  location?: string;
  duplicateMarked: boolean;
  error?: string;
}

const ANSWER_LIMIT_MS = 10_000;
const OLD_SECONDS = 3600;

/**
 * Sends what Liên Thông sends, signed by the same function the delivery worker uses
 * (workers/delivery/signed-post.ts), with the same headers, and judges the answers.
 */
export async function runPushConformance(o: ConformanceOptions): Promise<ConformanceReport> {
  const format = o.format ?? 'edxml';
  const timeoutMs = o.requestTimeoutMs ?? 30_000;
  const answers: { label: string; a: Answer }[] = [];
  const send = async (label: string, deliveryId: string, b: TestBody, attempt: number, tweak: { secret?: string; ageSeconds?: number } = {}): Promise<Answer> => {
    const timestamp = String(Math.floor(Date.now() / 1000) - (tweak.ageSeconds ?? 0));
    const started = performance.now();
    let a: Answer;
    try {
      const res = await fetch(o.endpoint, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': b.contentType,
          'x-lienthong-delivery': deliveryId,
          'x-lienthong-timestamp': timestamp,
          'x-lienthong-signature': signDelivery(tweak.secret ?? o.secret, timestamp, b.body),
          'x-lienthong-attempt': String(attempt),
        },
        body: b.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text().catch(() => '');
      a = {
        status: res.status,
        ms: Math.round(performance.now() - started),
        ...(res.headers.get('location') ? { location: res.headers.get('location')! } : {}),
        duplicateMarked: res.status === 208 || res.headers.get('x-lienthong-duplicate') === 'true' || /"duplicate"\s*:\s*true/.test(text.slice(0, 65536)),
      };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      a = { status: 0, ms: Math.round(performance.now() - started), duplicateMarked: false, error: e.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (e.cause?.code ?? e.message) };
    }
    answers.push({ label, a });
    return a;
  };
  const said = (a: Answer) => (a.status ? `HTTP ${a.status}${a.location ? ` → ${a.location}` : ''} in ${a.ms} ms` : `${a.error}`);
  const is2xx = (a: Answer) => a.status >= 200 && a.status < 300;
  const refused = (a: Answer) => a.status === 401 || a.status === 403;
  const results: CheckResult[] = [];
  const record = (id: PushCheckId, passed: boolean, detail: string) => results.push({ id, title: PUSH_CHECKS[id], passed, detail });
  const run = Date.now().toString(36).toUpperCase();

  const validId = randomUUID();
  const valid = documentBody(format, validId, `1${run}`);
  const first = await send('valid delivery', validId, valid, 1);
  record('valid-delivery', is2xx(first), said(first));

  const forgedId = randomUUID();
  const forged = await send('bad signature', forgedId, documentBody(format, forgedId, `2${run}`), 1, { secret: `${o.secret}-not-the-secret` });
  record('bad-signature', refused(forged), said(forged));

  const oldId = randomUUID();
  const old = await send('old timestamp', oldId, documentBody(format, oldId, `3${run}`), 1, { ageSeconds: OLD_SECONDS });
  record('old-timestamp', refused(old), `${said(old)} (timestamp ${OLD_SECONDS} s old, signature valid)`);

  // The retry of the first delivery: same id and body, a fresh timestamp and signature, attempt 2.
  const repeat = await send('repeated delivery', validId, valid, 2);
  record(
    'duplicate-delivery',
    is2xx(first) && is2xx(repeat),
    `${said(repeat)}${repeat.duplicateMarked ? ', marked as a duplicate' : ''}${is2xx(first) ? '' : ' (the first delivery was not accepted)'}`,
  );

  const largeBytes = o.largeBytes ?? 20 * 1024 * 1024;
  const largeId = randomUUID();
  const largeBody = documentBody(format, largeId, `4${run}`, largeBytes);
  const large = await send('large envelope', largeId, largeBody, 1);
  record('large-envelope', is2xx(large), `${said(large)} (${(Buffer.byteLength(largeBody.body) / 1048576).toFixed(1)} MiB)`);

  const statusId = `${randomUUID()}:${Date.now()}`;
  const status = await send('status message', statusId, statusBody(format, statusId, `1${run}`), 1);
  record('status-message', is2xx(status), said(status));

  const redirects = answers.filter(({ a }) => a.status >= 300 && a.status < 400);
  record('no-redirect', redirects.length === 0, redirects.length ? redirects.map(({ label, a }) => `${label}: ${said(a)}`).join('; ') : `no 3xx in ${answers.length} requests`);

  const slowest = answers.reduce((m, x) => (x.a.ms > m.a.ms || x.a.status === 0 ? x : m), answers[0]!);
  const late = answers.filter(({ a }) => a.status === 0 || a.ms > ANSWER_LIMIT_MS);
  record('response-time', late.length === 0, late.length ? late.map(({ label, a }) => `${label}: ${said(a)}`).join('; ') : `slowest: ${slowest.label}, ${slowest.a.ms} ms`);

  const order = Object.keys(PUSH_CHECKS) as PushCheckId[];
  results.sort((x, y) => order.indexOf(x.id) - order.indexOf(y.id));
  return { endpoint: o.endpoint, format, passed: results.every((r) => r.passed), checks: results };
}
