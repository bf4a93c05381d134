import type { DocRecord } from './loadgen-protocol';
import { percentile } from './stats';

export interface OverloadResult {
  offeredPerSec: number;
  offered: number;
  accepted: number;
  shed: number;
  /** Latency of the accepted documents, from their intended send time to the last delivery. */
  p99AcceptedMs: number | null;
  p50AcceptedMs: number | null;
  /** Accepted (202) but never delivered within the load generator's wait, or failed. */
  lost: number;
  /** Of the shed answers (503/429), the fraction that carried Retry-After. */
  shedWithRetryAfter: number | null;
  otherAnswers: Record<string, number>;
}

/** What an open-loop phase above the maximum says about admission control. */
export function summariseOverload(records: DocRecord[], offeredPerSec: number): OverloadResult {
  const accepted = records.filter((r) => r.httpStatus === 202);
  const shed = records.filter((r) => r.httpStatus === 503 || r.httpStatus === 429);
  const done = accepted.filter((r) => r.tDone !== null && !r.error).map((r) => r.tDone! - r.tSend);
  const other: Record<string, number> = {};
  for (const r of records) if (r.httpStatus !== 202 && r.httpStatus !== 503 && r.httpStatus !== 429) other[String(r.httpStatus)] = (other[String(r.httpStatus)] ?? 0) + 1;
  const round = (v: number | null) => (v === null ? null : Math.round(v));
  return {
    offeredPerSec: Math.round(offeredPerSec * 100) / 100,
    offered: records.length,
    accepted: accepted.length,
    shed: shed.length,
    p99AcceptedMs: round(percentile(done, 99)),
    p50AcceptedMs: round(percentile(done, 50)),
    lost: accepted.length - done.length,
    shedWithRetryAfter: shed.length ? Math.round((shed.filter((r) => r.retryAfter).length / shed.length) * 1000) / 1000 : null,
    otherAnswers: other,
  };
}
