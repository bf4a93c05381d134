// Which C allocator the embedded PostgreSQL's processes use: glibc's malloc, or jemalloc preloaded.
//
// A pooled backend lives as long as the service. With glibc, its private memory keeps the high-water
// mark of the statements it has run: glibc raises its mmap threshold to the size of each large block
// freed (up to 32 MiB), so later blocks of that size come from the heap, and the heap keeps the pages
// it is given back unless they sit at its top. The backends' memory contexts stayed flat (6-7 MB)
// while their private memory stepped up and never came down (BENCHMARKS.md § The seventeenth
// session). Fixing glibc's threshold instead made every large allocation an mmap and a munmap, and
// cost search 2.4x its CPU (§ The GLIBC_TUNABLES revert).
//
// jemalloc hands pages that stay unused back to the system over a decay time and reuses them
// meanwhile, so a backend's memory follows what it uses now. Pages are given back with
// MADV_DONTNEED (muzzy_decay_ms:0): MADV_FREE would leave them counted in the process's memory
// until the system runs short. The decay time is 1 s (dirty_decay_ms:1000) instead of jemalloc's
// 10 s: a backend that ran a large statement (a 20-page document to 50 recipients) held its 1.5–2 MB
// of freed pages for as long as statements like it kept coming, and whichever pooled backend drew
// them looked 20% larger than the rest, then smaller again, while its memory contexts did not move
// (BENCHMARKS.md § The twenty-eighth session). The shorter decay costs no CPU that two alternated
// pairs could see.
//
// LIENTHONG_PG_ALLOCATOR: `jemalloc` or `glibc`. Servers named by DATABASE_URL are not touched.
import fs from 'node:fs';
import path from 'node:path';

export type PgAllocator = 'jemalloc' | 'glibc';

/** Where Debian and others install jemalloc's shared library (package libjemalloc2). */
const LIBRARY_DIRS = ['/usr/lib', '/usr/lib64', '/usr/local/lib', '/lib'];
const LIBRARY = 'libjemalloc.so.2';

/** jemalloc's shared library, if installed: in a library folder or its multiarch subfolder. */
export function findJemalloc(dirs: string[] = LIBRARY_DIRS): string | undefined {
  for (const dir of dirs) {
    const direct = path.join(dir, LIBRARY);
    if (fs.existsSync(direct)) return direct;
    let subdirs: string[] = [];
    try {
      subdirs = fs.readdirSync(dir).filter((d) => d.endsWith('-linux-gnu'));
    } catch {
      continue;
    }
    for (const sub of subdirs) {
      const file = path.join(dir, sub, LIBRARY);
      if (fs.existsSync(file)) return file;
    }
  }
  return undefined;
}

export interface AllocatorChoice {
  allocator: PgAllocator;
  /** The server's environment: `base` with jemalloc preloaded, or `base` itself. */
  env: NodeJS.ProcessEnv;
}

/**
 * The environment to start the server with. `choice` is LIENTHONG_PG_ALLOCATOR; unset, jemalloc
 * when it is installed, else glibc. Asking for jemalloc where it is not installed is an error that
 * says what to install.
 */
export function allocatorFor(choice: string | undefined, base: NodeJS.ProcessEnv, find: () => string | undefined = findJemalloc): AllocatorChoice {
  const library = find();
  const wanted = choice?.trim() || undefined;
  if (wanted !== undefined && wanted !== 'jemalloc' && wanted !== 'glibc') {
    throw new Error(`LIENTHONG_PG_ALLOCATOR must be jemalloc or glibc, not ${JSON.stringify(wanted)}`);
  }
  if (wanted === 'glibc' || (wanted === undefined && !library)) return { allocator: 'glibc', env: base };
  if (!library) throw new Error('LIENTHONG_PG_ALLOCATOR=jemalloc, but libjemalloc.so.2 is not installed (Debian package libjemalloc2)');
  const preload = [library, ...(base['LD_PRELOAD']?.split(/[:\s]+/).filter(Boolean) ?? [])].join(':');
  const conf = ['muzzy_decay_ms:0', 'dirty_decay_ms:1000', base['MALLOC_CONF']].filter(Boolean).join(',');
  return { allocator: 'jemalloc', env: { ...base, LD_PRELOAD: preload, MALLOC_CONF: conf } };
}
