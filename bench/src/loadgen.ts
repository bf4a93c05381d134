/**
 * The load generator: a separate process (forked by main.ts) that drives the gateway over HTTP
 * exactly as an agency system would, and learns of deliveries from PostgreSQL NOTIFY.
 * Commands arrive over IPC ({seq, command}); each answer is {seq, result} or {seq, error}.
 */
import fs from 'node:fs';
import http from 'node:http';
import { DeliveryTracker, nowMs } from './delivery-tracker';
import type { ClosedResult, DocRecord, HttpRateResult, LoadgenCommand, LoadgenSetup } from './loadgen-protocol';
import { type Kind, makePdf, metadataFor, metadataOf, sampleBody } from './payloads';

const DOC_TIMEOUT_MS = 180_000;
let setup: LoadgenSetup;
let tracker: DeliveryTracker;
let pdf1: Buffer;
let pdf20: Buffer;
let nextSender = 0;

function sender() {
  // Round robin: one agency's number register and per-key rate limit must not be the bottleneck.
  return setup.senders[nextSender++ % setup.senders.length]!;
}

/** A request body ready to send: multipart bytes encoded once per kind, or the JSON of a rendered body. */
interface PreparedRequest {
  body: Buffer;
  contentType: string;
  recipients: number;
}

const BOUNDARY = 'lienthong-bench-7d1f0c2a9e';
const prepared = new Map<Kind, PreparedRequest>();

/**
 * The bodies are the same for every document of a kind (the numbers come from the registers), so
 * each is encoded once: the load generator shares the machine with the service, and encoding a
 * FormData per request cost it ~2 ms of CPU per document that the service then could not use.
 */
function requestFor(kind: Kind): PreparedRequest {
  let req = prepared.get(kind);
  if (req) return req;
  const metadata = metadataOf(kind, setup);
  req =
    kind === 'body1x5'
      ? { body: Buffer.from(JSON.stringify({ metadata, body: sampleBody() })), contentType: 'application/json', recipients: 5 }
      : multipart(metadata, kind === 'pdf1x5' ? pdf1 : pdf20, 'van-ban.pdf', kind === 'pdf20x50' ? 50 : 5);
  prepared.set(kind, req);
  return req;
}

