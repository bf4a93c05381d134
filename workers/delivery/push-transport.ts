import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { addressRefusal, endpointUrlProblem, refusalAdvice } from '../../services/domain/agencies/address-policy';

/** The most of a receiver's answer we read; the rest is never taken off the socket. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** The body is written in chunks this size, each one taken by the receiver proving the upload moves. */
const UPLOAD_CHUNK_BYTES = 64 * 1024;

export interface PushTimeouts {
  /** From the start to a connected socket (DNS included). */
  connectMs: number;
  /**
   * From the whole body written to the status line and headers; while the body is being written,
   * also the longest the upload may go without the receiver taking another chunk (a stalled upload
   * fails, a slow one that keeps moving does not).
   */
  headersMs: number;
  /** For reading the (capped) response body. */
  bodyMs: number;
}

export interface PushRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The operator allowed this agency's endpoint on a private address. */
  allowPrivate: boolean;
  /** Plain http is accepted (dev mode only); otherwise https only. */
  allowHttp: boolean;
  timeouts: PushTimeouts;
  /** Name resolution under the address policy; the system resolver (getaddrinfo) unless a test injects one. */
  resolver?: PushResolver;
}

/** Resolves a host name to every address (dns.lookup with `all: true`). */
export type PushResolver = (hostname: string, options: dns.LookupOptions, callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;

const systemResolver: PushResolver = (hostname, options, callback) => dns.lookup(hostname, { ...options, all: true }, callback);

export interface PushResponse {
  status: number;
  contentType: string;
  /** At most MAX_RESPONSE_BYTES of the answer. */
  body: Buffer;
  /** The answer was longer than the cap, or it stalled: `body` is not all of it. */
  incomplete: boolean;
  /** The address the request was sent to. */
  remoteAddress: string;
  /** The answer's Retry-After header, as sent. */
  retryAfter?: string | undefined;
}

/** A push attempt that did not deliver: a Vietnamese reason, and the HTTP status when one came. */
export class PushError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number | null = null,
    /** The wait the receiver asked for (Retry-After on 429/503), in ms, when it asked for one. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'PushError';
  }
}

function describeSocketError(err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'điểm nhận từ chối kết nối (ECONNREFUSED)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `không phân giải được tên miền của điểm nhận (${code})`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `điểm nhận cắt kết nối (${code})`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `không tới được điểm nhận (${code})`;
  if (/CERT|SSL|TLS|SELF_SIGNED/.test(code)) return `chứng chỉ TLS của điểm nhận không hợp lệ (${code})`;
  if (code.startsWith('HPE_')) return `điểm nhận trả lời sai giao thức HTTP (${code})`;
  return `lỗi kết nối tới điểm nhận (${code || err.message})`;
}

/**
 * One POST, and nothing more: redirects are never followed (a 3xx comes back as a response for
 * the caller to refuse), the address actually connected to is checked after DNS (a name that
 * resolves to, or is rebound to, a forbidden address is refused before anything is sent), at most
 * 64 KiB of the answer is read, and connect, headers and body each have a timeout. Resolves with
 * the response (any status); rejects with PushError when no response came.
 */
export function pushRequest(p: PushRequest): Promise<PushResponse> {
  const problem = endpointUrlProblem(p.url, p.allowHttp, p.allowPrivate);
  if (problem) return Promise.reject(new PushError(problem));
  const url = new URL(p.url);
  let refusedAddress: string | null = null;
  const lookup: net.LookupFunction = (hostname, options, callback) => {
    (p.resolver ?? systemResolver)(hostname, options, (err, addresses) => {
      if (err) return (callback as (e: Error) => void)(err);
      // Refuse when any address is forbidden: a round-robin name must not smuggle one in.
      for (const a of addresses) {
        const why = addressRefusal(a.address, p.allowPrivate);
        if (why) {
          refusedAddress = `${hostname} → ${why}: bị từ chối${refusalAdvice(a.address)}`;
          const e = Object.assign(new Error(`refused address ${a.address}`), { code: 'ELIENTHONG_REFUSED_ADDRESS' });
          return (callback as (e: Error) => void)(e);
        }
      }
      if (options.all) (callback as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      else (callback as (e: null, a: string, f: number) => void)(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  return new Promise<PushResponse>((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const body = Buffer.from(p.body, 'utf8');
    const req = lib.request(url, {
      method: 'POST',
      headers: { ...p.headers, 'content-length': String(body.length) },
      agent: false,
      lookup,
    });
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number, reason: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(new PushError(reason)), ms);
    };
    const fail = (e: PushError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    arm(p.timeouts.connectMs, `không kết nối được tới điểm nhận trong ${p.timeouts.connectMs} ms`);
    // The body counts as sent only when all of it has been written to the socket ('finish'); the
    // answer's wait (headersMs) starts then, not at connect, so a large document on a slow link can
    // be delivered. While writing, each chunk the receiver takes re-arms the stall bound.
    let bodyWritten = false;
    let written = 0;
    const stalled = () => `điểm nhận ngừng nhận văn bản: không nhận thêm dữ liệu trong ${p.timeouts.headersMs} ms (đã gửi ${written}/${body.length} byte)`;
    const writeBody = () => {
      arm(p.timeouts.headersMs, stalled());
      let offset = 0;
      const pump = () => {
        while (offset < body.length) {
          if (settled) return;
          const chunk = body.subarray(offset, offset + UPLOAD_CHUNK_BYTES);
          offset += chunk.length;
          const more = req.write(chunk, (err) => {
            if (err || settled || bodyWritten || answered) return;
            written += chunk.length;
            arm(p.timeouts.headersMs, stalled());
          });
          if (!more) return void req.once('drain', pump);
        }
        if (!settled) req.end();
      };
      pump();
    };
    req.on('finish', () => {
      if (settled) return;
      bodyWritten = true;
      written = body.length;
      // An answer already being read keeps its own (body) timer.
      if (!answered) arm(p.timeouts.headersMs, `điểm nhận không trả lời trong ${p.timeouts.headersMs} ms sau khi nhận hết văn bản`);
    });
    let answered = false;
    let answeredStatus = 0;
    /** A 2xx that came before the receiver took the whole body proves nothing was delivered. */
    const early = (status: number) =>
      new PushError(`điểm nhận trả lời HTTP ${status} trước khi nhận hết văn bản (mới gửi được ${written}/${body.length} byte): chưa coi là đã gửi`, status);
    const acceptance = (status: number) => status >= 200 && status <= 299;
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (answered && !bodyWritten && acceptance(answeredStatus)) return fail(early(answeredStatus));
      if (refusedAddress) return fail(new PushError(`điểm nhận phân giải tới ${refusedAddress}`));
      fail(new PushError(describeSocketError(err)));
    });
    req.on('socket', (socket) => {
      const onConnect = () => {
        // The address really connected to, whatever resolved it: checked before a byte is sent.
        const remote = socket.remoteAddress ?? '';
        const why = addressRefusal(remote, p.allowPrivate);
        if (why) return fail(new PushError(`điểm nhận ở ${why}: bị từ chối${refusalAdvice(remote)}`));
        writeBody();
      };
      if (socket.connecting) socket.once('connect', onConnect);
      else onConnect();
    });
    req.on('response', (res) => {
      answered = true;
      const status = res.statusCode ?? 0;
      answeredStatus = status;
      const remoteAddress = res.socket?.remoteAddress ?? '';
      const chunks: Buffer[] = [];
      let size = 0;
      let finishing = false;
      const finish = (incomplete: boolean) => {
        if (settled || finishing) return;
        finishing = true;
        // A write completing in the same turn as the answer is still "with" it: decide once the
        // pending write callbacks (and 'finish') have run.
        setImmediate(() => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          // Whatever is left is never read: the socket goes, with anything still coming on it.
          res.destroy();
          req.destroy();
          // A refusal (4xx/5xx) before the end is still the receiver's answer, reported as such.
          if (!bodyWritten && acceptance(status)) return reject(early(status));
          const retryAfter = res.headers['retry-after'];
          resolve({ status, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks), incomplete, remoteAddress, retryAfter });
        });
      };
      if (status >= 300 && status < 400) {
        // A redirect is an answer, not an instruction: its body is not read and its target never contacted.
        const location = res.headers.location ?? '(không có Location)';
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        res.destroy();
        req.destroy();
        reject(new PushError(`điểm nhận chuyển hướng tới ${location}`, status));
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(() => finish(true), p.timeouts.bodyMs);
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = MAX_RESPONSE_BYTES - size;
        if (chunk.length >= room) {
          chunks.push(chunk.subarray(0, room));
          size += room;
          return finish(true);
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => finish(false));
      res.on('error', () => finish(true));
      res.on('aborted', () => finish(true));
    });
  });
}
