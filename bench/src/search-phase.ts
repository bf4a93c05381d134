import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { startEmbeddedStack, type EmbeddedStack } from '../../infra/embedded/embedded-stack';
import { freePort } from '../../infra/embedded/free-port';
import { createPool } from '../../services/db/pool';
import { migrate } from '../../services/db/migrator';
import { createApiKey } from '../../services/domain/apikeys/api-key.repository';
import { searchCountLimit } from '../../services/domain/search/ranked-search';
import { cpuWindow, findGroups } from './cpu-accounting';
import { startService, waitReady, type Service } from './processes';
import { summariseProfile, type ProfileSummary } from './profile-summary';
import { existingSearchData, generateSearchData, indexSizes, SEARCH_TERMS, type SearchData } from './search-data';
import { percentile, round } from './stats';

export interface SearchPhaseOptions {
  documents: number;
  perDoc: number;
  agencies: number;
  users: number;
  /** Measured requests per kind (search, inbox first page, inbox last page). */
  requests: number;
  say: (s: string) => void;
  /**
   * A stack folder holding data generated before (its postgres/ with the search data, e.g. a
   * previous run's or BENCH_SEARCH_DATA_DIR): copied and used instead of generating. The copy is
   * migrated (new migrations apply to it), the original is never written.
   */
  reuseDataDir?: string | undefined;
}

export interface LatencyFigures {
  n: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

export interface SearchPhaseResult {
  scale: { documents: number; dispatches: number; texts: number; agencies: number; generateSeconds: number; indexSeconds: number; checkedAgainstTrigger: number };
  concurrency: number;
  search: LatencyFigures;
  inboxFirst: LatencyFigures;
  inboxLast: LatencyFigures;
  /** The figures the targets read: search p95 and the worse of the inbox's first/last page p95. */
  p95Ms: number | null;
  p50Ms: number | null;
  inboxPageP95Ms: number | null;
  meanHitsPerSearch: number | null;
  /** Per term: latency and mean matches (the broad terms make the p95). */
  byTerm: { term: string; n: number; p50Ms: number | null; p95Ms: number | null; meanHits: number | null; broadShare: number | null }[];
  /** LIENTHONG_SEARCH_COUNT_LIMIT of the measured gateway: past it a search is broad (a lower-bound total, newest first). */
  countLimit: number;
  /** The same searches asked with count=exact (every match counted and ranked): what the limit saves. */
  searchExactCount: LatencyFigures;
  /**
   * CPU per search of the measured searches (default mode), in ms, by process: the gateway, the
   * database (postmaster and backends), Redis and this load generator, from /proc.
   */
  cpuMsPerSearch: Record<string, number> & { total: number };
  /** With BENCH_PROFILE=1: where the gateway's CPU went during the searches (node --cpu-prof). */
  gatewayProfile?: ProfileSummary | undefined;
  sizes: Record<string, string>;
  loadavg: { before: number[]; after: number[] };
  terms: readonly string[];
}

function figures(ms: number[], errors: number): LatencyFigures {
  return { n: ms.length, errors, p50Ms: round(percentile(ms, 50)), p95Ms: round(percentile(ms, 95)), maxMs: round(ms.length ? Math.max(...ms) : null) };
}

/** `users` clients at once, each running its share of `jobs` one after another; latency per request. */
async function closedLoop(users: number, jobs: ((user: number) => Promise<unknown>)[]): Promise<{ ms: number[]; errors: number; results: unknown[]; byJob: { job: number; ms: number; result: unknown }[] }> {
  const ms: number[] = [];
  const results: unknown[] = [];
  const byJob: { job: number; ms: number; result: unknown }[] = [];
  let errors = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: users }, async (_, u) => {
      while (next < jobs.length) {
        const i = next++;
        const job = jobs[i]!;
        const t = performance.now();
        try {
          const result = await job(u);
          results.push(result);
          ms.push(performance.now() - t);
          byJob.push({ job: i, ms: performance.now() - t, result });
        } catch {
          errors++;
        }
      }
    }),
  );
  return { ms, errors, results, byJob };
}

/** Latency and matches per search term: which terms make the p95. */
function perTerm(byJob: { job: number; ms: number; result: unknown }[]): SearchPhaseResult['byTerm'] {
  return SEARCH_TERMS.map((term, t) => {
    const mine = byJob.filter((j) => j.job % SEARCH_TERMS.length === t);
    const answers = mine.map((j) => j.result as Answer);
    const hits = answers.map((a) => a.total);
    const ms = mine.map((j) => j.ms);
    return {
      term,
      n: mine.length,
      p50Ms: round(percentile(ms, 50)),
      p95Ms: round(percentile(ms, 95)),
      // A broad answer's total is a lower bound: the mean is then "at least".
      meanHits: hits.length ? round(hits.reduce((a, b) => a + b, 0) / hits.length) : null,
      broadShare: answers.length ? round(answers.filter((a) => a.totalExact === false).length / answers.length, 2) : null,
    };
  });
}

