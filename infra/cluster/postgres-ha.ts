import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { findOnPath, processCmdline } from '../embedded/common';
import { resolveRunAs, type RunAs } from '../embedded/embedded-postgres';
import { freePort } from '../embedded/free-port';
import { startDaemon, waitUntil, type Daemon } from './daemon';

/**
 * PostgreSQL primary + synchronous replica managed by Patroni, its state in etcd, and one PgBouncer
 * (transaction mode) beside each node. Clients list both PgBouncers in a multi-host URL with
 * target_session_attrs=read-write: the one in front of the primary is the one that takes writes.
 */
export interface PgNode {
  name: string;
  pgPort: number;
  apiPort: number;
  bouncerPort: number;
  dir: string;
  patroni: Daemon;
  bouncer: Daemon;
}

export interface PostgresHa {
  etcd: Daemon;
  nodes: PgNode[];
  /** Through the PgBouncers (transaction mode): what gateways and workers use. */
  pooledUrl: string;
  /** Straight to the PostgreSQL nodes: LISTEN, migrations. */
  sessionUrl: string;
  leader(): Promise<PgNode | undefined>;
  /** kill -9 of the leader's Patroni and PostgreSQL (the machine is lost); returns the node. */
  killLeader(): Promise<PgNode>;
  restartNode(node: PgNode): Promise<void>;
  stop(): Promise<void>;
}

const DATABASE = 'lienthong';
const SUPERUSER = 'lienthong';

function need(bin: string): string {
  const p = findOnPath(bin);
  if (!p) throw new Error(`${bin} not found; run \`bash infra/scripts/ensure-system-deps.sh --cluster\``);
  return p;
}

function pgBinDir(): string {
  const root = '/usr/lib/postgresql';
  const v = fs.readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a))[0];
  if (!v) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  return path.join(root, v, 'bin');
}

