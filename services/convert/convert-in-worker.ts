import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConvertError, isConvertErrorCode, RENDER_INVALID } from './convert-errors';
import { type ConvertOptions, resolveOptions } from './convert-options';
import type { ConvertResult } from './convert-source';
import type { WorkerReply, WorkerRequest } from './convert-worker.entry';
import { RenderInputError, type RenderInput } from '../render/render-input';
import type { SourceType } from './sniff';
import { logger } from '../logging/logger';

const ENTRY = path.join(__dirname, 'convert-worker.entry.js');
const log = logger('convert');
/**
 * Warm threads kept per heap limit. Loading pdf-lib, fontkit and the fonts costs 0.3–1 s of CPU a
 * thread, so the pool must hold as many threads as conversions run at once: with fewer, every
 * conversion beyond the pool's size started a thread and threw it away (the benchmark's convert
 * stage spent most of its CPU there). The worker process sets it to its convert concurrency.
 */
let maxIdle = 4;

/**
 * Young generation of a conversion thread, at most (MB). V8 grows a thread's new space by doubling
 * up to this cap and never gives it back while the thread idles: at 64 MB each warm thread sat at
 * ~90 MB committed (the soak's workers climbed 430 → 590 MB in steps as one thread after another
 * reached it); at 16 MB they settle at ~45 MB, for no measurable CPU on the mix's documents
 * (BENCHMARKS.md § Bounding the conversion threads' heaps).
 */
export const CONVERT_YOUNG_GENERATION_MB = 16;
/**
 * A thread whose committed heap is above this after a job (MB) is ended rather than kept warm, and a
 * fresh one takes its place: a huge document grows the old generation, which an idle thread keeps.
 * The mix's documents leave ~45 MB, so only an unusually large conversion pays for a new thread.
 */
export const KEEP_WARM_BELOW_HEAP_MB = 64;

const idle = new Map<number, Worker[]>();
/** Each warm thread's committed V8 heap after its last job, as the thread reported it. */
const heapOf = new WeakMap<Worker, number>();
let nextId = 1;
let retired = 0;

/**
 * convertSource in a thread of its own, with a heap limit (resourceLimits) and a wall-clock
 * timeout that terminates the thread: a hostile or huge source fails alone (CONVERT_TIMEOUT,
 * CONVERT_OUT_OF_MEMORY, or its own ConvertError) and the calling process carries on. Threads
 * that answered are kept warm for the next conversion; a thread that timed out, ran out of memory
 * or crashed is never reused, nor one whose heap grew past KEEP_WARM_BELOW_HEAP_MB (a fresh
 * thread takes its place).
 */
export function convertInWorker(bytes: Buffer, options: ConvertOptions = {}): Promise<ConvertResult> {
  const opts = resolveOptions(options);
  if (bytes.length > opts.maxBytes) {
    return Promise.reject(new ConvertError('SOURCE_TOO_LARGE', `the file is ${bytes.length} bytes; at most ${opts.maxBytes} are accepted`));
  }
  const copy = new Uint8Array(bytes); // the caller keeps its buffer; the copy moves to the thread
  return inThread({ id: nextId++, bytes: copy, opts: options }, [copy.buffer]);
}

/**
 * A structured body rendered in the official layout (renderOfficialDocument) in the same warm
 * threads, with the same heap limit and a wall-clock timeout: a long body (136 pages: 5.7 s here)
 * does not hold the worker's event loop. RenderInputError as renderOfficialDocument throws it.
 */
export function renderInWorker(input: RenderInput, options: ConvertOptions = {}): Promise<{ pdf: Buffer; pageCount: number }> {
  return inThread({ id: nextId++, bytes: new Uint8Array(0), opts: options, render: input }, []);
}

