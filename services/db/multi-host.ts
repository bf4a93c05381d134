import pg from 'pg';

/**
 * PostgreSQL multi-host URLs, as libpq reads them: `postgres://user@h1:5432,h2:5432/db?
 * target_session_attrs=read-write` lists the servers in order; with `read-write`, a server that
 * answers `transaction_read_only = on` (a replica, a primary being demoted) is passed over. node-pg
 * knows neither, so this module splits such a URL into one single-host URL per server and keeps,
 * for the pool, which one answered last as a writable primary.
 */
export interface PgTargets {
  /** One ordinary URL per host, target_session_attrs removed. */
  urls: string[];
  readWrite: boolean;
}

const URL_SHAPE = /^(postgres(?:ql)?:\/\/)([^@/?]*@)?([^/?]*)([^?]*)(\?.*)?$/;

export function parsePgTargets(url: string): PgTargets {
  const m = URL_SHAPE.exec(url);
  if (!m) return { urls: [url], readWrite: false };
  const [, scheme, auth = '', hosts = '', dbPath = '', query = ''] = m;
  const params = new URLSearchParams(query.slice(1));
  const attrs = params.get('target_session_attrs');
  params.delete('target_session_attrs');
  const rest = params.toString();
  const tail = `${dbPath}${rest ? `?${rest}` : ''}`;
  const list = hosts.split(',').filter(Boolean);
  const urls = (list.length ? list : ['']).map((h) => `${scheme}${auth}${h}${tail}`);
  if (attrs && attrs !== 'read-write' && attrs !== 'any') {
    throw new Error(`target_session_attrs=${attrs} is not supported (read-write or any)`);
  }
  return { urls, readWrite: attrs === 'read-write' };
}

/** Remembers which server to try first; moves on when one refuses or turns out read-only. */
export class PrimaryLocator {
  private index = 0;
  constructor(readonly targets: PgTargets) {}

  current(): string {
    return this.targets.urls[this.index % this.targets.urls.length]!;
  }

  /** The server at `url` failed: the next connection tries the one after it. */
  failed(url: string): void {
    const i = this.targets.urls.indexOf(url);
    if (i === this.index % this.targets.urls.length) this.index = (i + 1) % this.targets.urls.length;
  }
}

export class ReadOnlyServerError extends Error {
  readonly code = 'READ_ONLY_SERVER';
}

/** With target_session_attrs=read-write: refuse a server that is read-only (a standby). */
export async function checkWritable(client: pg.Client, targets: PgTargets, url: string): Promise<void> {
  if (!targets.readWrite) return;
  const r = await client.query<{ transaction_read_only: string }>('SHOW transaction_read_only');
  if (r.rows[0]?.transaction_read_only !== 'off') throw new ReadOnlyServerError(`${url.replace(/\/\/[^@/]*@/, '//')} is read-only (not the primary)`);
}

/**
 * One session connection (LISTEN, the migration lock) to the first server of a multi-host URL
 * that accepts it (and is writable, with read-write). Throws the last error when none does.
 */
export async function connectSession(url: string, applicationName: string): Promise<pg.Client> {
  const targets = parsePgTargets(url);
  let last: unknown;
  for (const candidate of targets.urls) {
    const client = new pg.Client({ connectionString: candidate, application_name: applicationName, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined); // replaced by the caller's handler once connected
    try {
      await client.connect();
      await checkWritable(client, targets, candidate);
      client.removeAllListeners('error');
      return client;
    } catch (err) {
      last = err;
      await client.end().catch(() => undefined);
    }
  }
  throw last;
}
