/* eslint-disable no-console -- the drill's own CLI output: a table for the person who ran it. */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../services/config/project-root';
import { takeBaseBackup } from '../../services/backup/base-backup';
import { verifyBackups } from '../../services/backup/verify-backups';
import { settle } from './audit';
import { addBulkDocuments } from './restore/bulk-documents';
import type { RestoreScenarioResult } from './restore/restore-audit';
import { dataFolderDeleted, failingMigration, tableDropped } from './restore/restore-scenarios';
import { startRestoreStack } from './restore/restore-stack';
import { Traffic } from './restore/traffic';

const DOCS = Number(process.env.RESTORE_DRILL_DOCS ?? 20);
const HOSTED = Number(process.env.RESTORE_DRILL_RECIPIENTS ?? 3);
const BULK = Number(process.env.RESTORE_DRILL_BULK ?? 0);
const ARCHIVE_TIMEOUT_S = Number(process.env.RESTORE_DRILL_ARCHIVE_TIMEOUT_S ?? 50);
const MINUTE_MS = Number(process.env.RESTORE_DRILL_MINUTE_MS ?? 60_000);
const ONLY = process.env.RESTORE_DRILL_ONLY;

/**
 * `make restore-drill`: steady traffic against real processes on a PostgreSQL that archives its
 * WAL; a base backup; then (a) the data folder deleted → restore latest, (b) a table dropped →
 * restore to the minute before, (c) a failing migration → back to its restore point. After each,
 * the documents the client saw accepted before the recovery point are counted against its own
 * list, the ledger verified, and every restored document delivered to every recipient once.
 */
