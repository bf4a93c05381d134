import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TextReply, TextRequest } from './pdftotext-helper';
import { runPdftotext } from './pdftotext-run';

/** Bytes above this go to pdftotext directly (no copy through IPC; the fork is small beside them). */
const IPC_MAX_BYTES = 4 * 1024 * 1024;

let helper: ChildProcess | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (s: string) => void; reject: (e: Error) => void }>();

function failAll(err: Error): void {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

function started(): ChildProcess {
  if (helper && helper.connected) return helper;
  // No inherited flags (--cpu-prof, --inspect): the helper is a plain small Node process.
  const child = fork(path.join(__dirname, 'pdftotext-helper.js'), [], { serialization: 'advanced', execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  child.on('message', (m: TextReply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if ('text' in m) p.resolve(m.text);
    else p.reject(new Error(m.error));
    if (pending.size === 0) idle(child);
  });
  const gone = (why: string) => {
    if (helper === child) helper = null;
    failAll(new Error(`the pdftotext helper ${why}`));
  };
  child.on('exit', (code, signal) => gone(`ended (${signal ?? `code ${code}`})`));
  child.on('error', (err) => gone(`failed: ${err.message}`));
  helper = child;
  return child;
}

/** Lets the process exit while the helper waits for work; held again while a request is out. */
function idle(child: ChildProcess): void {
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
}
function busy(child: ChildProcess): void {
  child.ref();
  (child.channel as { ref?: () => void } | undefined)?.ref?.();
}

/**
 * pdftotext's output for PDF bytes or a file, run by the long-lived helper process; large buffers
 * run directly. Same answers and errors as running it here.
 */
export function pdftotext(source: Buffer | string): Promise<string> {
  if (typeof source !== 'string' && source.length > IPC_MAX_BYTES) return runPdftotext(source);
  const child = started();
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    busy(child);
    child.send({ id, source } satisfies TextRequest, (err) => {
      if (!err) return;
      // The helper is going (its exit follows): start afresh next time.
      if (helper === child) helper = null;
      if (!pending.delete(id)) return;
      reject(new Error(`the pdftotext helper could not take the request (${err.message})`));
    });
  });
}

/** Stops the helper (tests; process shutdown needs nothing: the helper ends with its parent). */
export function stopPdftotextHelper(): void {
  helper?.kill();
  helper = null;
}
