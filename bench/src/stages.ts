import fs from 'node:fs';
import type { DocRecord } from './loadgen-protocol';
import { percentile, round } from './stats';

export const STAGE_NAMES = ['accept', 'convert', 'sign', 'route', 'deliver'] as const;
type StageName = (typeof STAGE_NAMES)[number];

interface Milestones {
  converted?: number;
  signed?: number;
  routed?: number;
  lastDelivered?: number;
}

/**
 * Reads the workers' pino lines (LOG_LEVEL=info): 'converted', 'signed', 'routed' and each
 * 'delivered' carry the documentId and the time the stage's transaction had committed.
 */
export function readMilestones(logFile: string): Map<string, Milestones> {
  const out = new Map<string, Milestones>();
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    const m = /"msg":"(converted|signed|routed|delivered)"/.exec(line);
    if (!m) continue;
    let entry: { time?: string; documentId?: string };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (!entry.documentId || !entry.time) continue;
    const t = Date.parse(entry.time);
    const ms = out.get(entry.documentId) ?? {};
    if (m[1] === 'delivered') ms.lastDelivered = Math.max(ms.lastDelivered ?? 0, t);
    else ms[m[1] as 'converted' | 'signed' | 'routed'] = t;
    out.set(entry.documentId, ms);
  }
  return out;
}

export interface StageFigures {
  p50Ms: number | null;
  p99Ms: number | null;
  share: number | null;
}

/**
 * Splits each document's end-to-end time into consecutive intervals: accept = POST → 202; convert =
 * 202 → 'converted'; sign = → 'signed'; route = → 'routed'; deliver = → the last 'delivered'. Each
 * interval holds the stage's work plus the relay hop and queue wait before it.
 */
export function stageBreakdown(records: DocRecord[], milestones: Map<string, Milestones>) {
  const intervals: Record<StageName, number[]> = { accept: [], convert: [], sign: [], route: [], deliver: [] };
  let used = 0;
  for (const r of records) {
    const m = r.id ? milestones.get(r.id) : undefined;
    if (!m || r.error || r.tAccepted === null || !m.converted || !m.signed || !m.routed || !m.lastDelivered) continue;
    used++;
    intervals.accept.push(r.tAccepted - r.tSend);
    intervals.convert.push(m.converted - r.tAccepted);
    intervals.sign.push(m.signed - m.converted);
    intervals.route.push(m.routed - m.signed);
    intervals.deliver.push(m.lastDelivered - m.routed);
  }
  const totals = STAGE_NAMES.map((s) => intervals[s].reduce((a, b) => a + b, 0));
  const all = totals.reduce((a, b) => a + b, 0);
  const stages = Object.fromEntries(
    STAGE_NAMES.map((s, i) => [
      s,
      { p50Ms: round(percentile(intervals[s], 50)), p99Ms: round(percentile(intervals[s], 99)), share: all > 0 ? round(totals[i]! / all, 3) : null },
    ]),
  ) as Record<StageName, StageFigures>;
  return { documents: used, stages };
}