function multipart(metadata: unknown, pdf: Buffer, fileName: string, recipients: number): PreparedRequest {
  const part = (headers: string) => Buffer.from(`--${BOUNDARY}\r\n${headers}\r\n\r\n`);
  const body = Buffer.concat([
    part('Content-Disposition: form-data; name="metadata"'),
    Buffer.from(JSON.stringify(metadata)),
    Buffer.from('\r\n'),
    part(`Content-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/pdf`),
    pdf,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${BOUNDARY}`, recipients };
}

// Keep-alive connections, as an agency system posting many documents would hold.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function post(req: PreparedRequest): Promise<{ status: number; id: string | null; text: string; retryAfter: string | null }> {
  const url = new URL(`${setup.baseUrl}/v1/documents`);
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${sender().apiKey}`, 'content-type': req.contentType, 'content-length': req.body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let id: string | null = null;
          try {
            id = res.statusCode === 202 ? (JSON.parse(text).id as string) : null;
          } catch {
            // not JSON: recorded as an error by the caller
          }
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, id, text, retryAfter: typeof retryAfter === 'string' ? retryAfter : null });
        });
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** POST, then wait for the last recipient; latency counts from `tSend` (the intended send time). */
async function submit(kind: DocRecord['kind'], req: PreparedRequest, tSend = nowMs()): Promise<DocRecord> {
  const rec: DocRecord = { kind, id: null, tSend, tAccepted: null, tDone: null, httpStatus: 0 };
  try {
    const r = await post(req);
    rec.httpStatus = r.status;
    rec.tAccepted = nowMs();
    if (r.retryAfter) rec.retryAfter = r.retryAfter;
    if (!r.id) {
      rec.error = `HTTP ${r.status}: ${r.text.slice(0, 300)}`;
      return rec;
    }
    rec.id = r.id;
    const done = await tracker.waitFor(r.id, req.recipients, DOC_TIMEOUT_MS);
    rec.tDone = done.at;
    if (done.failed) rec.error = `${done.failed} deliveries failed`;
  } catch (err) {
    rec.error = (err as Error).message;
  }
  return rec;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function closed(kinds: Kind[], inflight: number, warmupMs: number, durationMs: number): Promise<ClosedResult> {
  const windowFrom = nowMs() + warmupMs;
  const windowTo = windowFrom + durationMs;
  const records: DocRecord[] = [];
  let n = 0;
  const lane = async () => {
    while (nowMs() < windowTo) {
      const kind = kinds[n++ % kinds.length]!;
      records.push(await submit(kind, requestFor(kind)));
    }
  };
  await Promise.all(Array.from({ length: inflight }, lane));
  const inWindow = records.filter((r) => r.tDone !== null && !r.error && r.tDone >= windowFrom && r.tDone < windowTo).length;
  return { records, docsPerSec: inWindow / (durationMs / 1000), windowFrom, windowTo };
}

/** Open loop: arrivals on a fixed schedule whatever the system does (no coordinated omission). */
async function open(kinds: Kind[], rate: number, durationMs: number): Promise<DocRecord[]> {
  const t0 = nowMs() + 50;
  const total = Math.max(1, Math.floor((rate * durationMs) / 1000));
  const pending: Promise<DocRecord>[] = [];
  for (let i = 0; i < total; i++) {
    const at = t0 + (i * 1000) / rate;
    await sleep(at - nowMs());
    const kind = kinds[i % kinds.length]!;
    pending.push(submit(kind, requestFor(kind), at));
  }
  return Promise.all(pending);
}

async function httpRate(target: 'bare' | 'accept', url: string, concurrency: number, durationMs: number): Promise<HttpRateResult> {
  const end = nowMs() + durationMs;
  const statuses: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  const small = JSON.stringify({ documentId: '00000000-0000-0000-0000-000000000000', note: 'ping' });
  const lane = async () => {
    while (nowMs() < end) {
      try {
        let res: Response;
        if (target === 'bare') {
          res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: small });
        } else {
          const r = requestFor('pdf1x5');
          res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${sender().apiKey}`, 'content-type': r.contentType }, body: r.body });
        }
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status === 202) ok++;
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  const started = nowMs();
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { ok, errors, statuses, perSec: ok / ((nowMs() - started) / 1000) };
}

async function run(c: LoadgenCommand): Promise<unknown> {
  switch (c.cmd) {
    case 'setup':
      setup = c.setup;
      tracker = new DeliveryTracker(setup.databaseUrl);
      await tracker.start();
      [pdf1, pdf20] = await Promise.all([makePdf(1), makePdf(20)]);
      return { pdf1Bytes: pdf1.length, pdf20Bytes: pdf20.length };
    case 'probeBody':
      return submit('body1x5', requestFor('body1x5'));
    case 'sequential': {
      const out: DocRecord[] = [];
      for (let i = 0; i < c.count; i++) {
        out.push(await submit(c.kind, requestFor(c.kind)));
        await sleep(c.gapMs);
      }
      return out;
    }
    case 'closed':
      return closed(c.kinds, c.inflight, c.warmupMs, c.durationMs);
    case 'open':
      return open(c.kinds, c.rate, c.durationMs);
    case 'fanout':
      return submit('fanout500', requestFor500());
    case 'big':
      return submit('big', multipart(metadataFor(setup.five, { issuedOn: '2026-11-28' }), fs.readFileSync(c.file), 'ban-scan.pdf', 5));
    case 'httpRate':
      return httpRate(c.target, c.url, c.concurrency, c.durationMs);
  }
}

function requestFor500(): PreparedRequest {
  return multipart(metadataFor([`group:${setup.group500}`], { issuedOn: '2026-11-28', urgency: 'flash' }), pdf1, 'thong-bao.pdf', 500);
}

process.on('message', (m: { seq: number; command: LoadgenCommand }) => {
  run(m.command).then(
    (result) => process.send!({ seq: m.seq, result }),
    (err: Error) => process.send!({ seq: m.seq, error: err.stack ?? err.message }),
  );
});
process.on('disconnect', () => void tracker?.stop().finally(() => process.exit(0)));
