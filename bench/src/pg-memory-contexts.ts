import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/**
 * What a PostgreSQL backend holds in its memory contexts, per backend (SOAK_PG_CONTEXTS=1 of the
 * soak): pg_log_backend_memory_contexts() makes every client backend write its contexts to the
 * server log, read back here. Comparing two snapshots says whether a pooled backend's private
 * memory grew in its contexts (caches, plans, PL/pgSQL functions: by which kind) or outside them
 * (memory freed to the allocator but not returned to the system).
 */
export interface ContextSnapshot {
  /**
   * Per backend pid: bytes per context kind (the name before the colon, summed over levels), the
   * grand total, and bytes per named context (`kind: ident`: a cached plan's statement, a PL/pgSQL
   * function, an index), which says which statements a backend met for the first time in between.
   */
  byPid: Map<number, { total: number; kinds: Map<string, number>; named: Map<string, number> }>;
}

export async function snapshotContexts(databaseUrl: string, waitMs = 3_000): Promise<ContextSnapshot> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  let logFile: string;
  let offset: number;
  try {
    const dd = (await c.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
    logFile = path.join(path.dirname(dd), 'postgres.log'); // the embedded cluster's layout (infra/embedded)
    offset = fs.statSync(logFile).size;
    await c.query(`SELECT pg_log_backend_memory_contexts(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`);
  } finally {
    await c.end();
  }
  await new Promise((r) => setTimeout(r, waitMs)); // an idle backend answers at its next interrupt check
  const fd = fs.openSync(logFile, 'r');
  const size = fs.fstatSync(fd).size;
  const buf = Buffer.alloc(Math.max(0, size - offset));
  fs.readSync(fd, buf, 0, buf.length, offset);
  fs.closeSync(fd);
  const byPid: ContextSnapshot['byPid'] = new Map();
  for (const line of buf.toString('utf8').split('\n')) {
    const pid = /\[(\d+)\]/.exec(line)?.[1];
    if (!pid) continue;
    const entry = byPid.get(Number(pid)) ?? { total: 0, kinds: new Map<string, number>(), named: new Map<string, number>() };
    const grand = /Grand total: (\d+) bytes/.exec(line);
    const ctx = /level: \d+; ([^:]+): (\d+) total/.exec(line);
    const more = /(\d+) more child contexts containing (\d+) total/.exec(line);
    if (grand) entry.total = Number(grand[1]);
    else if (ctx) {
      entry.kinds.set(ctx[1]!, (entry.kinds.get(ctx[1]!) ?? 0) + Number(ctx[2]));
      // PostgreSQL prints a context's identifier after its figures ("... used: <ident>", cut at 100 bytes).
      const ident = /\d+ used: (.+)$/.exec(line)?.[1];
      if (ident) {
        const key = `${ctx[1]}: ${ident.replace(/\s+/g, ' ').trim()}`;
        entry.named.set(key, (entry.named.get(key) ?? 0) + Number(ctx[2]));
      }
    }
    else if (more) entry.kinds.set('(more child contexts)', (entry.kinds.get('(more child contexts)') ?? 0) + Number(more[2]));
    else continue;
    byPid.set(Number(pid), entry);
  }
  return { byPid };
}

/** Per backend in both snapshots: the grand totals (KB) and the context kinds that grew most. */
export function contextGrowth(a: ContextSnapshot, b: ContextSnapshot, top = 4): { pid: number; fromKb: number; toKb: number; grew: Record<string, number> }[] {
  const out = [];
  for (const [pid, x] of a.byPid) {
    const y = b.byPid.get(pid);
    if (!y) continue;
    const kinds = new Set([...x.kinds.keys(), ...y.kinds.keys()]);
    const deltas = [...kinds].map((k) => [k, Math.round(((y.kinds.get(k) ?? 0) - (x.kinds.get(k) ?? 0)) / 1024)] as const).filter(([, d]) => d !== 0);
    deltas.sort((p, q) => Math.abs(q[1]) - Math.abs(p[1]));
    out.push({ pid, fromKb: Math.round(x.total / 1024), toKb: Math.round(y.total / 1024), grew: Object.fromEntries(deltas.slice(0, top)) });
  }
  return out.sort((p, q) => q.toKb - q.fromKb - (p.toKb - p.fromKb));
}

/**
 * The named contexts (a cached plan's statement, a function) that backends gained between the two
 * snapshots, over every backend alive at both: how many backends gained each and the bytes they
 * took in all, the most widespread first. A statement many pooled backends meet only late in a
 * soak is one that runs rarely (a sweeper, a scrape) and lands on a different connection each time.
 */
export function lateContexts(a: ContextSnapshot, b: ContextSnapshot, top = 12): { context: string; backends: number; kb: number }[] {
  const acc = new Map<string, { backends: number; bytes: number }>();
  for (const [pid, y] of b.byPid) {
    const x = a.byPid.get(pid);
    if (!x) continue;
    for (const [name, bytes] of y.named) {
      if (x.named.has(name)) continue;
      const e = acc.get(name) ?? { backends: 0, bytes: 0 };
      e.backends++;
      e.bytes += bytes;
      acc.set(name, e);
    }
  }
  return [...acc.entries()]
    .map(([context, e]) => ({ context, backends: e.backends, kb: Math.round(e.bytes / 1024) }))
    .sort((p, q) => q.backends - p.backends || q.kb - p.kb)
    .slice(0, top);
}

/** The statements pg_stat_statements saw compiled with JIT (empty without the extension). */
export async function jitStatements(databaseUrl: string): Promise<{ calls: number; functions: number; query: string }[]> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query(`SELECT calls, jit_functions, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS q FROM pg_stat_statements WHERE jit_functions > 0 ORDER BY jit_functions DESC LIMIT 10`);
    return r.rows.map((x) => ({ calls: Number(x.calls), functions: Number(x.jit_functions), query: String(x.q) }));
  } catch {
    return [];
  } finally {
    await c.end();
  }
}
