/* eslint-disable no-console -- the harness reports to the person at the terminal. */
/**
 * Signing rate per PAdES level (issue 21): B-T, B-LT and B-LTA signed the way the sign stage
 * does it — a dev-CA agency certificate naming a CRL and an OCSP service, an RFC 3161 TSA over
 * HTTP, validation data from the PostgreSQL revocation cache — interleaved round by round so a
 * noisy neighbour hurts all three alike. `ratios.bltVsBt` (target ≥ 0.8 with revocation data
 * cached) and `ratios.bltaVsBt` are medians of the per-round ratios.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { startEmbeddedStack } from '../../infra/embedded/embedded-stack';
import { projectRoot } from '../../services/config/project-root';
import { migrate } from '../../services/db/migrator';
import { createDevCa, issueAgencyCertificate, issueTsaCertificate } from '../../services/pki/dev-ca';
import { buildCrl } from '../../services/pki/revocation/crl';
import { buildOcspResponse, decodeOcspRequest } from '../../services/pki/revocation/ocsp';
import { dbRevocationCache } from '../../services/pki/revocation/revocation-store';
import { augmentSignature, type LtvContext } from '../../services/signing/ltv/signature-levels';
import { ValidationDataCollector } from '../../services/signing/ltv/validation-data';
import { loadSigningIdentity, signPdfDetailed } from '../../services/signing/pades-signer';
import { createTsaServer } from '../../services/tsa/tsa-server';
import { opsPerSec } from './microbench';
import { classicOnePagePdf } from './payloads';
import { planFromEnv } from './plan';
import { printReport, target, writeJson, type Target } from './report';
import { median, round, spread } from './stats';

export interface LevelsResult {
  btPerSec: number;
  bltPerSec: number;
  bltaPerSec: number;
  bltVsBt: number;
  bltaVsBt: number;
  rounds: { bt: number[]; blt: number[]; blta: number[] };
  ratioSpread: { min: number | null; max: number | null };
  /** CRL and OCSP requests that reached the services during the measurement (the rest came from the cache). */
  revocationRequests: { crl: number; ocsp: number };
  signedBytes: { bt: number; blt: number; blta: number };
}

