import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseMasterKey } from './master-key';
import { checkClusterConfig, clusterSchema, clusterQueuePrefix } from './cluster-config';
import { DOCUMENT_TYPE_CODES } from '../../contracts/document-types';

/**
 * Configuration, validated once at boot. Every key is documented in README.md § Configuration.
 * Unknown LIENTHONG_* variables are refused (a typo must not silently fall back to a default),
 * and there is no default secret: the master key is required unless dev mode is explicit.
 */
const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const int = (def: number) => z.coerce.number().int().nonnegative().default(def);

/** A URL, or a PostgreSQL multi-host URL (`postgres://u@h1:5432,h2:5432/db?target_session_attrs=read-write`). */
const dbUrl = z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, 'a postgres:// URL (one host or host1:port,host2:port)');

const Schema = z.object({
  DATABASE_URL: dbUrl,
  /** Redis by URL; with LIENTHONG_REDIS_SENTINELS or LIENTHONG_REDIS_CLUSTER it may be left out (see redis-target.ts). */
  REDIS_URL: z.string().url().optional(),
  ...clusterSchema,
  PORT: int(8080),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LIENTHONG_DATA_DIR: z.string().default('.data'),
  LIENTHONG_DEV_MODE: bool.default(false),
  LIENTHONG_MASTER_KEY: z.string().optional(),
  LIENTHONG_PUBLIC_URL: z.string().url().optional(),
  LIENTHONG_MAX_FILE_BYTES: int(50 * 1024 * 1024),
  LIENTHONG_MAX_FILES: int(20),
  LIENTHONG_MAX_RECIPIENTS: int(1000),
  LIENTHONG_MAX_JSON_BYTES: int(70 * 1024 * 1024),
  /** Requests per API key per minute, shared by all gateways through Redis; 0 = no limit. */
  LIENTHONG_RATE_LIMIT_PER_MIN: int(6000),
  LIENTHONG_WORKER_CONCURRENCY: int(4),
  /** Deliveries wait on the network and on short transactions, not on the CPU: run more at once. */
  LIENTHONG_DELIVER_CONCURRENCY: int(16),
  /**
   * A convert job signs, routes and delivers the hosted copies itself when this process runs those
   * stages (workers/runtime/stage-chain.ts): one queue hop per document instead of four. 0 = every
   * stage through its own queue, as before.
   */
  LIENTHONG_STAGE_CHAINING: bool.default(true),
  LIENTHONG_JOB_LOCK_MS: int(30_000),
  LIENTHONG_STALLED_INTERVAL_MS: int(30_000),
  LIENTHONG_RELAY_POLL_MS: int(1_000),
  LIENTHONG_DELIVERY_BUDGET_MS: int(24 * 3600_000),
  LIENTHONG_RETRY_BASE_MS: int(1_000),
  LIENTHONG_RETRY_MAX_MS: int(15 * 60_000),
  LIENTHONG_PUSH_TIMEOUT_MS: int(15_000),
  /** Push transport (issue 16): connect (DNS included) and response-body timeouts; the one above waits for the headers. */
  LIENTHONG_PUSH_CONNECT_TIMEOUT_MS: int(10_000),
  LIENTHONG_PUSH_BODY_TIMEOUT_MS: int(10_000),
  /** How long a push may keep failing before an alert (admin list, metric, error log, a notice to the sender). */
  LIENTHONG_DELIVERY_ALERT_MS: int(3600_000),
  LIENTHONG_SWEEP_INTERVAL_MS: int(60_000),
  /** This hub's id among federated hubs (issue 22): sent to peers and written into edXML TraceHeader/OrganId. */
  LIENTHONG_HUB_ID: z.string().regex(/^[0-9A-Z.]{1,35}$/).default('LIENTHONG'),
  LIENTHONG_SWEEP_AGE_MS: int(120_000),
  /** How long the sweeper keeps outbox rows once published (7 days); 0 keeps them for ever. */
  LIENTHONG_OUTBOX_RETENTION_MS: int(7 * 24 * 3600_000),
  /** A name for this process in the logs (gateway, workers, …); set by the launcher. */
  LIENTHONG_PROCESS: z.string().max(40).optional(),
  /** The gateway and workers write their log lines in blocks of this many bytes (at the latest 200 ms after a line); 0 = a write per line. */
  LIENTHONG_LOG_BUFFER_BYTES: int(4096).pipe(z.number().max(65_536)),
  /** A port for the worker process's own /metrics (stage latency histograms, queue depths); 0 = off. */
  LIENTHONG_WORKER_METRICS_PORT: int(0),
  /** `{name}` (a Redis Cluster hash tag) is accepted; on a Cluster a bare name is wrapped in one. */
  LIENTHONG_QUEUE_PREFIX: z.string().regex(/^([a-z0-9-]+|\{[a-z0-9-]+\})$/).default('lienthong'),
  /** Fault injection for tests and drills only (dev mode): `stage:ms[,stage:ms]` pauses a stage. */
  LIENTHONG_FAULT_DELAY: z.string().regex(/^([a-z]+:\d+)(,[a-z]+:\d+)*$/).optional(),
  /** RFC 3161 timestamp authority for PAdES B-T signatures; unset: signatures are B-B. */
  LIENTHONG_TSA_URL: z.string().url().optional(),
  /** When the TSA gives no timestamp: `retry` the sign job later, or `bb` sign without one (marked B-B). */
  LIENTHONG_TSA_POLICY: z.enum(['retry', 'bb']).default('retry'),
  LIENTHONG_TSA_TIMEOUT_MS: int(10_000),
  /** Issue 21: the PAdES level the sign stage produces (B-LT adds a DSS, B-LTA also a document timestamp). */
  LIENTHONG_SIGNATURE_LEVEL: z.enum(['B-B', 'B-T', 'B-LT', 'B-LTA']).default('B-LT'),
  /** Document types kept permanently, signed B-LTA whatever the level above (comma separated; default in signing/ltv/permanent-types.ts). */
  LIENTHONG_LTA_DOCUMENT_TYPES: z.string().regex(/^\s*[\p{L}]+(\s*,\s*[\p{L}]+)*\s*$/u, 'comma-separated document type codes').optional(),
  /** Renewal: a new document timestamp this many days before the newest TSA certificate of a document expires. */
  LIENTHONG_RENEWAL_MARGIN_DAYS: int(90),
  /** How often the worker looks for documents to renew (ms); 0 = never. */
  LIENTHONG_RENEWAL_CHECK_MS: int(3600_000),
  /** A folder of PEM/DER CA certificates trusted when verifying incoming signatures (besides `pki trust add`). */
  LIENTHONG_TRUST_STORE: z.string().optional(),
  /** Backups (README § Backups): the folder for base backups and archived WAL; `off` disables; unset: none outside `make run`. */
  LIENTHONG_BACKUP_DIR: z.string().optional(),
  /** How often a base backup is taken by the service (minutes), how long backups are kept (days). */
  LIENTHONG_BACKUP_BASE_EVERY_MIN: int(24 * 60),
  LIENTHONG_BACKUP_KEEP_DAYS: int(30),
  /** The embedded server's archive_timeout (seconds): the most WAL (time) a lost disk can take with it. */
  LIENTHONG_BACKUP_ARCHIVE_TIMEOUT_S: int(50),
  // An S3-compatible copy of the backup folder (services/backup/s3-target.ts reads and checks them).
  LIENTHONG_BACKUP_S3_ENDPOINT: z.string().optional(),
  LIENTHONG_BACKUP_S3_BUCKET: z.string().optional(),
  LIENTHONG_BACKUP_S3_PREFIX: z.string().optional(),
  LIENTHONG_BACKUP_S3_REGION: z.string().optional(),
  LIENTHONG_BACKUP_S3_ACCESS_KEY_ENV: z.string().optional(),
  LIENTHONG_BACKUP_S3_SECRET_KEY_ENV: z.string().optional(),
  LIENTHONG_BACKUP_S3_SSE: z.enum(['AES256', 'off']).optional(),
  /** Signature verification (issue 15): a PDF arriving with a failed signature is refused (`refuse-failed`); `refuse-indeterminate` refuses those too; `accept-all` only warns. */
  LIENTHONG_SIGNATURE_INTAKE_POLICY: z.enum(['refuse-failed', 'refuse-indeterminate', 'accept-all']).default('refuse-failed'),
  /** Re-sign a PDF whose incoming signature was modified after signing (only with accept-all). */
  LIENTHONG_RESIGN_MODIFIED: bool.default(false),
  /** No CRL/OCSP reachable: indeterminate (default), or accepted as good with `1` (soft-fail). */
  LIENTHONG_REVOCATION_SOFT_FAIL: bool.default(false),
  LIENTHONG_REVOCATION_TIMEOUT_MS: int(5_000),
  /** Time budget for locating and parsing the signatures of one PDF (in a worker thread). */
  LIENTHONG_VERIFY_BUDGET_MS: int(20_000),
  /**
   * Security (issue 17). Addresses (or CIDR ranges), comma separated, of the TLS proxies in front
   * of the gateway: only from them are X-Forwarded-For and the client-certificate headers believed.
   */
  LIENTHONG_TRUSTED_PROXIES: z.string().regex(/^[0-9a-fA-F:.\/]+(\s*,\s*[0-9a-fA-F:.\/]+)*$/, 'comma-separated IP addresses or CIDR ranges').optional(),
  /** A bearer token Prometheus must send for /metrics on the API port (at least 16 characters). */
  LIENTHONG_METRICS_TOKEN: z.string().min(16).optional(),
  /** A separate port for the gateway's /metrics (then the API port does not serve it); 0 = none. */
  LIENTHONG_METRICS_PORT: int(0),
  /** JSON or edXML bodies above 1 MiB decoded at once by one gateway (the others wait their turn). */
  LIENTHONG_LARGE_BODY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /** Issue 20: the daily digest e-mail (smtp://user:pass@host:port or smtps://…); none = no e-mail. */
  LIENTHONG_SMTP_URL: z.string().url().optional(),
  LIENTHONG_MAIL_FROM: z.string().max(200).default('Liên Thông <no-reply@lienthong.invalid>'),
  /** Vietnam hour (0–23) after which the day's digest and reminders go out. */
  LIENTHONG_DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(7),
  /**
   * Admission control (issue 25): the time an accepted document should be through the pipeline
   * within (ms; 0 = never refuse); new documents are refused with 503 OVERLOADED and Retry-After
   * when the observed queueing delay passes its margin share of it …
   */
  LIENTHONG_ADMISSION_MAX_DELAY_MS: int(10_000),
  /** The share of that bound the observed queueing delay may reach before refusing (0 < m ≤ 1). */
  LIENTHONG_ADMISSION_MARGIN: z.coerce.number().gt(0).max(1).default(0.5),
  /** … and the backlog holds at least this many jobs (stage jobs waiting or running plus unrelayed outbox rows). */
  LIENTHONG_ADMISSION_MIN_BACKLOG: int(20),
  /** How often (ms) a gateway looks at the backlog while documents arrive. */
  LIENTHONG_ADMISSION_SAMPLE_MS: int(500),
  /**
   * Issue 19: how many of a search's newest matches are ranked by relevance (0 = every match);
   * checked here at start, read per search by services/domain/search/ranked-search.ts.
   */
  LIENTHONG_SEARCH_RANK_WINDOW: int(1000),
  /**
   * Past how many matches a word search stops counting and ranking (0 = count every match);
   * checked here at start, read per search by services/domain/search/ranked-search.ts.
   */
  LIENTHONG_SEARCH_COUNT_LIMIT: int(2000),
  /**
   * The embedded PostgreSQL's settings (README § Configuration): read and checked by infra/embedded
   * when it starts the server (postgres-memory, postgres-allocator, postgres-planner,
   * postgres-background); named here so that the start does not refuse them as unknown.
   */
  LIENTHONG_PG_SHARED_BUFFERS: z.string().optional(),
  LIENTHONG_PG_ALLOCATOR: z.string().optional(),
  LIENTHONG_PG_RANDOM_PAGE_COST: z.string().optional(),
  LIENTHONG_PG_AUTOVACUUM_COST_DELAY: z.string().optional(),
  /** Issue 22: the national document exchange axis; read and checked by services/axis/axis-client.ts. */
  LIENTHONG_AXIS_URL: z.string().url().optional(),
  LIENTHONG_AXIS_SYSTEM_ID: z.string().min(1).max(200).optional(),
  LIENTHONG_AXIS_SECRET: z.string().min(1).optional(),
  LIENTHONG_AXIS_POLL_MS: z.coerce.number().int().min(200).default(60_000),
  LIENTHONG_AXIS_SYNC_MS: z.coerce.number().int().min(1000).default(6 * 3600_000),
});

