/**
 * The load generator: a separate process (forked by main.ts) that drives the gateway over HTTP
 * exactly as an agency system would, and learns of deliveries from PostgreSQL NOTIFY.
 * Commands arrive over IPC ({seq, command}); each answer is {seq, result} or {seq, error}.
 */
import fs from 'node:fs';
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

function requestFor(kind: Kind): { body: FormData | string; json: boolean; recipients: number } {
  const metadata = metadataOf(kind, setup);
  if (kind === 'body1x5') return { body: JSON.stringify({ metadata, body: sampleBody() }), json: true, recipients: 5 };
  const form = new FormData();
  form.append('metadata', JSON.stringify(metadata));
  form.append('file', new Blob([kind === 'pdf1x5' ? pdf1 : pdf20], { type: 'application/pdf' }), 'van-ban.pdf');
  return { body: form, json: false, recipients: kind === 'pdf20x50' ? 50 : 5 };
}

async function post(body: FormData | string, json: boolean): Promise<{ status: number; id: string | null; text: string }> {
  const res = await fetch(`${setup.baseUrl}/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sender().apiKey}`, ...(json ? { 'content-type': 'application/json' } : {}) },
    body,
  });
  const text = await res.text();
  let id: string | null = null;
  try {
    id = res.status === 202 ? (JSON.parse(text).id as string) : null;
  } catch {
    // not JSON: recorded as an error below
  }
  return { status: res.status, id, text };
}

/** POST, then wait for the last recipient; latency counts from `tSend` (the intended send time). */
async function submit(kind: DocRecord['kind'], req: { body: FormData | string; json: boolean; recipients: number }, tSend = nowMs()): Promise<DocRecord> {
  const rec: DocRecord = { kind, id: null, tSend, tAccepted: null, tDone: null, httpStatus: 0 };
  try {
    const r = await post(req.body, req.json);
    rec.httpStatus = r.status;
    rec.tAccepted = nowMs();
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
          res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${sender().apiKey}` }, body: r.body });
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
    case 'big': {
      const form = new FormData();
      form.append('metadata', JSON.stringify(metadataFor(setup.five, { issuedOn: '2026-11-28' })));
      form.append('file', new Blob([fs.readFileSync(c.file)], { type: 'application/pdf' }), 'ban-scan.pdf');
      return submit('big', { body: form, json: false, recipients: 5 });
    }
    case 'httpRate':
      return httpRate(c.target, c.url, c.concurrency, c.durationMs);
  }
}

function requestFor500() {
  const form = new FormData();
  form.append('metadata', JSON.stringify(metadataFor([`group:${setup.group500}`], { issuedOn: '2026-11-28', urgency: 'flash' })));
  form.append('file', new Blob([pdf1], { type: 'application/pdf' }), 'thong-bao.pdf');
  return { body: form, json: false, recipients: 500 };
}

process.on('message', (m: { seq: number; command: LoadgenCommand }) => {
  run(m.command).then(
    (result) => process.send!({ seq: m.seq, result }),
    (err: Error) => process.send!({ seq: m.seq, error: err.stack ?? err.message }),
  );
});
process.on('disconnect', () => void tracker?.stop().finally(() => process.exit(0)));
