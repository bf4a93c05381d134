/* eslint-disable no-console -- the drill's own CLI output: a table for the person who ran it. */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../services/config/project-root';
import { spawnGateway } from '../../test/support/gateway-process';
import type { ScenarioResult } from './audit';
import { startDrillStack, type DrillStack } from './drill-stack';
import { fuzzDrill, type FuzzSummary } from './fuzz.drill';
import { postgresRestart, receiverDown, redisFlush, redisRestart } from './infra-faults.scenarios';
import { gatewayKill, workerKill } from './process-faults.scenarios';
import { receiverHuge, receiverRedirects } from './receiver-faults.scenarios';
import { peerHubDown } from './peer-faults.scenarios';
import { settle } from './audit';
import { slowloris } from './slowloris';

const DOCS = Number(process.env.DRILL_DOCS ?? 5);
const HOSTED = Number(process.env.DRILL_RECIPIENTS ?? 12);
const FUZZ_INPUTS = Number(process.env.DRILL_FUZZ_INPUTS ?? 10_000);
const FUZZ_SEED = Number(process.env.DRILL_FUZZ_SEED ?? Date.now() % 100_000);
/** Long enough for the gateway's requestTimeout (120 s) plus Node's 30 s check interval to bite. */
const SLOW_CAP_MS = Number(process.env.DRILL_SLOW_CAP_MS ?? 170_000);
/** How long the peer hub of the federation scenario stays down (issue 22). */
const PEER_DOWN_MS = Number(process.env.DRILL_PEER_DOWN_MS ?? 30_000);

type Scenario = [string, (s: DrillStack) => Promise<ScenarioResult>];

const SCENARIOS: Scenario[] = [
  ...['convert', 'sign', 'route', 'deliver'].map((stage): Scenario => [`worker kill -9 in ${stage}`, (s) => workerKill(s, stage, DOCS)]),
  ['gateway kill -9 mid-request, client retries', (s) => gatewayKill(s, DOCS * 2)],
  ['Redis kill -9 and restart', (s) => redisRestart(s, DOCS)],
  ['Redis FLUSHALL, rebuilt by the sweeper', (s) => redisFlush(s, DOCS)],
  ['PostgreSQL stopped and restarted', (s) => postgresRestart(s, DOCS)],
  ['push receiver down 6 s', (s) => receiverDown(s, DOCS, 6_000)],
  ['receiver redirects', (s) => receiverRedirects(s, DOCS)],
  ['receiver answers 1 GiB', (s) => receiverHuge(s, DOCS)],
  ['peer hub down', (s) => peerHubDown(s, DOCS, PEER_DOWN_MS)],
];

/**
 * After a scenario failed: its processes are gone (stopWorkers kills what does not stop), and a
 * clean worker finishes its documents before the next scenario starts, so the next one audits
 * only its own work and finds no leftover jobs. Bounded by the pipeline's progress.
 */
