import { parentPort } from 'node:worker_threads';
import { analyseSignatures, SignatureAnalysis } from './signature-analysis';

/** A signature-analysis thread (analyse-in-thread.ts): one request at a time. */
export interface AnalysisRequest {
  id: number;
  bytes: Uint8Array;
  budgetMs: number;
}

export type AnalysisReply = { id: number; ok: true; analyses: SignatureAnalysis[] } | { id: number; ok: false; name: string; message: string };

parentPort?.on('message', ({ id, bytes, budgetMs }: AnalysisRequest) => {
  let reply: AnalysisReply;
  try {
    reply = { id, ok: true, analyses: analyseSignatures(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), budgetMs) };
  } catch (err) {
    reply = { id, ok: false, name: (err as Error).name, message: (err as Error).message };
  }
  parentPort?.postMessage(reply);
});
