// Our private PostgreSQL + Redis pair under one data dir, for `make run`,
// tests and benchmarks: dataDir/postgres and dataDir/redis.
import path from 'node:path';
import { EmbeddedServer, Log } from './common';
import { startEmbeddedPostgres } from './embedded-postgres';
import { startEmbeddedRedis } from './embedded-redis';

export type { EmbeddedServer } from './common';

export interface EmbeddedStack {
  databaseUrl: string;
  redisUrl: string;
  postgres: EmbeddedServer;
  redis: EmbeddedServer;
  /** Stops both servers; idempotent, never throws (failures go to log). */
  stop(): Promise<void>;
}

export interface StackOptions {
  dataDir: string;
  /** Test instances: PostgreSQL without fsync (Redis keeps its AOF either way). */
  fast?: boolean;
  /** Extra PostgreSQL settings (the benchmark's profiling run loads pg_stat_statements). */
  postgresSettings?: Record<string, string>;
  log?: Log;
}

export async function startEmbeddedStack(opts: StackOptions): Promise<EmbeddedStack> {
  const log = opts.log ?? (() => undefined);
  const dataDir = path.resolve(opts.dataDir);
  // Start both at once (PostgreSQL dominates); if one fails, stop the other.
  const [pg, redis] = await Promise.allSettled([
    startEmbeddedPostgres({ dir: path.join(dataDir, 'postgres'), fast: opts.fast === true, ...(opts.postgresSettings ? { settings: opts.postgresSettings } : {}), log }),
    startEmbeddedRedis({ dir: path.join(dataDir, 'redis'), log }),
  ]);
  if (pg.status === 'rejected' || redis.status === 'rejected') {
    for (const r of [pg, redis]) if (r.status === 'fulfilled') await quietStop(r.value, log);
    throw pg.status === 'rejected' ? pg.reason : (redis as PromiseRejectedResult).reason;
  }
  let stopping: Promise<void> | undefined;
  return {
    databaseUrl: pg.value.url,
    redisUrl: redis.value.url,
    postgres: pg.value,
    redis: redis.value,
    stop: () => (stopping ??= Promise.all([quietStop(pg.value, log), quietStop(redis.value, log)]).then(() => undefined)),
  };
}

async function quietStop(server: EmbeddedServer, log: Log): Promise<void> {
  try {
    await server.stop();
  } catch (err) {
    log(`failed to stop the server on port ${server.port}: ${(err as Error).message}`);
  }
}