async function recover(stack: DrillStack): Promise<string> {
  await stack.stopWorkers();
  stack.receiver.setScript(['ok']);
  const ids = (stack.inFlight ?? []).splice(0);
  if (ids.length === 0) return 'nothing in flight';
  stack.worker();
  try {
    const done = await settle(stack, ids);
    return done ? `its ${ids.length} documents were finished by a clean worker` : `its ${ids.length} documents could not be finished`;
  } finally {
    await stack.stopWorkers();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const only = process.env.DRILL_ONLY;
  console.log(`Drill: ${DOCS} documents × ${HOSTED + 1} recipients (${HOSTED} hosted, 1 push) per scenario; fuzz ${FUZZ_INPUTS} inputs (seed ${FUZZ_SEED})`);
  const stack = await startDrillStack(HOSTED);
  const fuzzGateway = await spawnGateway({ LIENTHONG_RATE_LIMIT_PER_MIN: '0', LIENTHONG_ADMISSION_MAX_DELAY_MS: '0' }).catch(async (err: Error) => {
    await stack.close();
    throw err;
  });
  // Stopped by hand (Ctrl-C) or by a supervisor: every process the drill started goes with it.
  let closing: Promise<void> | undefined;
  const shutdown = (signal: string) => {
    console.log(`\n${signal}: stopping the drill's processes`);
    closing ??= Promise.allSettled([fuzzGateway.stop(), stack.close()]).then(() => process.exit(130));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  const slow = slowloris(fuzzGateway.port, stack.sender.apiKey, SLOW_CAP_MS);
  const scenarios: ScenarioResult[] = [];
  let fuzz: FuzzSummary | undefined;
  try {
    for (const [name, run] of SCENARIOS) {
      if (only && !name.includes(only)) continue;
      process.stdout.write(`  ${name} … `);
      stack.inFlight?.splice(0);
      try {
        const r = await run(stack);
        scenarios.push(r);
        console.log(`${r.delivered}/${r.sent} delivered, ${r.duplicated} duplicated, ${r.resentSameId ?? 0} re-sent same id, ${r.lost} lost, ${r.deliveredWithoutBody ?? 0} counted without the body, recovery ${r.recoverySeconds ?? '—'} s`);
      } catch (err) {
        console.log(`FAILED: ${(err as Error).message}`);
        const recovered = await recover(stack).catch((e: Error) => `recovery failed: ${e.message}`);
        scenarios.push({ name, sent: 0, delivered: 0, duplicated: 0, lost: 0, recoverySeconds: null, documents: 0, ledgerOk: false, stuckJobs: 0, deliveredWithoutBody: 0, notes: [`the scenario itself failed: ${(err as Error).message}; ${recovered}`] });
      } finally {
        // Whatever happened, no process of this scenario outlives it.
        await stack.stopWorkers();
      }
    }
    if (FUZZ_INPUTS > 0) {
      process.stdout.write(`  fuzz ${FUZZ_INPUTS} inputs … `);
      fuzz = await fuzzDrill(stack, fuzzGateway, FUZZ_INPUTS, FUZZ_SEED);
      console.log(`${fuzz.seconds} s, ${fuzz.serverErrors} 5xx, ${fuzz.crashes} crashes, max RSS ${fuzz.maxRssMb} MB`);
      console.log(`  query parameters: ${fuzz.queryParameters.inputs} inputs, ${fuzz.queryParameters.serverErrors} 5xx, ${fuzz.queryParameters.seconds} s`);
    }
    process.stdout.write('  slowloris (waiting for the server to cut the slow clients) … ');
    const slowResult = await slow;
    console.log(JSON.stringify(slowResult));
    const result = {
      startedAt: new Date(started).toISOString(),
      seconds: Math.round((Date.now() - started) / 1000),
      load: { documentsPerScenario: DOCS, recipients: HOSTED + 1 },
      scenarios,
      fuzz: fuzz ?? null,
      slowloris: slowResult,
    };
    const out = path.join(projectRoot(), 'drills', 'results', 'latest.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    printTable(scenarios, fuzz);
    console.log(`\nWritten to ${path.relative(process.cwd(), out)} (${result.seconds} s).`);
    const bad =
      scenarios.some((s) => s.lost || s.duplicated || s.deliveredWithoutBody || !s.ledgerOk || s.stuckJobs || s.recoverySeconds === null) ||
      (fuzz && (fuzz.unknownServerErrors.length || fuzz.crashes || fuzz.queryParameters.serverErrors));
    process.exitCode = bad ? 1 : 0;
  } finally {
    await fuzzGateway.stop();
    await stack.close();
  }
}

function printTable(rows: ScenarioResult[], fuzz: FuzzSummary | undefined): void {
  const head = ['scenario', 'sent', 'delivered', 'dup', 're-sent same id', 'lost', 'no body', 'recovery s', 'ledger', 'stuck'];
  const body = rows.map((r) => [r.name, r.sent, r.delivered, r.duplicated, r.resentSameId ?? 0, r.lost, r.deliveredWithoutBody ?? 0, r.recoverySeconds ?? '—', r.ledgerOk ? 'ok' : 'BROKEN', r.stuckJobs].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  console.log('\n' + line(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const b of body) console.log(line(b));
  for (const r of rows) for (const n of r.notes) console.log(`  ${r.name}: ${n}`);
  if (fuzz) console.log(`\nfuzz: ${fuzz.inputs} inputs, ${fuzz.serverErrors} 5xx (known: ${JSON.stringify(fuzz.knownFindings)}), ${fuzz.crashes} crashes, max RSS ${fuzz.maxRssMb} MB, statuses ${JSON.stringify(fuzz.byStatus)}`);
}

main().catch((err) => {
  console.error(`drill failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 2;
});
