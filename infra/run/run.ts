/* eslint-disable no-console -- the launcher talks to the person at the terminal. */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../services/config/config';
import { projectRoot } from '../../services/config/project-root';
import { createPool } from '../../services/db/pool';
import { migrate } from '../../services/db/migrator';
import { ensureDevCa } from '../../services/domain/pki/dev-pki';
import { startEmbeddedStack, type EmbeddedStack } from '../embedded/embedded-stack';
import { needsSeed, seedDemo } from '../seed/seed-demo';
import { waitReady } from './wait-ready';
import { seedDemoUsers } from '../../services/web/seed/seed-demo-users';
import { startDevTsa } from '../../services/domain/pki/dev-tsa';
import { archiveSettings } from '../../services/backup/archive-settings';
import { backupTarget, ensurePrivateTarget, ownerOf, resolveBackupDir } from '../../services/backup/backup-target';
import { guardMigrations } from '../../services/backup/pre-migration';

/**
 * `make run`: the whole service in one command. Without DATABASE_URL / REDIS_URL it starts a private
 * PostgreSQL and Redis under the data folder; then migrates, seeds the demo directory on first
 * start (dev mode), and runs the gateway and the workers as child processes until Ctrl-C.
 */
async function main(): Promise<void> {
  const root = projectRoot();
  const dataDir = path.resolve(process.env.LIENTHONG_DATA_DIR ?? path.join(root, '.data'));
  fs.mkdirSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, LIENTHONG_DATA_DIR: dataDir };
  // The embedded default is the development set-up: explicit dev mode, unless the caller chose.
  env.LIENTHONG_DEV_MODE ??= '1';

  // Backups (README § Backups): on by default for the embedded PostgreSQL, into `<data folder>-backups`.
  const embeddedPg = !env.DATABASE_URL;
  const backupDir = resolveBackupDir(env.LIENTHONG_BACKUP_DIR, dataDir, embeddedPg);
  const backups = backupDir ? backupTarget(backupDir) : undefined;
  if (backups) ensurePrivateTarget(backups);
  let stack: EmbeddedStack | undefined;
  if (!env.DATABASE_URL || !env.REDIS_URL) {
    console.log(`Starting private PostgreSQL and Redis under ${dataDir} …`);
    const postgresSettings = backups && embeddedPg ? archiveSettings(backups.walDir, Number(env.LIENTHONG_BACKUP_ARCHIVE_TIMEOUT_S ?? 50)) : undefined;
    stack = await startEmbeddedStack({ dataDir, log: (m) => console.log(`  ${m}`), ...(postgresSettings ? { postgresSettings } : {}) });
    // The server (not root) writes the archive: the WAL folder is its own, still private.
    // (As root its cluster may live outside the data folder: stack.postgres.dataDir says where.)
    if (backups && embeddedPg) ensurePrivateTarget(backups, ownerOf(stack.postgres.dataDir!));
    env.DATABASE_URL ??= stack.databaseUrl;
    env.REDIS_URL ??= stack.redisUrl;
  }
  if (backups) {
    env.LIENTHONG_BACKUP_DIR = backups.root;
    console.log(`Backups: base backups and archived WAL in ${backups.root} (the master key is not in them: keep it elsewhere)`);
  }
  const children: ChildProcess[] = [];
  let tsaServer: import('node:http').Server | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (code: number): Promise<void> =>
    (stopping ??= (async () => {
      console.log('\nStopping Liên Thông: in-flight work finishes first …');
      await Promise.all(children.map(stopChild));
      tsaServer?.close();
      await stack?.stop();
      console.log('Stopped.');
      process.exit(code);
    })());
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const config = loadConfig(env);
    const db = createPool(config.DATABASE_URL, { max: 2, application: 'lienthong-run' });
    const guard = await guardMigrations(db, { target: backups, databaseUrl: config.DATABASE_URL, baseEveryMin: config.LIENTHONG_BACKUP_BASE_EVERY_MIN });
    if (guard) console.log(`Before ${guard.pending.length} migration(s): ${guard.point ? `restore point ${guard.point}` : 'no restore point'}${guard.baseBackup ? `, base backup ${guard.baseBackup}` : ''}.\n  ${guard.howToGoBack}`);
    const m = await migrate(db);
    if (m.applied.length) console.log(`Migrations applied: ${m.applied.join(', ')}`);
    const credentialsFile = path.join(dataDir, 'dev-credentials.json');
    const baseUrl = config.LIENTHONG_PUBLIC_URL ?? `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
    if (config.LIENTHONG_DEV_MODE) {
      await ensureDevCa(db, config.masterKey, true);
      if (await needsSeed(db)) {
        console.log('First start: seeding the demo directory (Đắk Lắk) …');
        const creds = await seedDemo(db, config.masterKey);
        await seedDemoUsers(db, creds);
        fs.writeFileSync(credentialsFile, JSON.stringify({ baseUrl, ...creds }, null, 2) + '\n', { mode: 0o600 });
      }
    }
    if (config.LIENTHONG_DEV_MODE && !env.LIENTHONG_TSA_URL) {
      // The development TSA (its certificate from the dev CA): signatures come out PAdES B-T.
      const tsa = await startDevTsa(db, config.masterKey, true, { revocationBaseUrl: baseUrl });
      tsaServer = tsa.server;
      env.LIENTHONG_TSA_URL = tsa.url;
      console.log(`Development timestamp authority at ${tsa.url}`);
    }
    await db.end();

    const entry = (rel: string) => path.join(root, 'dist', rel);
    children.push(fork(entry('services/gateway/main.js'), [], { env: { ...env, LIENTHONG_PROCESS: 'gateway' } }));
    children.push(fork(entry('workers/main.js'), [], { env: { ...env, LIENTHONG_PROCESS: 'workers' } }));
    for (const c of children) c.on('exit', (code) => !stopping && code !== 0 && void stop(1));
    await waitReady(`${baseUrl}/health/ready`, 30_000);
    console.log(`\nLiên Thông is running at ${baseUrl}`);
    if (fs.existsSync(credentialsFile)) console.log(`Demo agencies and their API keys: ${credentialsFile}`);
    console.log('Press Ctrl-C to stop.');
  } catch (err) {
    console.error(`Liên Thông could not start: ${(err as Error).message}`);
    await stop(1);
  }
}


function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

void main();
