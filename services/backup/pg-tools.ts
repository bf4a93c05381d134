import fs from 'node:fs';
import path from 'node:path';
import { findOnPath } from '../../infra/embedded/common';

/**
 * A PostgreSQL client tool (pg_basebackup, pg_verifybackup, pg_archivecleanup) of the given major
 * version: Debian keeps each version's in /usr/lib/postgresql/N/bin; else the one on PATH.
 */
export function pgTool(name: string, major?: number): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).map(Number).sort((a, b) => b - a) : [];
  const ordered = major !== undefined ? [major, ...versions.filter((v) => v > major)] : versions;
  for (const v of ordered) {
    const p = path.join(root, String(v), 'bin', name);
    if (fs.existsSync(p)) return p;
  }
  const onPath = findOnPath(name);
  if (onPath) return onPath;
  throw new Error(`${name} not found (Debian package postgresql-client${major ? `-${major}` : ''}); run \`bash infra/scripts/ensure-system-deps.sh\``);
}

/** The major version of a data folder (its PG_VERSION file). */
export function dataVersion(pgdata: string): number {
  return Number(fs.readFileSync(path.join(pgdata, 'PG_VERSION'), 'utf8').trim());
}
