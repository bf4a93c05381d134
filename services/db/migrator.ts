import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { projectRoot } from '../config/project-root';
import type { Db } from './pool';

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

// Any constant works; it keeps two processes from migrating at once.
const MIGRATION_LOCK = 7_315_001;

export function migrationsDir(): string {
  return path.join(projectRoot(), 'infra', 'migrations');
}

/** Migration files not applied yet, in order; null when the database has no schema_migrations table (a fresh one). */
export async function pendingMigrations(db: Db, dir = migrationsDir()): Promise<string[] | null> {
  const exists = await db.query(`SELECT to_regclass('schema_migrations') IS NOT NULL AS ok`);
  if (!exists.rows[0].ok) return null;
  const done = new Set((await db.query('SELECT name FROM schema_migrations')).rows.map((r) => r.name as string));
  return fs.readdirSync(dir).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f) && !done.has(f)).sort();
}

/** Applies the plain-SQL migrations in name order, each in its own transaction, forward only. */
export async function migrate(db: Db, dir = migrationsDir()): Promise<MigrationResult> {
  const files = fs.readdirSync(dir).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const lock = await db.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await lock.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map<string, string>(
      (await lock.query('SELECT name, checksum FROM schema_migrations')).rows.map((r) => [r.name, r.checksum]),
    );
    const applied: string[] = [];
    for (const file of files) {
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const previous = done.get(file);
      if (previous !== undefined) {
        if (previous !== checksum) {
          throw new Error(`migration ${file} was changed after it was applied; add a new migration instead`);
        }
        continue;
      }
      // On the lock's own connection: a one-connection pool must not deadlock on itself.
      try {
        await lock.query('BEGIN');
        await lock.query(sql);
        await lock.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [file, checksum]);
        await lock.query('COMMIT');
      } catch (err) {
        await lock.query('ROLLBACK').catch(() => undefined);
        throw new Error(`migration ${file} failed: ${(err as Error).message}`);
      }
      applied.push(file);
    }
    return { applied, alreadyApplied: done.size };
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    lock.release();
  }
}
