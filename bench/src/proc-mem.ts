import fs from 'node:fs';

/** Memory figures of a live process from /proc (Linux), in bytes. */
export interface ProcMem {
  rss: number;
  hwm: number;
}

export function readProcMem(pid: number): ProcMem | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null; // the process is gone
  }
}

/**
 * Resets VmHWM to the current RSS (writing 5 to clear_refs, Linux ≥ 4.0), so the peak of one
 * phase can be read on its own. Returns false where the kernel refuses.
 */
export function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