function inThread(request: WorkerRequest, transfer: ArrayBuffer[]): Promise<ConvertResult> {
  const opts = resolveOptions(request.opts);
  const memory = opts.maxMemoryMb;
  const worker = acquire(memory);

  return new Promise<ConvertResult>((resolve, reject) => {
    const done = (reuse: boolean) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (reuse) release(memory, worker);
      else void worker.terminate();
    };
    const timer = setTimeout(() => {
      done(false);
      reject(new ConvertError('CONVERT_TIMEOUT', `the conversion took longer than ${opts.timeoutMs} ms and was stopped`));
    }, opts.timeoutMs);
    const onMessage = (reply: WorkerReply) => {
      if (reply.id !== request.id) return;
      heapOf.set(worker, reply.heapBytes);
      done(true);
      if (reply.ok) {
        resolve({ pdf: Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength), pageCount: reply.pageCount, sourceType: reply.sourceType as SourceType });
      } else if (reply.code === RENDER_INVALID) {
        reject(new RenderInputError(reply.message));
      } else {
        reject(new ConvertError(isConvertErrorCode(reply.code) ? reply.code : 'CONVERT_FAILED', reply.message));
      }
    };
    const onError = (err: Error & { code?: string }) => {
      done(false);
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        reject(new ConvertError('CONVERT_OUT_OF_MEMORY', `the conversion needed more than ${memory} MB and was stopped`));
      } else {
        reject(new ConvertError('CONVERT_FAILED', `the conversion thread failed: ${err.message}`));
      }
    };
    const onExit = (code: number) => {
      done(false);
      reject(new ConvertError('CONVERT_FAILED', `the conversion thread ended (exit code ${code}) without an answer`));
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.postMessage(request, transfer);
  });
}

function acquire(memory: number): Worker {
  const warm = idle.get(memory)?.pop();
  if (warm) {
    warm.ref();
    return warm;
  }
  return spawn(memory);
}

let spawned = 0;

/** Threads started since the process began: a pool that fits its load stops growing this. */
export function convertThreadsSpawned(): number {
  return spawned;
}

function spawn(memory: number): Worker {
  spawned++;
  const worker = new Worker(ENTRY, {
    resourceLimits: { maxOldGenerationSizeMb: memory, maxYoungGenerationSizeMb: Math.max(4, Math.min(CONVERT_YOUNG_GENERATION_MB, memory / 8)) },
    // Captured and never read (reading would keep an idle thread's process alive); the thread
    // silences the console anyway, since pdf-lib warns about odd objects there.
    stdout: true,
    stderr: true,
  });
  // A thread that dies while idle (it should not) leaves the pool instead of failing the next caller.
  worker.once('exit', () => {
    const pool = idle.get(memory) ?? [];
    const at = pool.indexOf(worker);
    if (at >= 0) pool.splice(at, 1);
  });
  return worker;
}

function release(memory: number, worker: Worker): void {
  const pool = idle.get(memory) ?? [];
  idle.set(memory, pool);
  if (pool.length >= maxIdle) {
    void worker.terminate();
    return;
  }
  const heap = heapOf.get(worker) ?? 0;
  if (heap > KEEP_WARM_BELOW_HEAP_MB * 1024 * 1024) {
    // Its answer is already delivered: ending it loses nothing, and the fresh thread loads the
    // libraries now rather than on the next caller's time (0.3–1 s of CPU: worth a line).
    retired++;
    log.info({ heapMb: Math.round(heap / 1024 / 1024), retired, spawned }, 'conversion thread retired after its job (heap past the keep-warm bound); a fresh one replaces it');
    void worker.terminate();
    try {
      worker = spawn(memory);
    } catch {
      return; // no thread now (the caller's answer must still go out): the next caller starts one
    }
  }
  worker.unref(); // an idle thread must not keep the process alive
  pool.push(worker);
}

/** Threads ended after a job because their heap had grown past KEEP_WARM_BELOW_HEAP_MB. */
export function convertThreadsRetired(): number {
  return retired;
}

/** The committed V8 heap (bytes) each warm thread reported after its last job (0: none yet). */
export function warmConvertThreadHeaps(): number[] {
  return [...idle.values()].flat().map((w) => heapOf.get(w) ?? 0);
}

/**
 * Keeps up to `size` threads warm and, with `prewarm`, starts them now (in the background) so the
 * first conversions do not pay for loading the libraries.
 */
export function configureConvertThreads(size: number, opts: { prewarm?: boolean } = {}): void {
  maxIdle = Math.max(1, Math.floor(size));
  if (!opts.prewarm) return;
  const memory = resolveOptions().maxMemoryMb;
  const have = idle.get(memory)?.length ?? 0;
  for (let i = have; i < maxIdle; i++) release(memory, spawn(memory));
}

/** Ends the warm threads (tests, shutdown). Safe to call twice. */
export async function closeConvertThreads(): Promise<void> {
  const all = [...idle.values()].flat();
  idle.clear();
  await Promise.all(all.map((w) => w.terminate()));
}