function patroniYaml(n: { name: string; pgPort: number; apiPort: number; dir: string }, etcdPort: number, namespace: string): string {
  // JSON is YAML: no YAML writer needed.
  return JSON.stringify({
    scope: 'lienthong',
    namespace,
    name: n.name,
    restapi: { listen: `127.0.0.1:${n.apiPort}`, connect_address: `127.0.0.1:${n.apiPort}` },
    etcd: { host: `127.0.0.1:${etcdPort}` },
    bootstrap: {
      dcs: {
        ttl: 20,
        loop_wait: 2,
        retry_timeout: 5,
        maximum_lag_on_failover: 1048576,
        // A commit returns only once the replica has it: a failover loses no acknowledged write.
        synchronous_mode: true,
        postgresql: {
          use_pg_rewind: true,
          parameters: { wal_level: 'replica', hot_standby: 'on', wal_log_hints: 'on', max_wal_senders: 10, max_replication_slots: 10, synchronous_commit: 'on', max_connections: 200 },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { locale: 'C.UTF-8' }, { auth: 'trust' }],
    },
    postgresql: {
      listen: `127.0.0.1:${n.pgPort}`,
      connect_address: `127.0.0.1:${n.pgPort}`,
      data_dir: path.join(n.dir, 'data'),
      bin_dir: pgBinDir(),
      pgpass: path.join(n.dir, 'pgpass'),
      authentication: { superuser: { username: SUPERUSER, password: 'cluster-local' }, replication: { username: 'replicator', password: 'cluster-local' } },
      parameters: { unix_socket_directories: path.join(n.dir, 'run') },
      pg_hba: ['local all all trust', 'host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust'],
      remove_data_directory_on_rewind_failure: true,
      remove_data_directory_on_diverged_timelines: true,
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  });
}

function bouncerIni(n: { dir: string; pgPort: number; bouncerPort: number }): string {
  return [
    '[databases]',
    `${DATABASE} = host=127.0.0.1 port=${n.pgPort} dbname=${DATABASE}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${n.bouncerPort}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${path.join(n.dir, 'userlist.txt')}`,
    // Each transaction may run on another server connection: no session state may cross one.
    'pool_mode = transaction',
    'max_client_conn = 1000',
    'default_pool_size = 40',
    'server_reset_query =',
    'server_login_retry = 1',
    'server_connect_timeout = 3',
    // A client waiting for a server connection to a node that is gone gets an error in seconds
    // (and is disconnected), so its pool moves to the other node instead of hanging for minutes.
    'query_wait_timeout = 5',
    'ignore_startup_parameters = extra_float_digits,options',
    `pidfile = ${path.join(n.dir, 'pgbouncer.pid')}`,
    `admin_users = ${SUPERUSER}`,
  ].join('\n') + '\n';
}

async function role(apiPort: number): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${apiPort}/patroni`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
  if (!res) return undefined;
  const body = (await res.json().catch(() => ({}))) as { role?: string; state?: string };
  return body.state === 'running' ? body.role : undefined;
}

function startPatroni(n: Omit<PgNode, 'patroni' | 'bouncer'>, runAs: RunAs | undefined): Daemon {
  return startDaemon(`patroni:${n.name}`, need('patroni'), [path.join(n.dir, 'patroni.yml')], path.join(n.dir, 'patroni.log'), {
    cwd: n.dir,
    uid: runAs?.uid,
    gid: runAs?.gid,
    env: { PATH: process.env.PATH, HOME: n.dir, LANG: 'C.UTF-8' },
  });
}

export async function startPostgresHa(root: string): Promise<PostgresHa> {
  const runAs = await resolveRunAs(() => undefined);
  const own = (p: string) => runAs && fs.chownSync(p, runAs.uid, runAs.gid);
  const etcdDir = path.join(root, 'etcd');
  fs.mkdirSync(etcdDir, { recursive: true });
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const etcd = startDaemon('etcd', need('etcd'), [
    '--name', 'e1', '--data-dir', path.join(etcdDir, 'data'),
    '--listen-client-urls', `http://127.0.0.1:${clientPort}`, '--advertise-client-urls', `http://127.0.0.1:${clientPort}`,
    '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
    '--initial-cluster', `e1=http://127.0.0.1:${peerPort}`, '--enable-v2=true',
  ], path.join(etcdDir, 'etcd.log'), { cwd: etcdDir });
  await waitUntil('etcd', async () => (await fetch(`http://127.0.0.1:${clientPort}/health`)).ok, 30_000, etcd);

  const namespace = `/lienthong-${path.basename(root)}/`;
  const nodes: PgNode[] = [];
  for (const name of ['pg1', 'pg2']) {
    const dir = path.join(root, name);
    for (const d of [dir, path.join(dir, 'run')]) {
      fs.mkdirSync(d, { recursive: true, mode: 0o700 });
      own(d);
    }
    const n = { name, dir, pgPort: await freePort(), apiPort: await freePort(), bouncerPort: await freePort() };
    fs.writeFileSync(path.join(dir, 'patroni.yml'), patroniYaml(n, clientPort, namespace));
    fs.writeFileSync(path.join(dir, 'pgbouncer.ini'), bouncerIni(n));
    fs.writeFileSync(path.join(dir, 'userlist.txt'), `"${SUPERUSER}" ""\n`);
    for (const f of ['patroni.yml', 'pgbouncer.ini', 'userlist.txt']) own(path.join(dir, f));
    const patroni = startPatroni(n, runAs);
    // The first node bootstraps the cluster alone; the second then copies it (pg_basebackup).
    if (name === 'pg1') await waitUntil('the first PostgreSQL node as primary', async () => (await role(n.apiPort)) === 'master' || (await role(n.apiPort)) === 'primary', 120_000, patroni);
    nodes.push({ ...n, patroni, bouncer: undefined as unknown as Daemon });
  }
  await waitUntil('the replica streaming', async () => (await role(nodes[1]!.apiPort)) === 'replica', 120_000, nodes[1]!.patroni);
  const admin = new pg.Client({ host: '127.0.0.1', port: nodes[0]!.pgPort, user: SUPERUSER, database: 'postgres' });
  await admin.connect();
  if (!(await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE])).rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  for (const n of nodes) {
    n.bouncer = startDaemon(`pgbouncer:${n.name}`, need('pgbouncer'), [path.join(n.dir, 'pgbouncer.ini')], path.join(n.dir, 'pgbouncer.log'), { cwd: n.dir, uid: runAs?.uid, gid: runAs?.gid });
  }
  for (const n of nodes) {
    await waitUntil(`pgbouncer ${n.name}`, async () => {
      const c = new pg.Client({ host: '127.0.0.1', port: n.bouncerPort, user: SUPERUSER, database: DATABASE });
      await c.connect();
      await c.end();
      return true;
    }, 30_000, n.bouncer);
  }
  const hosts = (key: 'pgPort' | 'bouncerPort') => nodes.map((n) => `127.0.0.1:${n[key]}`).join(',');
  const ha: PostgresHa = {
    etcd,
    nodes,
    pooledUrl: `postgres://${SUPERUSER}@${hosts('bouncerPort')}/${DATABASE}?target_session_attrs=read-write`,
    sessionUrl: `postgres://${SUPERUSER}@${hosts('pgPort')}/${DATABASE}?target_session_attrs=read-write`,
    async leader() {
      for (const n of nodes) {
        const r = n.patroni.alive() ? await role(n.apiPort) : undefined;
        if (r === 'master' || r === 'primary') return n;
      }
      return undefined;
    },
    async killLeader() {
      const n = await ha.leader();
      if (!n) throw new Error('no PostgreSQL leader to kill');
      const postmaster = Number(fs.readFileSync(path.join(n.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
      n.patroni.kill('SIGKILL');
      try {
        process.kill(postmaster, 'SIGKILL');
      } catch {
        /* gone with Patroni */
      }
      return n;
    },
    async restartNode(n) {
      n.patroni = startPatroni(n, runAs);
      await waitUntil(`${n.name} rejoining as a replica`, async () => (await role(n.apiPort)) === 'replica', 180_000, n.patroni);
    },
    async stop() {
      for (const n of nodes) await n.bouncer?.stop(5_000, 'SIGINT');
      // Replica first, then the primary (Patroni stops its PostgreSQL on SIGTERM).
      const lead = await ha.leader().catch(() => undefined);
      for (const n of [...nodes.filter((x) => x !== lead), ...(lead ? [lead] : [])]) await n.patroni.stop(60_000);
      for (const n of nodes) {
        const pidFile = path.join(n.dir, 'data', 'postmaster.pid');
        if (fs.existsSync(pidFile)) {
          const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
          if (!processCmdline(pid)?.includes(n.dir)) continue; // a stale file: that pid is someone else's now
          try {
            process.kill(pid, 'SIGINT');
          } catch {
            /* already stopped */
          }
        }
      }
      await etcd.stop(10_000);
    },
  };
  return ha;
}
