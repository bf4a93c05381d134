import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { analyseSignatures, SignatureAnalysis } from './signature-analysis';

/** A signature-analysis thread (analyse-in-thread.ts): one request at a time. */
export interface AnalysisRequest {
  id: number;
  /** The PDF, or the path of a file holding it (read here, so the caller's thread never copies it). */
  bytes?: Uint8Array;
  path?: string;
  budgetMs: number;
}

export type AnalysisReply = { id: number; ok: true; bytesRead: number; analyses: SignatureAnalysis[] } | { id: number; ok: false; name: string; message: string };

/** The niceness of an analysis thread: it yields its core to the event loop of the same process. */
export const ANALYSIS_THREAD_NICE = 10;

/**
 * On a machine with few cores the analysis thread and the event loop's thread of the same process
 * compete for a core; at equal priority the scheduler lets a hostile file's analysis hold the core
 * for a whole time slice while /health/live waits (answers of 300–600 ms on a loaded 2-core
 * machine). Linux gives every thread its own niceness (setpriority on the thread id, found through
 * /proc/thread-self): this thread alone is lowered, so the event loop preempts it. Elsewhere (no
 * /proc) it keeps the process's priority.
 */
export function lowerThisThreadsPriority(nice = ANALYSIS_THREAD_NICE): number | null {
  try {
    const tid = Number(/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (!Number.isInteger(tid) || tid <= 0 || tid === process.pid) return null; // never the whole process
    os.setPriority(tid, Math.max(os.getPriority(tid), nice));
    return tid;
  } catch {
    return null;
  }
}

if (parentPort) lowerThisThreadsPriority();

parentPort?.on('message', ({ id, bytes, path, budgetMs }: AnalysisRequest) => {
  let reply: AnalysisReply;
  try {
    const pdf = path ? readFileSync(path) : Buffer.from(bytes!.buffer, bytes!.byteOffset, bytes!.byteLength);
    reply = { id, ok: true, bytesRead: pdf.length, analyses: analyseSignatures(pdf, budgetMs) };
  } catch (err) {
    reply = { id, ok: false, name: (err as Error).name, message: (err as Error).message };
  }
  parentPort?.postMessage(reply);
});