const KNOWN = new Set(Object.keys(Schema.shape));

/** Whether the configuration checker knows a variable (the README's table is tested against this). */
export function isKnownVariable(name: string): boolean {
  return KNOWN.has(name);
}

/** REDIS_URL is '' when Redis is reached through Sentinel or Cluster (createRedis takes the whole config then). */
export type Config = Omit<z.infer<typeof Schema>, 'REDIS_URL'> & { REDIS_URL: string; masterKey: Buffer; faultDelays: Record<string, number> };

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const unknown = Object.keys(env).filter((k) => k.startsWith('LIENTHONG_') && !KNOWN.has(k));
  if (unknown.length > 0) {
    throw new ConfigError(`Unknown configuration variable(s): ${unknown.join(', ')}. See README.md § Configuration.`);
  }
  const parsed = Schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}.`);
  }
  const c = parsed.data;
  if (c.LIENTHONG_FAULT_DELAY && !c.LIENTHONG_DEV_MODE) {
    throw new ConfigError('LIENTHONG_FAULT_DELAY is a test knob and is refused outside dev mode.');
  }
  const notTypes = (c.LIENTHONG_LTA_DOCUMENT_TYPES ?? '').split(',').map((t) => t.trim()).filter((t) => t && !(DOCUMENT_TYPE_CODES as readonly string[]).includes(t));
  if (notTypes.length) throw new ConfigError(`LIENTHONG_LTA_DOCUMENT_TYPES: ${notTypes.join(', ')} is not a document type code (${DOCUMENT_TYPE_CODES.join(', ')}).`);
  const clusterProblem = checkClusterConfig(c);
  if (clusterProblem) throw new ConfigError(clusterProblem);
  return {
    ...c,
    REDIS_URL: c.REDIS_URL ?? '',
    LIENTHONG_QUEUE_PREFIX: clusterQueuePrefix(c),
    masterKey: resolveMasterKey(c),
    faultDelays: parseFaultDelays(c.LIENTHONG_FAULT_DELAY),
  };
}

function resolveMasterKey(c: z.infer<typeof Schema>): Buffer {
  if (c.LIENTHONG_MASTER_KEY) return parseMasterKeyOrExplain(c.LIENTHONG_MASTER_KEY);
  if (!c.LIENTHONG_DEV_MODE) {
    throw new ConfigError(
      'LIENTHONG_MASTER_KEY is required (64 hex characters): it encrypts the agencies\' private keys. ' +
        'Only dev mode (LIENTHONG_DEV_MODE=1) may generate one.',
    );
  }
  // Dev mode: one generated key per data folder, kept beside the data it protects.
  const file = path.resolve(c.LIENTHONG_DATA_DIR, 'master.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  }
  return parseMasterKeyOrExplain(fs.readFileSync(file, 'utf8').trim());
}

function parseMasterKeyOrExplain(text: string): Buffer {
  try {
    return parseMasterKey(text);
  } catch (err) {
    throw new ConfigError(`LIENTHONG_MASTER_KEY: ${(err as Error).message}.`);
  }
}

function parseFaultDelays(spec: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of spec ? spec.split(',') : []) {
    const [stage, ms] = part.split(':');
    if (stage && ms) out[stage] = Number(ms);
  }
  return out;
}