interface Answer {
  total: number;
  totalExact?: boolean;
}

/**
 * The clients' connections: kept alive, one per user. node:http rather than fetch: this load
 * generator runs on the same two cores as the gateway and the database, and fetch (undici) cost it
 * about twice the CPU per answer (measured at 1,000,000 documents: ~2.2 against ~1.2 ms per search),
 * time no real client would take from the server's machine.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function getJson(url: string, key: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${res.statusCode} ${url}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer);
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('error', reject);
  });
}

/** Stops the gateway (its --cpu-prof profile is written at exit) and summarises the profile, if one was asked for. */
async function gatewayProfileOf(gateway: Service, dir: string): Promise<ProfileSummary | undefined> {
  const file = path.join(dir, 'gateway-search.cpuprofile');
  if (process.env.BENCH_PROFILE !== '1') return undefined;
  await gateway.stop();
  return fs.existsSync(file) ? summariseProfile(file, 25) : undefined;
}

/** Copies a generated stack's PostgreSQL cluster into the run's folder (cp -a keeps owners and modes). */
function copyStack(from: string, runDir: string, say: (s: string) => void): void {
  const src = path.join(path.resolve(from), 'postgres');
  if (!fs.existsSync(path.join(src, 'data', 'PG_VERSION'))) throw new Error(`BENCH_SEARCH_DATA_DIR: no PostgreSQL cluster in ${src}/data`);
  const t = Date.now();
  execFileSync('cp', ['-a', src, path.join(runDir, 'postgres')]);
  for (const stale of ['postmaster.pid']) fs.rmSync(path.join(runDir, 'postgres', 'data', stale), { force: true });
  say(`search data: copied ${src} in ${Math.round((Date.now() - t) / 1000)} s (not generated)`);
}

/**
 * The tables and indexes search and the inbox read, loaded into shared buffers before measuring
 * (pg_prewarm, contrib): the measure is of a server that has been serving these agencies, not of
 * its first minutes after a restart. Returns the megabytes read.
 */
async function prewarm(db: ReturnType<typeof createPool>): Promise<number> {
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
  const r = await db.query<{ blocks: string }>(
    `SELECT sum(pg_prewarm(c.oid))::text AS blocks FROM pg_class c
      WHERE c.relname IN ('documents', 'documents_pkey', 'document_search', 'document_search_readers', 'dispatches_inbox_page', 'dispatches_document_id_recipient_code_key')`,
  );
  return Math.round((Number(r.rows[0]?.blocks ?? 0) * 8) / 1024);
}

/**
 * The search benchmark: its own PostgreSQL and Redis, the data generated by SQL, one gateway
 * process, then `users` concurrent clients (each an agency's API key) searching and paging their
 * inboxes (first page, last page), measured from the client.
 */
