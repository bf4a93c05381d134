import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config/project-root';

/**
 * The CLI reaches the same database as the service: DATABASE_URL when set, otherwise the embedded
 * instance that `make run` started for LIENTHONG_DATA_DIR (its remembered port). Without either,
 * it says how to get one.
 */
export function resolveCliEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  const dataDir = path.resolve(env.LIENTHONG_DATA_DIR ?? path.join(projectRoot(), '.data'));
  out.LIENTHONG_DATA_DIR = dataDir;
  if (!out.DATABASE_URL) {
    const portFile = path.join(dataDir, 'postgres', 'port');
    if (!fs.existsSync(portFile)) {
      throw new Error(`DATABASE_URL is not set and no embedded PostgreSQL was found under ${dataDir} (start one with make run)`);
    }
    out.DATABASE_URL = `postgres://lienthong@127.0.0.1:${fs.readFileSync(portFile, 'utf8').trim()}/lienthong`;
    // Reading the master key of the embedded set-up means the CLI acts in its dev mode.
    out.LIENTHONG_DEV_MODE ??= fs.existsSync(path.join(dataDir, 'master.key')) ? '1' : undefined;
  }
  if (!out.REDIS_URL) {
    const portFile = path.join(dataDir, 'redis', 'port');
    out.REDIS_URL = fs.existsSync(portFile) ? `redis://127.0.0.1:${fs.readFileSync(portFile, 'utf8').trim()}` : 'redis://127.0.0.1:6379';
  }
  return out;
}
