import type { Kind } from './payloads';

/** What the orchestrator and the load generator say to each other over the IPC channel. */
export interface LoadgenSetup {
  baseUrl: string;
  databaseUrl: string;
  senders: { code: string; apiKey: string }[];
  five: string[];
  group50: string;
  group500: string;
}

/** One submission as the load generator saw it; times are epoch ms. */
export interface DocRecord {
  kind: Kind | 'fanout500' | 'big';
  id: string | null;
  /** When it should have been sent (open loop) or was sent (closed loop): latency starts here. */
  tSend: number;
  tAccepted: number | null;
  tDone: number | null;
  httpStatus: number;
  /** The Retry-After header of a refused submission (503/429), as sent. */
  retryAfter?: string | null;
  error?: string;
}

export type LoadgenCommand =
  | { cmd: 'setup'; setup: LoadgenSetup }
  | { cmd: 'probeBody' }
  | { cmd: 'sequential'; kind: Kind; count: number; gapMs: number }
  | { cmd: 'closed'; kinds: Kind[]; inflight: number; warmupMs: number; durationMs: number }
  | { cmd: 'open'; kinds: Kind[]; rate: number; durationMs: number }
  | { cmd: 'fanout' }
  | { cmd: 'big'; file: string }
  | { cmd: 'httpRate'; target: 'bare' | 'accept'; url: string; concurrency: number; durationMs: number };

export interface ClosedResult {
  records: DocRecord[];
  /** Documents whose last delivery fell inside the measured window, per second. */
  docsPerSec: number;
  windowFrom: number;
  windowTo: number;
}

export interface HttpRateResult {
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  perSec: number;
}
