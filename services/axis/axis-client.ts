import { createHash, createHmac } from 'node:crypto';
import type { Config } from '../config/config';

/**
 * The national document exchange axis (Trục liên thông văn bản quốc gia), as its Java SDK
 * ("SDKVXP", package com.vpcp.services, version 2.0.1) speaks to it. Every wire detail lives in this
 * one file, so a change on the axis's side touches nothing else:
 *
 * - One POST per operation to `<base URL>/<operation>`: sendEdoc, getReceivedEdocList, getEdoc,
 *   updateStatus, getAgenciesListQD20.
 * - Operation parameters travel as HTTP headers, never in the body. Every parameter `name` — the
 *   SDK's own `systemid`, `timestamp` (ddMMyyyy'T'HHmmss+SSSS) and `Content-Type` included — is sent
 *   as `XroadVnpt-<name>`, and the request is signed: `XroadVnpt-sign-header-key` lists the names
 *   (`;`-separated), `XroadVnpt-sign-header` is the JSON object {"XroadVnpt-<name>": value, …} in the
 *   same order, and `XroadVnpt-hash-header` is the hex HMAC-SHA256 of that JSON under the system's
 *   secret. `XroadVnpt-version` names the protocol version.
 * - sendEdoc carries the edXML file as the body (application/octet-stream) with `hash-file`, the
 *   SHA-256 of the file in hex, among the signed parameters.
 * - Answers are JSON `{status: "OK"|"FAIL", ErrorCode: "0"|…, ErrorDesc, data?, DocId?}`; getEdoc's
 *   `data` is the edXML in base64.
 *
 * Statuses of a received message (updateStatus): `processing`, `done`, `fail`.
 */

export interface AxisSettings {
  baseUrl: string;
  systemId: string;
  secret: string;
  pollMs: number;
  syncMs: number;
  /** One request's time budget. */
  timeoutMs: number;
}

const PROTOCOL_VERSION = '3.0.201608';
const USER_AGENT = 'LienThong/1.0 XRoad/VPCP';
const HEADER_PREFIX = 'XroadVnpt-';
const DEFAULT_TIMEOUT_MS = 30_000;

/** The adapter's configuration, or undefined when the axis is not configured (LIENTHONG_AXIS_URL unset). */
export function axisSettings(config: Pick<Config, 'LIENTHONG_AXIS_URL' | 'LIENTHONG_AXIS_SYSTEM_ID' | 'LIENTHONG_AXIS_SECRET' | 'LIENTHONG_AXIS_POLL_MS' | 'LIENTHONG_AXIS_SYNC_MS'>): AxisSettings | undefined {
  if (!config.LIENTHONG_AXIS_URL) return undefined;
  if (!config.LIENTHONG_AXIS_SYSTEM_ID || !config.LIENTHONG_AXIS_SECRET) {
    throw new Error('LIENTHONG_AXIS_URL is set but LIENTHONG_AXIS_SYSTEM_ID or LIENTHONG_AXIS_SECRET is missing: the axis needs the system id and secret it issued to this hub.');
  }
  return {
    baseUrl: config.LIENTHONG_AXIS_URL.replace(/\/+$/, ''),
    systemId: config.LIENTHONG_AXIS_SYSTEM_ID,
    secret: config.LIENTHONG_AXIS_SECRET,
    pollMs: config.LIENTHONG_AXIS_POLL_MS,
    syncMs: config.LIENTHONG_AXIS_SYNC_MS,
    timeoutMs: DEFAULT_TIMEOUT_MS,
  };
}

/** `auth`: the axis refused our system id or signature; `unavailable`: it could not be reached or failed; `refused`: it answered FAIL. */
export type AxisErrorKind = 'auth' | 'unavailable' | 'refused' | 'protocol';

export class AxisError extends Error {
  override readonly name = 'AxisError';
  constructor(
    readonly kind: AxisErrorKind,
    readonly operation: string,
    message: string,
    readonly httpStatus?: number,
    readonly axisCode?: string,
  ) {
    super(message);
  }
}

export type AxisMessageType = 'edoc' | 'status';
export type AxisProcessingStatus = 'processing' | 'done' | 'fail';

/** One entry of getReceivedEdocList. */
export interface AxisReceived {
  docId: string;
  messageType: AxisMessageType;
  from: string | null;
  to: string | null;
  createdTime: string | null;
  status: string | null;
}

/** One agency of getAgenciesListQD20: its Decision-20 code and, when it has one, its QCVN 102 identifier. */
export interface AxisAgency {
  id: string | null;
  code: string;
  code102: string | null;
  name: string;
  mail: string | null;
}