async function main(): Promise<void> {
  const started = Date.now();
  console.log(`Restore drill: ${DOCS} documents per phase × ${HOSTED + 1} recipients; archive_timeout ${ARCHIVE_TIMEOUT_S} s; "the minute before" = ${MINUTE_MS / 1000} s; bulk ${BULK}`);
  const stack = await startRestoreStack(HOSTED, ARCHIVE_TIMEOUT_S);
  const listFile = path.join(stack.dir, 'accepted.jsonl');
  const traffic = new Traffic(stack, listFile);
  const scenarios: RestoreScenarioResult[] = [];
  const lagSamples: number[] = [];
  let archiveFailures = 0;
  let sampleErrors = 0;
  let base: Awaited<ReturnType<typeof takeBaseBackup>> | undefined;
  let bulkSeconds: number | null = null;
  try {
    traffic.start();
    await traffic.more(DOCS);
    if (BULK > 0) {
      const first = traffic.accepted[0]!.id;
      if ((await settle(stack, [first], 120_000)) === null) throw new Error('the first document was not delivered; cannot clone it');
      const t0 = Date.now();
      const mine = stack.recipients.map((r) => r.code).concat(stack.sender.code);
      const others = (await stack.db.query<{ code: string }>('SELECT code FROM agencies WHERE code <> ALL($1) ORDER BY code LIMIT $2', [mine, stack.recipients.length])).rows.map((r) => r.code);
      await addBulkDocuments(stack.db, first, others, BULK, (n) => process.stdout.write(`\r  bulk documents: ${n}/${BULK}`));
      bulkSeconds = Math.round((Date.now() - t0) / 1000);
      console.log(` (${bulkSeconds} s)`);
    }
    process.stdout.write('  base backup under traffic … ');
    base = await takeBaseBackup(stack.pg.url, stack.backups, 'restore-drill');
    console.log(`${base.id}: ${(base.bytes / 1048576).toFixed(0)} MB in ${base.seconds} s`);
    // The recovery point at each second: seconds since the last archived segment, counted only while
    // WAL written after that segment is not in the archive yet (a pause in the traffic risks nothing).
    const sampler = setInterval(() => {
      stack.db.query<{ lag: number | null; cur: string; wal: string | null; failed: number }>(ARCHIVE_LAG_SQL)
        .then((r) => {
          const x = r.rows[0];
          if (!x) return;
          archiveFailures = Math.max(archiveFailures, x.failed);
          const unarchived = x.wal && /^[0-9A-F]{24}$/.test(x.wal) ? lsnBytes(x.cur) - segmentEnd(x.wal) : null;
          if (x.lag != null && unarchived !== null) lagSamples.push(unarchived > 0 ? x.lag : 0);
        }, () => sampleErrors++);
    }, 1_000);
    const plan: [string, () => Promise<RestoreScenarioResult>][] = [
      ['a', () => dataFolderDeleted(stack, traffic, DOCS)],
      ['b', () => tableDropped(stack, traffic, MINUTE_MS)],
      ['c', () => failingMigration(stack, traffic, DOCS)],
    ];
    for (const [key, run] of plan) {
      if (ONLY && !ONLY.includes(key)) continue;
      process.stdout.write(`  scenario ${key} … `);
      try {
        const r = await run();
        scenarios.push(r);
        console.log(`${r.documentsAfter}/${r.documentsBefore} documents back, recovery ${r.recoverySeconds} s, ledger ${r.ledgerOk ? 'ok' : 'BROKEN'}`);
      } catch (err) {
        console.log(`FAILED: ${(err as Error).stack}`);
        scenarios.push({ name: key, documentsBefore: 0, documentsAfter: 0, lostBeforeRecoveryPoint: 0, recoverySeconds: -1, ledgerOk: false, recoveryPoint: null, acceptedAfterRecoveryPointLost: 0, inFlightDelivered: false, pushResentSameId: 0, copies: { sent: 0, delivered: 0, duplicated: 0, lost: 0 }, settleSeconds: null, notes: [`the scenario itself failed: ${(err as Error).message}`] });
        break;
      }
    }
    clearInterval(sampler);
    await traffic.stop();
    const check = await verifyBackups(stack.backups);
    const result = {
      startedAt: new Date(started).toISOString(),
      seconds: Math.round((Date.now() - started) / 1000),
      load: { documentsPerPhase: DOCS, recipients: HOSTED + 1, bulkDocuments: BULK, bulkSeconds, accepted: traffic.accepted.length, refused: traffic.refused },
      archiveTimeoutSeconds: ARCHIVE_TIMEOUT_S,
      baseBackup: base ? { id: base.id, megabytes: Math.round(base.bytes / 1048576), seconds: base.seconds } : null,
      archiveLagSeconds: lagSamples.length ? { max: Math.round(Math.max(...lagSamples) * 10) / 10, p95: pct(lagSamples, 0.95), samples: lagSamples.length, sampleErrors, archiveFailures } : null,
      backupVerify: { ok: check.ok, problems: check.problems },
      scenarios,
    };
    const out = path.join(projectRoot(), 'drills', 'results', 'restore.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    printTable(scenarios);
    console.log(`\nrecovery point (age of the archive while WAL waits to be archived, sampled each second): max ${result.archiveLagSeconds?.max ?? '—'} s, p95 ${result.archiveLagSeconds?.p95 ?? '—'} s; archive failures ${archiveFailures}; backup verify: ${check.ok ? 'ok' : check.problems.join('; ')}`);
    console.log(`Written to ${path.relative(process.cwd(), out)} (${result.seconds} s).`);
    const bad = scenarios.length < (ONLY ? ONLY.length : 3) || scenarios.some((s) => s.lostBeforeRecoveryPoint || !s.ledgerOk || !s.inFlightDelivered || s.recoverySeconds < 0);
    process.exitCode = bad ? 1 : 0;
  } finally {
    await traffic.stop();
    await stack.close();
  }
}

/** Seconds since the last archived file, the WAL insert position, the last archived file's name, failed attempts. */
const ARCHIVE_LAG_SQL = `SELECT extract(epoch FROM now() - last_archived_time)::float8 AS lag, pg_current_wal_lsn()::text AS cur,
  last_archived_wal AS wal, failed_count::int AS failed FROM pg_stat_archiver`;

/** An LSN (hi/lo hex) as a byte position. */
function lsnBytes(lsn: string): number {
  const [hi, lo] = lsn.split('/');
  return parseInt(hi!, 16) * 2 ** 32 + parseInt(lo!, 16);
}

/** The byte position where a 16 MB WAL segment ends. */
function segmentEnd(wal: string): number {
  return parseInt(wal.slice(8, 16), 16) * 2 ** 32 + (parseInt(wal.slice(16, 24), 16) + 1) * 16 * 2 ** 20;
}

function pct(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 10) / 10;
}

function printTable(rows: RestoreScenarioResult[]): void {
  const head = ['scenario', 'before', 'after', 'lost before RP', 'lost after RP', 'recovery s', 'delivered once', 'push re-sent, same id', 'ledger'];
  const body = rows.map((r) => [r.name, r.documentsBefore, r.documentsAfter, r.lostBeforeRecoveryPoint, r.acceptedAfterRecoveryPointLost, r.recoverySeconds, r.inFlightDelivered ? `yes (${r.copies.delivered}/${r.copies.sent})` : `NO (${r.copies.delivered}/${r.copies.sent}, dup ${r.copies.duplicated})`, r.pushResentSameId, r.ledgerOk ? 'ok' : 'BROKEN'].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  console.log('\n' + line(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const b of body) console.log(line(b));
  for (const r of rows) for (const n of r.notes) console.log(`  ${r.name}: ${n}`);
}

main().catch((err) => {
  console.error(`restore drill failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 2;
});