async function listen(server: http.Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function signingLevels(pdf: Buffer, databaseUrl: string, rounds: number, ms: number): Promise<LevelsResult> {
  const ca = createDevCa({ commonName: 'Liên Thông bench CA' });
  const requests = { crl: 0, ocsp: 0 };
  const revocation = http.createServer((req, res) => {
    if (req.method === 'GET') {
      requests.crl++;
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      res.end(buildCrl(ca, [], now, new Date(now.getTime() + 60_000), requests.crl));
      return;
    }
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      requests.ocsp++;
      const ids = decodeOcspRequest(Buffer.concat(body));
      res.end(buildOcspResponse(ca, ids.map((id) => ({ id, status: { status: 'good' as const } })), new Date(), 60_000));
    });
  });
  const base = await listen(revocation);
  const urls = { crlUrl: `${base}/ca.crl`, ocspUrl: `${base}/ocsp` };
  const agency = issueAgencyCertificate(ca, { agencyCode: 'BENCH.SIGN', agencyName: 'Cơ quan đo hiệu năng' }, { revocation: urls });
  const tsaCert = issueTsaCertificate(ca, { revocation: urls });
  const tsaServer = createTsaServer({ keyPem: tsaCert.keyPem, certPem: tsaCert.certPem + ca.certPem });
  const tsa = { url: `${await listen(tsaServer)}/tsa` };
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const identity = loadSigningIdentity(agency.keyPem, agency.certPem, [ca.certPem]);
    const ctx: LtvContext = { collector: new ValidationDataCollector({ cache: dbRevocationCache(db) }), anchors: [], tsa };
    const opts = { signingTime: new Date(), reason: '15/CT-UBND', location: 'Đắk Lắk', timestamp: tsa };
    const sizes = { bt: 0, blt: 0, blta: 0 };
    const bt = async () => { sizes.bt = (await signPdfDetailed(pdf, identity, opts)).pdf.length; };
    const level = (l: 'B-LT' | 'B-LTA') => async () => {
      const s = await signPdfDetailed(pdf, identity, opts);
      const up = await augmentSignature({ bytes: s.pdf, ...(s.next ? { target: s.next } : {}) }, s.cms, l, ctx);
      if (up.level !== l) throw new Error(`signed ${up.level} instead of ${l}: ${up.note ?? ''}`);
      const n = 'bytes' in up.src ? up.src.bytes.length : 0;
      if (l === 'B-LT') sizes.blt = n; else sizes.blta = n;
    };
    await level('B-LTA')(); // fills the cache, as the first signature of the minute does in service
    requests.crl = 0;
    requests.ocsp = 0;
    const r = { bt: [] as number[], blt: [] as number[], blta: [] as number[] };
    for (let i = 0; i < rounds; i++) {
      r.bt.push(await opsPerSec(bt, ms));
      r.blt.push(await opsPerSec(level('B-LT'), ms));
      r.blta.push(await opsPerSec(level('B-LTA'), ms));
    }
    const ratios = r.blt.map((v, i) => v / r.bt[i]!);
    const ltaRatios = r.blta.map((v, i) => v / r.bt[i]!);
    return {
      btPerSec: round(median(r.bt))!, bltPerSec: round(median(r.blt))!, bltaPerSec: round(median(r.blta))!,
      bltVsBt: round(median(ratios), 2)!, bltaVsBt: round(median(ltaRatios), 2)!,
      rounds: { bt: r.bt.map((v) => round(v)!), blt: r.blt.map((v) => round(v)!), blta: r.blta.map((v) => round(v)!) },
      ratioSpread: spread(ratios.map((v) => round(v, 2)!)), revocationRequests: { ...requests }, signedBytes: sizes,
    };
  } finally {
    await db.end();
    tsaServer.close();
    revocation.close();
  }
}

export const levelsTargets = (l: LevelsResult): Target[] => [target('sign B-LT vs B-T (revocation cached)', 'ratios.bltVsBt', l.bltVsBt, '>=', 0.8)];

export const levelsRows = (l: LevelsResult): [string, unknown][] => [
  ['sign B-T / B-LT / B-LTA (/s)', `${l.btPerSec} / ${l.bltPerSec} / ${l.bltaPerSec}`],
  ['  B-LT ÷ B-T, B-LTA ÷ B-T', `${l.bltVsBt}, ${l.bltaVsBt} (per-round B-LT ratio ${l.ratioSpread.min}–${l.ratioSpread.max})`],
  ['  CRL / OCSP fetched while measuring', `${l.revocationRequests.crl} / ${l.revocationRequests.ocsp}`],
];

/** BENCH_ONLY=levels: this phase alone on a private PostgreSQL; its figures go into latest.json beside the others'. */
export async function levelsOnly(say: (s: string) => void): Promise<void> {
  const plan = planFromEnv();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-bench-levels-'));
  fs.chmodSync(runDir, 0o755);
  const stack = await startEmbeddedStack({ dataDir: runDir, fast: true });
  try {
    const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
    await migrate(db);
    await db.end();
    say(`signing levels only: ${plan.microRounds} rounds of ${plan.microMs} ms per level`);
    const l = await signingLevels(await classicOnePagePdf(), stack.databaseUrl, plan.microRounds, plan.microMs);
    const file = path.join(projectRoot(), 'bench', 'results', 'latest.json');
    const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { targets?: Target[]; ratios?: Record<string, unknown>; raw?: Record<string, unknown> } & Record<string, unknown>) : {};
    const targets = [...(previous.targets ?? []).filter((t) => t.figure !== 'ratios.bltVsBt'), ...levelsTargets(l)];
    writeJson(file, { ...previous, ratios: { ...previous.ratios, bltVsBt: l.bltVsBt, bltaVsBt: l.bltaVsBt }, raw: { ...previous.raw, signLevels: l }, targets });
    printReport(levelsRows(l), levelsTargets(l), []);
  } finally {
    await stack.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}
