import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedStack, type EmbeddedStack } from '../../infra/embedded/embedded-stack';
import { freePort } from '../../infra/embedded/free-port';
import { projectRoot } from '../../services/config/project-root';
import { createPool } from '../../services/db/pool';
import { verifyEvidenceBundle } from '../../services/evidence/evidence-verify';
import { startDevTsa } from '../../services/domain/pki/dev-tsa';
import { makePdf, metadataFor } from '../../test/support/pdf.fixture';
import { printReport, target, writeJson, type Target } from './report';
import { seedDirectory } from './seed';
import { startService, waitReady, type Service } from './processes';
import { median, round } from './stats';

// Issue 21: how long GET /v1/documents/:id/evidence takes for a document sent to 500 agencies
// (500 dispatches with their timelines, 500 signed arrival receipts, the ledger path of ~500 rows
// to its RFC 3161 anchor), measured from the client, and how long the offline check takes.

export interface EvidencePhaseResult {
  recipients: number;
  /** The first export: receipts not yet signed by the worker's sweep are signed here, the chain anchored. */
  firstMs: number | null;
  /** The median of the next exports (receipts and anchor in place). */
  exportMs: number | null;
  exportRuns: number[];
  bundleBytes: number;
  parts: number;
  verifyMs: number | null;
  verifyOk: boolean;
}

export async function runEvidencePhase(say: (s: string) => void): Promise<EvidencePhaseResult> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-bench-evidence-'));
  fs.chmodSync(runDir, 0o755);
  let stack: EmbeddedStack | undefined;
  const services: Service[] = [];
  let tsa: { server: { close(): void } } | undefined;
  try {
    stack = await startEmbeddedStack({ dataDir: runDir, fast: true });
    const dir = await seedDirectory(stack.databaseUrl, stack.redisUrl, 1);
    const db = createPool(stack.databaseUrl, { max: 2, application: 'lienthong-bench-evidence' });
    try {
      const started = await startDevTsa(db, Buffer.from(dir.masterKeyHex, 'hex'), true);
      tsa = started;
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const env = {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LIENTHONG_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL')),
        DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl, LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: dir.masterKeyHex,
        LIENTHONG_DATA_DIR: runDir, LIENTHONG_RATE_LIMIT_PER_MIN: '0', LIENTHONG_TSA_URL: started.url, LIENTHONG_BACKUP_DIR: 'off',
        PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn',
      };
      services.push(startService('gateway', 'services/gateway/main.js', env, path.join(runDir, 'gateway-evidence.log')));
      services.push(startService('workers', 'workers/main.js', env, path.join(runDir, 'workers-evidence.log')));
      await waitReady(`${baseUrl}/health/ready`, 60_000);
      const sender = dir.senders[0]!;
      const form = new FormData();
      form.append('metadata', JSON.stringify(metadataFor([`group:${dir.group500}`], { notation: 'UBND-EV' })));
      form.append('file', new Blob([await makePdf(2)], { type: 'application/pdf' }), 'van-ban.pdf');
      const posted = await fetch(`${baseUrl}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${sender.apiKey}` }, body: form });
      if (posted.status !== 202) throw new Error(`submit: HTTP ${posted.status} ${await posted.text()}`);
      const id = ((await posted.json()) as { id: string }).id;
      const deadline = Date.now() + 300_000;
      for (;;) {
        const n = (await db.query(`SELECT count(*)::int AS n FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [id])).rows[0].n as number;
        if (n === 500) break;
        if (Date.now() > deadline) throw new Error(`only ${n} of 500 delivered`);
        await new Promise((r) => setTimeout(r, 500));
      }
      say('evidence: 500 copies delivered; exporting the bundle');
      const file = path.join(runDir, 'evidence.zip');
      const exportOnce = async (): Promise<number> => {
        const t = performance.now();
        const res = await fetch(`${baseUrl}/v1/documents/${id}/evidence`, { headers: { authorization: `Bearer ${sender.apiKey}` } });
        if (res.status !== 200) throw new Error(`evidence: HTTP ${res.status}`);
        fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
        return performance.now() - t;
      };
      const firstMs = await exportOnce();
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) runs.push(await exportOnce());
      const ca = (await db.query(`SELECT cert_pem FROM trust_anchors WHERE is_dev_ca`)).rows[0].cert_pem as string;
      const t = performance.now();
      const report = await verifyEvidenceBundle(file, [ca]);
      const verifyMs = performance.now() - t;
      const result: EvidencePhaseResult = {
        recipients: 500, firstMs: round(firstMs, 0), exportMs: round(median(runs), 0), exportRuns: runs.map((v) => Math.round(v)),
        bundleBytes: fs.statSync(file).size, parts: report.lines.length ? Number(/liệt kê (\d+) phần/.exec(report.lines.join('\n'))?.[1] ?? 0) : 0,
        verifyMs: round(verifyMs, 0), verifyOk: report.ok,
      };
      say(`evidence export (500 recipients): first ${result.firstMs} ms, then ${result.exportRuns.join(', ')} ms; ${result.bundleBytes} bytes, ${result.parts} parts; offline verify ${result.verifyMs} ms (${report.ok ? 'valid' : report.problem})`);
      return result;
    } finally {
      tsa?.server.close();
      await db.end();
    }
  } finally {
    for (const s of services) await s.stop().catch(() => undefined);
    await stack?.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}

export function evidenceTargets(r: EvidencePhaseResult): Target[] {
  return [target('evidence export 500 recipients (ms)', 'evidence.exportMs', r.exportMs, '<=', 5000)];
}

export function evidenceRows(r: EvidencePhaseResult): [string, unknown][] {
  return [
    ['evidence export 500 recipients (ms): first / median', `${r.firstMs} / ${r.exportMs} [${r.exportRuns.join(', ')}]`],
    ['evidence bundle (bytes, parts), offline verify ms', `${r.bundleBytes}, ${r.parts}, ${r.verifyMs} (${r.verifyOk ? 'valid' : 'NOT valid'})`],
  ];
}

/** BENCH_ONLY=evidence: this phase alone; its figures go into latest.json beside the others'. */
export async function evidenceOnly(say: (s: string) => void): Promise<void> {
  const r = await runEvidencePhase(say);
  const file = path.join(projectRoot(), 'bench', 'results', 'latest.json');
  const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { targets?: Target[] } & Record<string, unknown>) : {};
  const targets = [...(previous.targets ?? []).filter((t) => !t.figure.startsWith('evidence.')), ...evidenceTargets(r)];
  writeJson(file, { ...previous, evidence: r, targets });
  printReport(evidenceRows(r), evidenceTargets(r), []);
}
