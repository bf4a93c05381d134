import type { NextFunction, Request, Response } from 'express';
import { ErrorCode, type ErrorBody } from '../../../contracts';
import { logger } from '../../logging/logger';
import { countAdmissionShed } from '../../metrics/metrics';
import type { Backlog } from './backlog-sampler';

export interface AdmissionPolicy {
  /** Refuse when the backlog would take longer than this to drain (ms); 0 = never refuse. */
  maxDelayMs: number;
  /** … and it holds at least this many jobs (a short queue is never a reason to refuse). */
  minBacklog: number;
}

/** Once refusing, keep refusing until the backlog is this far below the bound (no flapping). */
const RESUME_AT = 0.8;
const MAX_RETRY_AFTER_S = 60;

export interface AdmissionDecision {
  admit: boolean;
  retryAfterS?: number;
}

/** The decision alone, a pure function of the backlog and whether we were refusing already. */
export function decide(b: Backlog, policy: AdmissionPolicy, refusing: boolean): AdmissionDecision {
  if (policy.maxDelayMs <= 0) return { admit: true };
  const factor = refusing ? RESUME_AT : 1;
  const over = b.jobs >= policy.minBacklog * factor && b.estimatedDelayMs > policy.maxDelayMs * factor;
  if (!over) return { admit: true };
  // Come back when the backlog should be under the resume mark; nothing draining: half a minute.
  const excessMs = b.estimatedDelayMs === Infinity ? 30_000 : b.estimatedDelayMs - policy.maxDelayMs * RESUME_AT;
  return { admit: false, retryAfterS: Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil(excessMs / 1000))) };
}

/**
 * Graceful overload: before a submission's body is read, the gateway looks at the pipeline's
 * backlog; past the bound it answers 503 OVERLOADED with Retry-After instead of accepting work
 * the pipeline cannot finish in time. What it accepts is never dropped later.
 */
export function admissionGate(backlog: () => Backlog, policy: AdmissionPolicy) {
  const log = logger('admission');
  let refusing = false;
  return (_req: Request, res: Response, next: NextFunction): void => {
    const b = backlog();
    const d = decide(b, policy, refusing);
    if (refusing !== !d.admit) {
      // One line per change of state, not one per refused request (overload is no time to log more).
      const delay = Number.isFinite(b.estimatedDelayMs) ? Math.round(b.estimatedDelayMs) : null;
      if (d.admit) log.info({ backlogJobs: b.jobs, estimatedDelayMs: delay }, 'admitting new documents again');
      else log.warn({ backlogJobs: b.jobs, estimatedDelayMs: delay, drainPerSec: b.drainPerSec }, 'pipeline backlog past its bound: refusing new documents');
    }
    refusing = !d.admit;
    if (d.admit) return next();
    countAdmissionShed();
    // Answered here, without an Error (no stack to capture, nothing to log per request).
    const seconds = b.estimatedDelayMs === Infinity ? 'chưa xác định' : `khoảng ${Math.ceil(b.estimatedDelayMs / 1000)} giây`;
    const body: ErrorBody = {
      error: {
        code: ErrorCode.OVERLOADED,
        message: `Hệ thống đang quá tải: còn ${b.jobs} việc chờ xử lý (${seconds}). Văn bản chưa được nhận; hãy gửi lại sau ${d.retryAfterS} giây.`,
        details: [{ backlogJobs: b.jobs, estimatedDelayMs: Number.isFinite(b.estimatedDelayMs) ? Math.round(b.estimatedDelayMs) : null, retryAfterSeconds: d.retryAfterS }],
      },
    };
    res.status(503).setHeader('Retry-After', String(d.retryAfterS)).json(body);
  };
}
