import type { Db } from '../../services/db/pool';
import { fuzzInput, type FuzzInput, type FuzzSeeds } from './fuzz-inputs';
import type { GatewayProcess } from './gateway-process';

export interface FuzzSample {
  index: number;
  family: FuzzInput['family'];
  status: number | string;
  body: string;
}

export interface FuzzReport {
  inputs: number;
  byStatus: Record<string, number>;
  byFamily: Record<string, number>;
  /** Ids of the inputs the gateway accepted (a mutation may leave a request valid). */
  accepted: string[];
  serverErrors: number;
  /** X-Request-Id of every 5xx, to find its log line. */
  serverErrorRequestIds: string[];
  /** 4xx answers without an `error.code`, or answers that are not the error JSON. */
  withoutErrorCode: number;
  /** Requests the connection dropped without an answer. */
  networkErrors: number;
  crashes: number;
  maxRssMb: number;
  samples: FuzzSample[];
}

/** Sends one request and classifies the answer into `report`. */
export async function sendAndTally(gw: GatewayProcess, apiKey: string, input: FuzzInput, index: number, report: FuzzReport): Promise<void> {
  report.inputs++;
  report.byFamily[input.family] = (report.byFamily[input.family] ?? 0) + 1;
  let status: number;
  let text: string;
  let requestId = '';
  try {
    const res = await fetch(`${gw.baseUrl}${input.path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': input.contentType },
      body: input.body,
      signal: AbortSignal.timeout(30_000),
    });
    status = res.status;
    requestId = res.headers.get('x-request-id') ?? '';
    text = await res.text();
  } catch (err) {
    report.networkErrors++;
    if (report.samples.length < 20) report.samples.push({ index, family: input.family, status: `network: ${(err as Error).message}`, body: '' });
    return;
  }
  report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
  if (status === 202 || status === 200) {
    const id = (JSON.parse(text) as { id?: string }).id;
    if (id) report.accepted.push(id);
    return;
  }
  let code: unknown;
  try {
    code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
  } catch {
    code = undefined;
  }
  const bad = status >= 500 || typeof code !== 'string';
  if (status >= 500) {
    report.serverErrors++;
    report.serverErrorRequestIds.push(requestId);
  }
  else if (typeof code !== 'string') report.withoutErrorCode++;
  if (bad && report.samples.length < 20) report.samples.push({ index, family: input.family, status, body: text.slice(0, 300) });
}

export function emptyReport(): FuzzReport {
  return { inputs: 0, byStatus: {}, byFamily: {}, accepted: [], serverErrors: 0, serverErrorRequestIds: [], withoutErrorCode: 0, networkErrors: 0, crashes: 0, maxRssMb: 0, samples: [] };
}

/**
 * `count` mutated requests (deterministic in `seed`) against a running gateway process, `concurrency`
 * at a time, sampling its RSS. Stops early if the process dies: that is the finding.
 */
export async function runFuzz(gw: GatewayProcess, apiKey: string, seeds: FuzzSeeds, opts: { seed: number; count: number; concurrency?: number }): Promise<FuzzReport> {
  const report = emptyReport();
  const sampler = setInterval(() => (report.maxRssMb = Math.max(report.maxRssMb, gw.rssMb())), 200);
  let next = 0;
  const lane = async () => {
    while (next < opts.count && gw.alive()) {
      const i = next++;
      await sendAndTally(gw, apiKey, fuzzInput(seeds, opts.seed, i), i, report);
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency ?? 6 }, lane));
  } finally {
    clearInterval(sampler);
  }
  report.maxRssMb = Math.max(report.maxRssMb, gw.rssMb());
  if (!gw.alive()) report.crashes++;
  return report;
}

export interface Leftovers {
  /** Documents of the sender that no accepted request created. */
  strayDocuments: number;
  /** Blobs no document file refers to. */
  orphanBlobs: number;
  /** Outbox rows pointing at no document. */
  orphanOutbox: number;
}

/** What rejected requests may have left behind: all three must not grow. */
export async function leftovers(db: Db, senderCode: string, acceptedIds: string[]): Promise<Leftovers> {
  const r = await db.query(
    `SELECT (SELECT count(*)::int FROM documents WHERE sender_code = $1 AND NOT (id = ANY($2::uuid[]))) AS "strayDocuments",
            (SELECT count(*)::int FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM document_files f WHERE f.blob_sha256 = b.sha256)) AS "orphanBlobs",
            (SELECT count(*)::int FROM outbox o WHERE o.payload ? 'documentId'
               AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.id::text = o.payload->>'documentId')) AS "orphanOutbox"`,
    [senderCode, acceptedIds],
  );
  return r.rows[0] as Leftovers;
}

/** An open product finding (RELIABILITY.md § Known open findings) recognised by its log line. */
export interface KnownFinding {
  id: string;
  logPattern: RegExp;
}

/** Known open findings; remove an entry when its fix lands, and the fuzz tests hold the line. */
// F1 (a multipart part without a field name answered 500) is fixed: every MulterError is a 400 now.
export const KNOWN_FINDINGS: KnownFinding[] = [];

/** Splits the 5xx answers into known open findings (by their log line) and new ones. */
export function classifyServerErrors(report: FuzzReport, gatewayLog: string, known = KNOWN_FINDINGS): { known: Record<string, number>; unknown: string[] } {
  const lines = gatewayLog.split('\n');
  const out: { known: Record<string, number>; unknown: string[] } = { known: {}, unknown: [] };
  for (const id of report.serverErrorRequestIds) {
    const line = lines.find((l) => id && l.includes(id) && l.includes('request failed')) ?? '';
    const hit = known.find((k) => k.logPattern.test(line));
    if (hit) out.known[hit.id] = (out.known[hit.id] ?? 0) + 1;
    else out.unknown.push(line.slice(0, 500) || `request ${id}: no log line`);
  }
  return out;
}
