import { createHash } from 'node:crypto';
import pg from 'pg';
import { logger } from '../logging/logger';
import { checkWritable, parsePgTargets, PrimaryLocator } from './multi-host';
import type { RoundTripCounter } from './round-trips';

const log = logger('db');

// Dates stay strings (YYYY-MM-DD): a date has no time zone, and JS Date would invent one.
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);
// bigint counts fit in a JS number for our volumes; keep them numbers rather than strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export type Db = pg.Pool;
export type Tx = pg.PoolClient;
export type Queryable = pg.Pool | pg.PoolClient;

/** Named statements one connection keeps at most; beyond it, new texts run unnamed (parsed each time). */
const MAX_PREPARED_PER_CONNECTION = 256;
const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `lt_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (names.size < 10_000) names.set(text, name);
  }
  return name;
}

/**
 * A client that prepares every parameterised statement once per connection (a named statement,
 * named by its text) instead of having PostgreSQL parse and plan it on every call: node-pg sends
 * unnamed statements by default, and parse + plan were a large part of the server's CPU per
 * document in the benchmark. Only statements with parameters (the extended protocol, one statement
 * per text), and at most MAX_PREPARED_PER_CONNECTION distinct texts per connection, so generated
 * statements (multi-row VALUES of varying length) cannot grow a backend's memory without bound.
 */
class PreparingClient extends pg.Client {
  private readonly prepared = new Set<string>();

  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = statementName(text);
      if (this.prepared.has(name) || this.prepared.size < MAX_PREPARED_PER_CONNECTION) {
        this.prepared.add(name);
        args.splice(0, 2, { name, text, values });
      }
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

/**
 * A statement PostgreSQL plans for its values every time (sent unnamed, never prepared): for the
 * few statements whose best plan depends on the values themselves, where the generic plan a named
 * statement falls back to after five executions is worse. Measured at 1,000,000 documents: a word
 * search's ranked read took 25 ms of the database's CPU with a cached generic plan against 17 ms
 * planned for its words and agency (the planning itself 0.3 ms).
 */
export function plannedEachTime(text: string, values: unknown[]): pg.QueryConfig {
  return { text, values };
}

export interface PoolOptions {
  max?: number;
  application?: string;
  /**
   * Named statements per connection (default on). Off behind PgBouncer in transaction mode before
   * 1.21: each transaction may land on another server connection, where the name is unknown.
   */
  prepared?: boolean;
  /** Counts every round trip of the pool's connections (tests: services/db/round-trips.ts). */
  roundTrips?: RoundTripCounter;
  /**
   * How long a connection may sit unused before the pool closes it (ms; default 30 s, for short
   * programs such as the CLI). The long-running services pass SERVICE_IDLE_TIMEOUT_MS.
   */
  idleTimeoutMs?: number;
}

/**
 * Idle timeout of the gateway's and the workers' pools: 10 minutes (HikariCP's default idleTimeout,
 * the JDBC pools' usual figure). With 30 s, every rise in load opened connections that every lull
 * closed again: 48 backends were started and ended in a 20-minute soak at a steady 50% of the
 * maximum, and each new backend paid for its start and for loading its caches and compiling the
 * trigger functions on its first documents, while the load was rising. An idle backend costs the
 * server a few MB; a connection dropped by the server is replaced on the next checkout.
 */
export const SERVICE_IDLE_TIMEOUT_MS = 600_000;

/**
 * The client class for one pool: named statements or not, and, for a multi-host URL, the server it
 * connects to chosen by a PrimaryLocator (a refused or read-only server is passed over by the next
 * connection; the caller's query fails and is retried as any query during a failover).
 */
function clientClassFor(url: string, prepared: boolean): { Client: typeof pg.Client; connectionString: string } {
  const targets = parsePgTargets(url);
  const Base: typeof pg.Client = prepared ? PreparingClient : pg.Client;
  if (targets.urls.length === 1 && !targets.readWrite) return { Client: Base, connectionString: url };
  const locator = new PrimaryLocator(targets);
  class LocatingClient extends Base {
    private readonly target: string;
    constructor(config: pg.ClientConfig) {
      const target = locator.current();
      super({ ...config, connectionString: target });
      this.target = target;
    }
    override connect(...args: unknown[]): never {
      const callback = args[0] as ((err?: Error, c?: pg.Client) => void) | undefined;
      const done = (async () => {
        try {
          await (super.connect as unknown as () => Promise<void>).call(this);
          await checkWritable(this as unknown as pg.Client, targets, this.target);
        } catch (err) {
          locator.failed(this.target);
          await this.end().catch(() => undefined);
          throw err;
        }
      })();
      if (callback) done.then(() => callback(undefined, this as unknown as pg.Client), (err: Error) => callback(err));
      return (callback ? undefined : done.then(() => this)) as never;
    }
    /**
     * A connection whose server stopped being the primary (demoted behind a PgBouncer that kept the
     * client connected) answers every write with 25006: close it, so the pool opens a new one on
     * the primary instead of failing the same way again.
     */
    override query(...args: unknown[]): never {
      const drop = (err: unknown) => {
        const code = (err as { code?: string } | undefined)?.code;
        if (code === '25006' || code === '57P01' || code === '08P01') {
          locator.failed(this.target);
          void this.end().catch(() => undefined);
        }
      };
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        args[args.length - 1] = (err: unknown, res: unknown) => {
          if (err) drop(err);
          (last as (e: unknown, r: unknown) => void)(err, res);
        };
      }
      const out = (super.query as (...a: unknown[]) => unknown).apply(this, args);
      if (out && typeof (out as Promise<unknown>).catch === 'function' && typeof last !== 'function') {
        return (out as Promise<unknown>).catch((err: unknown) => {
          drop(err);
          throw err;
        }) as never;
      }
      return out as never;
    }
  }
  return { Client: LocatingClient as unknown as typeof pg.Client, connectionString: targets.urls[0]! };
}

export function createPool(url: string, opts: PoolOptions = {}): Db {
  const { Client, connectionString } = clientClassFor(url, opts.prepared ?? true);
  const pool = new pg.Pool({
    Client,
    connectionString,
    max: opts.max ?? 10,
    application_name: opts.application ?? 'lienthong',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: opts.idleTimeoutMs ?? 30_000,
  });
  // An idle client that loses its server (PostgreSQL restart) emits here; without a listener the
  // process would crash. The pool replaces the client on the next checkout.
  pool.on('error', (err) => log.warn({ err }, 'idle PostgreSQL client error'));
  // A client checked out when PostgreSQL goes away (a restart) emits 'error' too; unheard, that
  // event would kill the process. The query in flight still fails and its caller retries.
  pool.on('connect', (client) => client.on('error', (err) => log.warn({ err }, 'PostgreSQL connection lost')));
  const counter = opts.roundTrips;
  if (counter) {
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const [q] = args;
        counter.record(typeof q === 'string' ? q : String((q as { text?: string }).text ?? 'COPY'));
        return query(...args);
      };
    });
  }
  return pool;
}

/** Runs `fn` in one transaction; rolls back on any throw. */
export async function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
