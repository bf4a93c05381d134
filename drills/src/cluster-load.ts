import type { AuditStack } from './audit';
import type { DrillStack } from './drill-stack';
import { submitOnce } from './load';

export type LoadStack = AuditStack & Pick<DrillStack, 'sender'>;

export interface Submission {
  key: string;
  startedAt: number;
  acceptedAt?: number;
  id?: string;
  attempts: number;
  /** Answers other than 202 along the way (status or error), for the notes. */
  refusals: string[];
}

export interface SteadyLoad {
  submissions: Submission[];
  accepted(): number;
  /** Resolves when every submission is accepted or has given up. */
  done: Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A steady stream of documents through nginx: one every `intervalMs`, `count` in all. Each client
 * keeps its Idempotency-Key and retries (every 500 ms, for at most `giveUpMs`) until it gets 202,
 * as an agency system is told to: a retry after a cut connection cannot make a second document.
 */
export function steadyLoad(stack: LoadStack, count: number, intervalMs: number, giveUpMs = 150_000): SteadyLoad {
  const submissions: Submission[] = [];
  const runs: Promise<void>[] = [];
  const tag = `cl-${Date.now().toString(36)}`;
  const one = async (s: Submission) => {
    while (Date.now() - s.startedAt < giveUpMs) {
      s.attempts++;
      const r = await submitOnce(stack, s.key);
      if (r.status === 202 && r.id) {
        s.acceptedAt = Date.now();
        s.id = r.id;
        return;
      }
      s.refusals.push(r.status ? `${r.status}${r.error ? ` ${r.error}` : ''}` : `cut: ${r.error ?? ''}`.slice(0, 80));
      await sleep(500);
    }
  };
  const done = (async () => {
    for (let i = 0; i < count; i++) {
      const s: Submission = { key: `${tag}-${i}`, startedAt: Date.now(), attempts: 0, refusals: [] };
      submissions.push(s);
      runs.push(one(s));
      await sleep(intervalMs);
    }
    await Promise.all(runs);
  })();
  return { submissions, accepted: () => submissions.filter((s) => s.acceptedAt).length, done };
}

/** The longest stretch without a 202 answer around `faultAt` (what clients saw as an outage). */
export function longestAcceptGap(subs: Submission[], faultAt: number): number {
  const times = subs.map((s) => s.acceptedAt).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  let gap = 0;
  let prev = faultAt;
  for (const t of times) {
    if (t < faultAt) continue;
    gap = Math.max(gap, t - prev);
    break; // the first 202 after the fault ends the outage
  }
  for (let i = 1; i < times.length; i++) if (times[i - 1]! <= faultAt && times[i]! >= faultAt) gap = Math.max(gap, times[i]! - times[i - 1]!);
  return Math.round(gap / 100) / 10;
}

/** Summary of the refusals clients saw (e.g. `503 SERVICE_UNAVAILABLE ×12`). */
export function refusalSummary(subs: Submission[]): string {
  const counts = new Map<string, number>();
  for (const s of subs) for (const r of s.refusals) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none';
}

/** Polls without a database connection (waitFor needs one, and PostgreSQL may be failing over). */
export async function pollUntil<T>(what: string, check: () => Promise<T | false | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
