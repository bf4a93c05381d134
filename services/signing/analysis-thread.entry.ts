import { readFileSync } from 'node:fs';
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
