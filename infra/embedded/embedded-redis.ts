// A private redis-server living in one directory:
//   dir/appendonlydir  AOF (when persistent)   dir/redis.log  its stdout/stderr
//   dir/redis.pid      its pid                 dir/port       the remembered port
// Bound to 127.0.0.1 and dir/redis.sock (which its URL uses), with maxmemory-policy noeviction, which BullMQ requires.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  choosePort, EmbeddedServer, findOnPath, isProcessAlive, Log, processName, rememberPort, sleep, tailFile,
  waitForExit,
} from './common';

export type { EmbeddedServer } from './common';

export interface RedisOptions {
  dir: string;
  port?: number;
  /** Append-only file with fsync every second (default true). */
  persistent?: boolean;
  log?: Log;
}

const START_TIMEOUT_MS = 30_000;

export async function startEmbeddedRedis(opts: RedisOptions): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => undefined);
  const dir = path.resolve(opts.dir);
  const pidFile = path.join(dir, 'redis.pid');
  const logFile = path.join(dir, 'redis.log');
  const bin = findOnPath('redis-server');
  if (!bin) throw new Error('redis-server not found; run `bash infra/scripts/ensure-system-deps.sh` (Debian package `redis-server`)');
  fs.mkdirSync(dir, { recursive: true });
  refuseIfRunning(pidFile);

  let port = 0;
  let pid = 0;
  for (let attempt = 1; ; attempt++) {
    port = await choosePort(dir, opts.port, log);
    const args = [
      '--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--daemonize', 'no',
      ...(socketFits(dir) ? ['--unixsocket', socketOf(dir), '--unixsocketperm', '700'] : []),
      '--appendonly', opts.persistent === false ? 'no' : 'yes', '--appendfsync', 'everysec',
      '--maxmemory-policy', 'noeviction', '--save', '',
    ];
    const logFd = fs.openSync(logFile, 'a');
    // Own session: Ctrl-C on `make run` must not reach redis before we SHUTDOWN it.
    const child = spawn(bin, args, { cwd: dir, detached: true, stdio: ['ignore', logFd, logFd] });
    fs.closeSync(logFd);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not spawn ${bin}`);
    pid = child.pid;
    fs.writeFileSync(pidFile, `${pid}\n`);
    let exited = false;
    child.once('exit', () => (exited = true));
    try {
      await waitUntilReady(port, pid, () => exited);
      break;
    } catch (err) {
      if (!exited) process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
      const portClash = /^another/.test((err as Error).message) || /address already in use/i.test(tailFile(logFile, 5));
      if (attempt >= 3 || opts.port !== undefined || !portClash) {
        throw new Error(`redis-server failed to start in ${dir} on port ${port}: ${(err as Error).message}\n` +
          `--- tail of ${logFile} ---\n${tailFile(logFile)}`);
      }
      log(`redis: port ${port} was taken, retrying`);
    }
  }
  rememberPort(dir, port);
  log(`redis running on 127.0.0.1:${port} (pid ${pid}, dir ${dir})`);

  let stopping: Promise<void> | undefined;
  const doStop = async (): Promise<void> => {
    if (!isProcessAlive(pid)) return;
    // SHUTDOWN flushes and fsyncs the AOF; on success the server just closes the connection.
    const reply = await redisCommand(port, 'SHUTDOWN').catch((e: Error) => `-${e.message}`);
    if (!(await waitForExit(pid, 15_000))) {
      log(`redis on port ${port} did not shut down (${reply.trim() || 'no reply'}); sending SIGTERM`);
      if (isProcessAlive(pid)) process.kill(pid, 'SIGTERM');
      if (!(await waitForExit(pid, 15_000))) {
        process.kill(pid, 'SIGKILL');
        await waitForExit(pid, 5_000);
        log(`redis on port ${port} had to be killed; the last second of writes may be lost`);
      }
    }
    fs.rmSync(pidFile, { force: true });
    log(`redis on port ${port} stopped`);
  };
  // Clients use the unix socket when there is one (cheaper per command than TCP loopback, as for
  // PostgreSQL); the TCP port stays open for redis-cli and tools.
  const viaSocket = socketFits(dir) && fs.existsSync(socketOf(dir)) ? `/?path=${encodeURIComponent(socketOf(dir))}` : '';
  return {
    url: `redis://127.0.0.1:${port}${viaSocket}`,
    port,
    pid,
    stop: () => (stopping ??= doStop()),
    kill: (signal = 'SIGKILL') => process.kill(pid, signal),
  };
}

function socketOf(dir: string): string {
  return path.join(dir, 'redis.sock');
}

/** A unix socket path is limited to ~107 bytes. */
function socketFits(dir: string): boolean {
  return Buffer.byteLength(socketOf(dir)) < 100;
}

/** Fails if the redis-server recorded in redis.pid is alive; forgets a stale pid. */
function refuseIfRunning(pidFile: string): void {
  let pid = NaN;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  const name = Number.isInteger(pid) && pid > 0 ? processName(pid) : undefined;
  if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid) && (name === undefined || name.startsWith('redis'))) {
    throw new Error(`redis-server is already running for ${path.dirname(pidFile)} (pid ${pid}); ` +
      'another `make run` or test uses this data dir — stop it first or use another dir');
  }
  fs.rmSync(pidFile, { force: true });
}

/** Polls until the server answers PING (not -LOADING) and is really our process. */
async function waitUntilReady(port: number, pid: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (exited()) throw new Error('redis-server exited during startup');
    try {
      last = await redisCommand(port, 'PING');
      if (last.startsWith('+PONG')) {
        // Someone else could own the port (race with freePort): check the pid.
        const info = await redisCommand(port, 'INFO server');
        if (info.includes(`process_id:${pid}\r`)) return;
        throw new Error(`another server answers on port ${port}`);
      }
    } catch (err) {
      if ((err as Error).message.startsWith('another')) throw err;
      last = (err as Error).message; // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`no answer to PING within ${START_TIMEOUT_MS / 1000}s (last: ${last.trim()})`);
}

/**
 * Sends one inline command and returns the raw reply (a simple/error line or a
 * whole bulk string); '' when the server closes without replying (SHUTDOWN).
 * Enough for PING/INFO/SHUTDOWN without an ioredis connection and its retries.
 */
function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve(buf);
    };
    socket.setTimeout(5_000, () => done(new Error(`timeout waiting for ${command}`)));
    socket.once('error', done);
    socket.once('close', () => done());
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const eol = buf.indexOf('\r\n');
      if (eol < 0) return;
      if (buf[0] !== '$') return done();
      const len = Number(buf.slice(1, eol));
      if (len < 0 || Buffer.byteLength(buf) >= eol + 2 + len + 2) done();
    });
  });
}
