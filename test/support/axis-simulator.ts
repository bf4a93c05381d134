import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the national document exchange axis: a real HTTP server speaking the operations
 * the adapter uses (sendEdoc, getReceivedEdocList, getEdoc, updateStatus, getAgenciesListQD20),
 * checking every request's HMAC-SHA256 header signature with its own code — not the adapter's — so
 * a signing mistake in the adapter fails the tests. State is inspectable and can be changed by the
 * test: queue messages for the hub, rename agencies, go down.
 */

export interface SimMessage {
  docId: string;
  messageType: 'edoc' | 'status';
  from: string;
  to: string;
  edxml: Buffer;
  status: 'inbox' | 'processing' | 'done' | 'fail';
}

export interface SimSent {
  docId: string;
  systemId: string;
  from: string;
  to: string[];
  messageType: string;
  edxml: Buffer;
}

export interface SimAgency {
  id: string;
  code: string;
  code102: string | null;
  name: string;
  mail?: string;
}

export interface AxisSimulator {
  baseUrl: string;
  /** Messages waiting for (or handled by) a system, by the system id. */
  inbox: Map<string, SimMessage[]>;
  sent: SimSent[];
  statusUpdates: { systemId: string; docId: string; status: string }[];
  agencies: SimAgency[];
  /** Requests refused for their signature or system id. */
  authFailures: { operation: string; reason: string }[];
  calls: string[];
  /** While true every request answers 503. */
  down: boolean;
  /** Queues a message for a system as if another system had sent it; returns its axis id. */
  queue(systemId: string, edxml: string | Buffer, opts: { from: string; to: string; messageType?: 'edoc' | 'status' }): string;
  close(): Promise<void>;
}

const PREFIX = 'xroadvnpt-';

export async function startAxisSimulator(systems: Record<string, string>): Promise<AxisSimulator> {
  const sim: Omit<AxisSimulator, 'baseUrl' | 'close'> = {
    inbox: new Map(),
    sent: [],
    statusUpdates: [],
    agencies: [],
    authFailures: [],
    calls: [],
    down: false,
    queue(systemId, edxml, opts) {
      const docId = randomUUID();
      const list = sim.inbox.get(systemId) ?? [];
      list.push({ docId, messageType: opts.messageType ?? 'edoc', from: opts.from, to: opts.to, edxml: Buffer.isBuffer(edxml) ? edxml : Buffer.from(edxml, 'utf8'), status: 'inbox' });
      sim.inbox.set(systemId, list);
      return docId;
    },
  };

  const answer = (res: ServerResponse, status: number, body: Record<string, unknown>) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const ok = (res: ServerResponse, extra: Record<string, unknown> = {}) => answer(res, 200, { status: 'OK', ErrorCode: '0', ErrorDesc: 'Success', ...extra });
  const fail = (res: ServerResponse, code: string, desc: string) => answer(res, 200, { status: 'FAIL', ErrorCode: code, ErrorDesc: desc });

  /** The signed parameters, or a reason the request is refused. */
  const verify = (req: IncomingMessage): { params: Map<string, string>; systemId: string } | { reason: string } => {
    const h = (name: string) => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    const keys = h(`${PREFIX}sign-header-key`);
    const json = h(`${PREFIX}sign-header`);
    const hash = h(`${PREFIX}hash-header`);
    if (!keys || !json || !hash) return { reason: 'missing signature headers' };
    let signed: Record<string, string>;
    try {
      signed = JSON.parse(json) as Record<string, string>;
    } catch {
      return { reason: 'sign-header is not JSON' };
    }
    const names = keys.split(';');
    const params = new Map<string, string>();
    for (const n of names) {
      const value = signed[`XroadVnpt-${n}`];
      if (value === undefined || h(`${PREFIX}${n}`) !== value) return { reason: `header ${n} does not match the signed set` };
      params.set(n.toLowerCase(), value);
    }
    if (Object.keys(signed).length !== names.length) return { reason: 'sign-header and sign-header-key disagree' };
    const systemId = params.get('systemid');
    const secret = systemId ? systems[systemId] : undefined;
    if (!systemId || secret === undefined) return { reason: `unknown system ${systemId ?? '(none)'}` };
    const expected = createHmac('sha256', secret).update(json, 'utf8').digest();
    const given = Buffer.from(hash, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { reason: 'bad signature' };
    const ts = params.get('timestamp') ?? '';
    if (!/^\d{8}T\d{6}\+\d{4}$/.test(ts)) return { reason: `timestamp ${ts} is not ddMMyyyyTHHmmss+SSSS` };
    return { params, systemId };
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = (req.url ?? '').replace(/^\/+/, '').split('?')[0] ?? '';
      sim.calls.push(operation);
      if (sim.down) return answer(res, 503, { status: 'FAIL', ErrorCode: '503', ErrorDesc: 'Service unavailable' });
      if (req.method !== 'POST') return answer(res, 405, { status: 'FAIL', ErrorCode: '405', ErrorDesc: 'POST only' });
      const v = verify(req);
      if ('reason' in v) {
        sim.authFailures.push({ operation, reason: v.reason });
        return answer(res, 401, { status: 'FAIL', ErrorCode: '401', ErrorDesc: `Xác thực thất bại: ${v.reason}` });
      }
      const { params, systemId } = v;
      const mine = sim.inbox.get(systemId) ?? [];
      switch (operation) {
        case 'getReceivedEdocList': {
          const type = params.get('messagetype') ?? 'edoc';
          const data = mine
            .filter((m) => m.messageType === type && (m.status === 'inbox' || m.status === 'processing'))
            .map((m) => ({ docId: m.docId, from: m.from, to: m.to, messageType: m.messageType, serviceType: 'eDoc', status: m.status, created_time: new Date().toISOString() }));
          return ok(res, { data });
        }
        case 'getEdoc': {
          const m = mine.find((x) => x.docId === params.get('docid'));
          return m ? ok(res, { data: m.edxml.toString('base64') }) : fail(res, '404', 'Không tìm thấy văn bản');
        }
        case 'updateStatus': {
          const m = mine.find((x) => x.docId === params.get('docid'));
          const status = params.get('status') ?? '';
          if (!m) return fail(res, '404', 'Không tìm thấy văn bản');
          if (!['processing', 'done', 'fail'].includes(status)) return fail(res, '400', `Trạng thái không hợp lệ: ${status}`);
          m.status = status as SimMessage['status'];
          sim.statusUpdates.push({ systemId, docId: m.docId, status });
          return ok(res);
        }
        case 'sendEdoc': {
          const body = Buffer.concat(chunks);
          if (createHash('sha256').update(body).digest('hex') !== params.get('hash-file')) return fail(res, '400', 'hash-file không khớp nội dung');
          let to: string[];
          try {
            to = JSON.parse(params.get('to') ?? '[]') as string[];
          } catch {
            return fail(res, '400', 'to không phải JSON');
          }
          const docId = randomUUID();
          sim.sent.push({ docId, systemId, from: params.get('from') ?? '', to, messageType: params.get('messagetype') ?? 'edoc', edxml: body });
          return ok(res, { DocId: docId });
        }
        case 'getAgenciesListQD20':
          return ok(res, { data: sim.agencies.map((a) => ({ ...a })) });
        default:
          return answer(res, 404, { status: 'FAIL', ErrorCode: '404', ErrorDesc: `Không có thao tác ${operation}` });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(sim, {
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  });
}
