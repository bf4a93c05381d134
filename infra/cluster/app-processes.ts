import path from 'node:path';
import { projectRoot } from '../../services/config/project-root';
import { freePort } from '../embedded/free-port';
import { startDaemon, waitUntil, type Daemon } from './daemon';

/** A gateway or worker process of the cluster; restartable on the same port and arguments. */
export interface AppProcess {
  name: string;
  kind: 'gateway' | 'worker';
  port?: number;
  args: string[];
  daemon: Daemon;
}

export async function startGateway(logDir: string, name: string, env: NodeJS.ProcessEnv, port?: number): Promise<AppProcess> {
  const p = port ?? (await freePort());
  const daemon = startDaemon(name, process.execPath, [path.join(projectRoot(), 'dist', 'services', 'gateway', 'main.js')], path.join(logDir, `${name}.log`), {
    env: { ...env, LIENTHONG_PROCESS: name, HOST: '127.0.0.1', PORT: String(p) },
  });
  await waitUntil(`${name} ready`, async () => (await fetch(`http://127.0.0.1:${p}/health/ready`, { signal: AbortSignal.timeout(2_000) })).ok, 60_000, daemon);
  return { name, kind: 'gateway', port: p, args: [], daemon };
}

export function startWorker(logDir: string, name: string, env: NodeJS.ProcessEnv, args: string[] = []): AppProcess {
  const daemon = startDaemon(name, process.execPath, [path.join(projectRoot(), 'dist', 'workers', 'main.js'), ...args], path.join(logDir, `${name}.log`), {
    env: { ...env, LIENTHONG_PROCESS: name },
  });
  return { name, kind: 'worker', args, daemon };
}
