import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalysisReply, AnalysisRequest } from './analysis-thread.entry';
import type { SignatureAnalysis } from './signature-analysis';

// Signature analysis off the event loop: a hostile PDF (millions of objects, a /ByteRange bomb)
// costs a thread, not the gateway's or a worker's event loop, and a thread that runs past its
// budget is terminated. One thread is kept warm between analyses.

const ENTRY = path.join(__dirname, 'analysis-thread.entry.js');
const MEMORY_MB = 512;
/** A thread that analysed a file this large is ended rather than kept warm (its heap grew with it). */
const KEEP_WARM_BELOW_BYTES = 8 * 1024 * 1024;

export class VerificationBudgetError extends Error {
  override name = 'VerificationBudgetError';
}

let warm: Worker | null = null;
let nextId = 1;

function spawn(): Worker {
  return new Worker(ENTRY, { resourceLimits: { maxOldGenerationSizeMb: MEMORY_MB, maxYoungGenerationSizeMb: 32 }, stdout: true, stderr: true });
}

/** Structured cloning turns Buffers into Uint8Arrays: give them back their Buffer methods. */
function revive(a: SignatureAnalysis): SignatureAnalysis {
  const buf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  a.signerCertificate = a.signerCertificate ? buf(a.signerCertificate) : null;
  a.certificates = a.certificates.map(buf);
  if (a.timestamp) {
    a.timestamp.tsaCertificate = a.timestamp.tsaCertificate ? buf(a.timestamp.tsaCertificate) : null;
    a.timestamp.certificates = (a.timestamp.certificates ?? []).map(buf);
  }
  if (a.dss) a.dss = { certs: a.dss.certs.map(buf), crls: a.dss.crls.map(buf), ocsps: a.dss.ocsps.map(buf) };
  return a;
}

/** Analyses a PDF given as bytes (copied to the thread) or as a file path (read by the thread). */
export function analyseInThread(pdf: Buffer | { path: string }, budgetMs: number): Promise<SignatureAnalysis[]> {
  const worker = warm ?? spawn();
  warm = null;
  worker.ref();
  const copy = Buffer.isBuffer(pdf) ? new Uint8Array(pdf) : null;
  const request: AnalysisRequest = { id: nextId++, ...(copy ? { bytes: copy } : { path: (pdf as { path: string }).path }), budgetMs };
  return new Promise((resolve, reject) => {
    const done = (reuse: boolean): void => {
      clearTimeout(timer);
      worker.removeAllListeners('message');
      worker.removeAllListeners('error');
      worker.removeAllListeners('exit');
      if (reuse && !warm) {
        worker.unref();
        warm = worker;
      } else void worker.terminate();
    };
    // the thread checks its own deadline; this one catches a thread stuck inside one step
    const timer = setTimeout(() => {
      done(false);
      reject(new VerificationBudgetError(`signature verification took longer than ${budgetMs} ms and was stopped`));
    }, budgetMs + 1_000);
    worker.on('message', (reply: AnalysisReply) => {
      if (reply.id !== request.id) return;
      done(reply.ok && reply.bytesRead < KEEP_WARM_BELOW_BYTES);
      if (reply.ok) resolve(reply.analyses.map(revive));
      else reject(reply.name === 'ScanBudgetError' ? new VerificationBudgetError(reply.message) : new Error(reply.message));
    });
    worker.once('error', (err) => {
      done(false);
      reject(err);
    });
    worker.once('exit', (code) => {
      done(false);
      reject(new Error(`the signature analysis thread ended (exit code ${code})`));
    });
    worker.postMessage(request, copy ? [copy.buffer] : []);
  });
}

/** Ends the warm thread (tests, shutdown). */
export async function closeAnalysisThread(): Promise<void> {
  const w = warm;
  warm = null;
  if (w) await w.terminate();
}