export async function runSearchPhase(o: SearchPhaseOptions): Promise<SearchPhaseResult> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-bench-search-'));
  fs.chmodSync(runDir, 0o755);
  let stack: EmbeddedStack | undefined;
  let gateway: Service | undefined;
  try {
    if (o.reuseDataDir) copyStack(o.reuseDataDir, runDir, o.say);
    // shared_buffers as a database server holding 1,000,000 documents would have it (a quarter of
    // an 8 GB server): with the 128 MB default each heap visit of a broad search copies a page
    // from the OS cache (measured: "UBND" 140 ms of backend CPU instead of 100).
    stack = await startEmbeddedStack({ dataDir: runDir, fast: true, postgresSettings: { max_wal_size: "'4GB'", maintenance_work_mem: "'256MB'", shared_buffers: "'2GB'" } });
    const db = createPool(stack.databaseUrl, { max: 2, application: 'lienthong-bench-search' });
    let data: SearchData;
    const keys: string[] = [];
    try {
      await migrate(db);
      data = o.reuseDataDir ? await existingSearchData(db) : await generateSearchData(db, { agencies: o.agencies, documents: o.documents, perDoc: o.perDoc, say: o.say });
      for (let u = 0; u < o.users; u++) keys.push((await createApiKey(db, data.agencies[(u * 17) % data.agencies.length]!, 'bench-search')).key);
    } finally {
      await db.end();
    }
    const sizesDb = createPool(stack.databaseUrl, { max: 1 });
    const sizes = await indexSizes(sizesDb)
      .then(async (x) => {
        o.say(`search data: ${await prewarm(sizesDb)} MB read into shared buffers (pg_prewarm)`);
        return x;
      })
      .finally(() => sizesDb.end());
    o.say(`search data: ${data.documents} documents, ${data.dispatches} dispatches, ${data.texts} texts in ${data.seconds} s; ${JSON.stringify(sizes)}`);

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LIENTHONG_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL'));
    // The search's own settings pass through, so their variants can be measured.
    const searchSettings = Object.fromEntries(
      ['LIENTHONG_SEARCH_COUNT_LIMIT', 'LIENTHONG_SEARCH_RANK_WINDOW'].filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]),
    );
    const profileDir = path.join(runDir, 'profiles');
    const profile = process.env.BENCH_PROFILE === '1';
    gateway = startService('gateway', 'services/gateway/main.js', {
      ...env,
      ...searchSettings,
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL: stack.redisUrl,
      LIENTHONG_DEV_MODE: '1',
      LIENTHONG_MASTER_KEY: randomBytes(32).toString('hex'),
      LIENTHONG_DATA_DIR: runDir,
      LIENTHONG_RATE_LIMIT_PER_MIN: '0',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    }, path.join(runDir, 'gateway-search.log'), profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', 'gateway-search.cpuprofile'] : []);
    await waitReady(`${baseUrl}/health/ready`, 60_000);

    const before = os.loadavg().map((v) => round(v, 2)!);
    const keyOf = (u: number) => keys[u % keys.length]!;
    // Warm-up (plans, caches): one round of each kind, not measured.
    await closedLoop(o.users, SEARCH_TERMS.map((t) => (u: number) => getJson(`${baseUrl}/v1/search?q=${encodeURIComponent(t)}&limit=50`, keyOf(u))));
    const redisPort = Number(new URL(stack.redisUrl).port);
    const gatewayPid = gateway.pid;
    // The load generator is this process alone (process.cpuUsage): its children include the gateway.
    const cpu = cpuWindow(() => findGroups(runDir, redisPort, { gateway: gatewayPid }));
    const ownBefore = process.cpuUsage();
    const searches = await closedLoop(
      o.users,
      Array.from({ length: o.requests }, (_, i) => (u: number) => getJson(`${baseUrl}/v1/search?q=${encodeURIComponent(SEARCH_TERMS[i % SEARCH_TERMS.length]!)}&limit=50`, keyOf(u))),
    );
    const used = cpu.stop();
    const own = process.cpuUsage(ownBefore);
    const perSearch = (seconds: number) => round((seconds * 1000) / Math.max(1, searches.ms.length), 2)!;
    const cpuMsPerSearch: Record<string, number> = {
      ...Object.fromEntries(['gateway', 'postgres', 'redis'].map((k) => [k, perSearch(used[k]?.cpuSeconds ?? 0)])),
      loadgen: perSearch((own.user + own.system) / 1e6),
    };
    const cpuTotal = round(Object.values(cpuMsPerSearch).reduce((a, b) => a + b, 0), 2)!;
    const exactCount = await closedLoop(
      o.users,
      Array.from({ length: o.requests }, (_, i) => (u: number) => getJson(`${baseUrl}/v1/search?q=${encodeURIComponent(SEARCH_TERMS[i % SEARCH_TERMS.length]!)}&limit=50&count=exact`, keyOf(u))),
    );
    const first = await closedLoop(o.users, Array.from({ length: o.requests }, () => (u: number) => getJson(`${baseUrl}/v1/inbox?limit=50`, keyOf(u))));
    const last = await closedLoop(o.users, Array.from({ length: o.requests }, () => (u: number) => getJson(`${baseUrl}/v1/inbox?limit=50&page=last`, keyOf(u))));
    const after = os.loadavg().map((v) => round(v, 2)!);
    const hits = (searches.results as { total: number }[]).map((r) => r.total);
    const s = figures(searches.ms, searches.errors);
    const f = figures(first.ms, first.errors);
    const l = figures(last.ms, last.errors);
    return {
      scale: {
        documents: data.documents,
        dispatches: data.dispatches,
        texts: data.texts,
        agencies: o.agencies,
        generateSeconds: data.seconds,
        indexSeconds: data.indexSeconds,
        checkedAgainstTrigger: data.checkedAgainstTrigger,
      },
      concurrency: o.users,
      search: s,
      inboxFirst: f,
      inboxLast: l,
      p50Ms: s.p50Ms,
      p95Ms: s.p95Ms,
      inboxPageP95Ms: f.p95Ms === null || l.p95Ms === null ? null : Math.max(f.p95Ms, l.p95Ms),
      meanHitsPerSearch: hits.length ? round(hits.reduce((a, b) => a + b, 0) / hits.length) : null,
      byTerm: perTerm(searches.byJob),
      countLimit: searchCountLimit(),
      searchExactCount: figures(exactCount.ms, exactCount.errors),
      cpuMsPerSearch: { ...cpuMsPerSearch, total: cpuTotal },
      gatewayProfile: await gatewayProfileOf(gateway, profileDir),
      sizes,
      loadavg: { before, after },
      terms: SEARCH_TERMS,
    };
  } finally {
    agent.destroy();
    await gateway?.stop().catch(() => undefined);
    await stack?.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}
