// How much memory the embedded PostgreSQL may use for its own page cache.
//
// PostgreSQL's built-in shared_buffers is 128 MB whatever the machine. With a province's years of
// history the indexes that every accepted document inserts into (random UUID keys, the ledger's
// hash) are several hundred MB, so with 128 MB each insert evicts a page and reads another back
// from the kernel's cache. The usual sizing for a server of its own is a quarter of the memory,
// and effective_cache_size (a planner hint, not an allocation) about three quarters of it.
// Shared memory is only taken as pages are used: a small test cluster costs no more than before.
import fs from 'node:fs';
import os from 'node:os';

const MB = 1024 * 1024;
const FLOOR = 128 * MB;
const CEILING = 4096 * MB;

/** The memory this process may use: the machine's, or its cgroup's limit when that is lower. */
export function availableMemory(readFile: (p: string) => string = (p) => fs.readFileSync(p, 'utf8')): number {
  let limit = os.totalmem();
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const n = Number(readFile(file).trim());
      if (Number.isFinite(n) && n > 0) limit = Math.min(limit, n);
    } catch { /* no such controller: the machine's memory */ }
  }
  return limit;
}

/**
 * postgresql.conf lines for a server that has `memory` bytes to itself: shared_buffers a quarter
 * (between 128 MB and 4 GB), effective_cache_size three quarters. `sharedBuffers` (a PostgreSQL
 * size such as '512MB', from LIENTHONG_PG_SHARED_BUFFERS) replaces the computed one.
 */
export function memorySettings(memory: number, sharedBuffers?: string): Record<string, string> {
  const quarter = Math.min(CEILING, Math.max(FLOOR, Math.floor(memory / 4)));
  const shared = sharedBuffers?.trim() ? sharedBuffers.trim() : `${Math.floor(quarter / MB)}MB`;
  if (!/^\d+\s*(kB|MB|GB|TB)?$/.test(shared)) {
    throw new Error(`LIENTHONG_PG_SHARED_BUFFERS must be a PostgreSQL size such as 512MB or 2GB, not ${JSON.stringify(shared)}`);
  }
  return {
    shared_buffers: `'${shared}'`,
    effective_cache_size: `'${Math.floor(Math.max(FLOOR, (memory * 3) / 4) / MB)}MB'`,
  };
}