/** The timestamp the SDK sends: ddMMyyyy'T'HHmmss+SSSS in the hub's clock (Vietnam time). */
export function axisTimestamp(at: Date = new Date()): string {
  const vn = new Date(at.getTime() + 7 * 3600_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(vn.getUTCDate())}${p(vn.getUTCMonth() + 1)}${vn.getUTCFullYear()}T${p(vn.getUTCHours())}${p(vn.getUTCMinutes())}${p(vn.getUTCSeconds())}+${p(vn.getUTCMilliseconds(), 4)}`;
}

/** The signed header set of one request (exported for the tests' simulator to check against). */
export function signedHeaders(secret: string, params: [string, string][]): Record<string, string> {
  const names = params.map(([n]) => n);
  const signed: Record<string, string> = {};
  for (const [n, v] of params) signed[`${HEADER_PREFIX}${n}`] = v;
  const json = JSON.stringify(signed);
  const out: Record<string, string> = { ...signed };
  out[`${HEADER_PREFIX}sign-header-key`] = names.join(';');
  out[`${HEADER_PREFIX}sign-header`] = json;
  out[`${HEADER_PREFIX}hash-header`] = createHmac('sha256', Buffer.from(secret, 'utf8')).update(json, 'utf8').digest('hex');
  out[`${HEADER_PREFIX}version`] = PROTOCOL_VERSION;
  return out;
}

interface AxisAnswer {
  status?: string;
  ErrorCode?: string | number;
  ErrorDesc?: string;
  data?: unknown;
  DocId?: string;
}

export class AxisClient {
  constructor(private readonly s: AxisSettings, private readonly now: () => Date = () => new Date()) {}

  get systemId(): string {
    return this.s.systemId;
  }

  /** sendEdoc: an edXML envelope (a document or a status message) to the axis; the axis's id for it. */
  async sendEnvelope(edxml: string | Buffer, opts: { from: string; to: string[]; messageType: AxisMessageType }): Promise<string> {
    const body = Buffer.isBuffer(edxml) ? edxml : Buffer.from(edxml, 'utf8');
    const answer = await this.call('sendEdoc', [
      ['from', opts.from],
      ['to', JSON.stringify(opts.to)],
      ['servicetype', 'eDoc'],
      ['messagetype', opts.messageType],
      ['hash-file', createHash('sha256').update(body).digest('hex')],
    ], { contentType: 'application/octet-stream', body });
    if (typeof answer.DocId !== 'string' || !answer.DocId) throw new AxisError('protocol', 'sendEdoc', 'trục không trả về DocId cho gói đã gửi');
    return answer.DocId;
  }

  /** getReceivedEdocList: documents (`edoc`) or status messages (`status`) waiting for this hub. */
  async listReceived(messageType: AxisMessageType): Promise<AxisReceived[]> {
    const answer = await this.call('getReceivedEdocList', [['servicetype', 'eDoc'], ['messagetype', messageType]]);
    const rows = Array.isArray(answer.data) ? (answer.data as Record<string, unknown>[]) : [];
    return rows
      .filter((r) => typeof r.docId === 'string' && r.docId !== '')
      .map((r) => ({
        docId: r.docId as string,
        messageType: r.messageType === 'status' ? 'status' : messageType,
        from: text(r.from),
        to: text(r.to),
        createdTime: text(r.created_time),
        status: text(r.status),
      }));
  }

  /** getEdoc: one message's edXML. */
  async getEnvelope(docId: string): Promise<Buffer> {
    const answer = await this.call('getEdoc', [['docId', docId]]);
    if (typeof answer.data !== 'string') throw new AxisError('protocol', 'getEdoc', `trục không trả về nội dung của gói ${docId}`);
    return Buffer.from(answer.data, 'base64');
  }

  /** updateStatus: how this hub handled a received message (processing / done / fail). */
  async updateStatus(docId: string, status: AxisProcessingStatus): Promise<void> {
    await this.call('updateStatus', [['status', status], ['docId', docId]]);
  }

  /** getAgenciesListQD20: the axis's directory with both code forms. */
  async listAgencies(): Promise<AxisAgency[]> {
    const answer = await this.call('getAgenciesListQD20', []);
    const rows = Array.isArray(answer.data) ? (answer.data as Record<string, unknown>[]) : [];
    return rows
      .filter((r) => typeof r.code === 'string' && typeof r.name === 'string')
      .map((r) => ({ id: text(r.id), code: (r.code as string).trim(), code102: text(r.code102)?.trim() || null, name: (r.name as string).trim(), mail: text(r.mail) }));
  }

  private async call(operation: string, params: [string, string][], send?: { contentType: string; body: Buffer }): Promise<AxisAnswer> {
    const contentType = send?.contentType ?? 'application/json';
    const headers = signedHeaders(this.s.secret, [['systemid', this.s.systemId], ['timestamp', axisTimestamp(this.now())], ['Content-Type', contentType], ...params]);
    headers['content-type'] = contentType;
    headers['user-agent'] = USER_AGENT;
    headers.accept = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.s.baseUrl}/${operation}`, { method: 'POST', headers, body: send?.body ?? '', redirect: 'manual', signal: AbortSignal.timeout(this.s.timeoutMs) });
    } catch (err) {
      throw new AxisError('unavailable', operation, `không kết nối được trục liên thông (${operation}): ${(err as Error).message}`);
    }
    const raw = await res.text();
    let answer: AxisAnswer | undefined;
    try {
      answer = JSON.parse(raw) as AxisAnswer;
    } catch {
      answer = undefined;
    }
    const desc = answer?.ErrorDesc ? `: ${answer.ErrorDesc}` : '';
    if (res.status === 401 || res.status === 403) {
      throw new AxisError(
        'auth', operation,
        `trục liên thông từ chối xác thực hệ thống ${this.s.systemId} (HTTP ${res.status}${desc}); kiểm tra LIENTHONG_AXIS_SYSTEM_ID và LIENTHONG_AXIS_SECRET`,
        res.status, answer?.ErrorCode === undefined ? undefined : String(answer.ErrorCode),
      );
    }
    if (res.status >= 300) throw new AxisError('unavailable', operation, `trục liên thông trả lời HTTP ${res.status} cho ${operation}${desc}`, res.status);
    if (!answer || typeof answer !== 'object') throw new AxisError('protocol', operation, `trục liên thông trả lời ${operation} không phải JSON`, res.status);
    const code = answer.ErrorCode === undefined ? '0' : String(answer.ErrorCode);
    if (answer.status !== 'OK' || code !== '0') {
      throw new AxisError('refused', operation, `trục liên thông từ chối ${operation} (mã ${code}${desc})`, res.status, code);
    }
    return answer;
  }
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}
