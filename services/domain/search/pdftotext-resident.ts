import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { MAX_TEXT_CHARS } from './pdftotext-run';
import { RESIDENT_EXTRACTOR_PY } from './pdftotext-resident-source';

/** Bytes above this go to pdftotext (no copy through a pipe; a process start is small beside them). */
export const RESIDENT_MAX_BYTES = 4 * 1024 * 1024;
const TIMEOUT_MS = 30_000;
const MAX_PAGES = 200;
/** After this many extractors that ended or never started, pdftotext alone is used. */
const MAX_STARTS = 5;

interface Waiter {
  resolve: (text: string | null) => void;
  timer: NodeJS.Timeout;
}

interface Extractor {
  child: ChildProcess;
  ready: Promise<boolean>;
  queue: Waiter[];
}

let current: Extractor | null = null;
let starts = 0;
let missing = false;

function python(): string {
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

function end(x: Extractor): void {
  if (current === x) current = null;
  for (const w of x.queue.splice(0)) {
    clearTimeout(w.timer);
    w.resolve(null);
  }
  x.child.kill('SIGKILL');
}

function idle(x: Extractor, on: boolean): void {
  for (const h of [x.child, x.child.stdin, x.child.stdout] as ({ ref(): unknown; unref(): unknown } | null)[]) {
    if (on) h?.unref();
    else h?.ref();
  }
}

function start(): Extractor | null {
  if (current) return current;
  if (missing || starts >= MAX_STARTS) return null;
  starts++;
  const child = spawn(python(), ['-c', RESIDENT_EXTRACTOR_PY, String(MAX_PAGES), String(MAX_TEXT_CHARS * 4)], { stdio: ['pipe', 'pipe', 'ignore'] });
  let buf: Buffer = Buffer.alloc(0);
  let sawReady = false;
  let markReady: (ok: boolean) => void = () => undefined;
  const x: Extractor = { child, queue: [], ready: new Promise<boolean>((r) => (markReady = r)) };
  child.stdout!.on('data', (c: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, c]) : c;
    if (!sawReady && buf.length >= 1) {
      sawReady = true;
      const ok = buf[0] === 0x52; // 'R'
      buf = buf.subarray(1);
      if (!ok) missing = true; // 'X': the library is not installed
      markReady(ok);
      if (!ok) return end(x);
    }
    while (buf.length >= 5) {
      const len = buf.readUInt32BE(1);
      if (buf.length < 5 + len) break;
      const kind = buf[0];
      const body = buf.subarray(5, 5 + len);
      buf = buf.subarray(5 + len);
      const w = x.queue.shift();
      if (!w) continue;
      clearTimeout(w.timer);
      // 't': the text; 'e': poppler refused the PDF, and pdftotext answers for it (its own error).
      w.resolve(kind === 0x74 ? body.toString('utf8') : null);
      if (x.queue.length === 0) idle(x, true);
    }
  });
  child.stdin!.on('error', () => undefined); // its exit decides
  child.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') missing = true; // no python3
    markReady(false);
    end(x);
  });
  child.on('exit', () => {
    markReady(false);
    end(x);
  });
  current = x;
  return x;
}

/**
 * The text of a PDF (pdftotext's words, UTF-8, the first 200 pages) from the resident extractor,
 * or null when it cannot answer: not installed (no python3 or libpoppler-glib), the PDF refused,
 * the extractor ended or took over 30 s. The caller then runs pdftotext, whose answer or error
 * stands, so a document gets the same text either way.
 */
export async function residentText(pdf: Buffer): Promise<string | null> {
  if (pdf.length > RESIDENT_MAX_BYTES) return null;
  const x = start();
  if (!x || !(await x.ready) || current !== x) return null;
  return new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => end(x), TIMEOUT_MS);
    x.queue.push({ resolve, timer });
    idle(x, false);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(pdf.length);
    x.child.stdin!.write(head);
    x.child.stdin!.write(pdf);
  });
}

/** The extractor's process id, if one runs (tests). */
export function residentPid(): number | undefined {
  return current?.child.pid;
}

/** Stops the extractor (tests; at shutdown it ends with its parent's pipes). */
export function stopResident(): void {
  if (current) end(current);
  starts = 0;
}
