import type { NextFunction, Request, Response } from 'express';
import { ErrorCode, type ErrorBody } from '../../../contracts';
import { logger } from '../../logging/logger';
import { countAdmissionShed } from '../../metrics/metrics';
import type { Backlog } from './backlog-sampler';

export interface AdmissionPolicy {
  /** The time an accepted document should be through the pipeline within (ms); 0 = never refuse. */
  maxDelayMs: number;
  /**
   * The share of that bound the observed queueing may use (0–1]: the rest is left for the stages'
   * own work and for what arrives before the next look (the observed delay is the age of jobs
   * waiting now, so it trails what a document admitted now will meet).
   */
  margin: number;
  /** … and the backlog holds at least this many jobs (a short queue is never a reason to refuse). */
  minBacklog: number;
}

/** Once refusing, keep refusing until the delay is this far below the mark (no flapping). */
const RESUME_AT = 0.8;
const MAX_RETRY_AFTER_S = 60;
/** Admissions older than this are not counted even when no newer look came (the sampler failing). */
const ADMITTED_HORIZON_MS = 10_000;

export interface AdmissionDecision {
  admit: boolean;
  retryAfterS?: number;
}

/** The queueing delay past which new documents are refused (ms). */
export function refuseAboveMs(policy: AdmissionPolicy): number {
  return policy.maxDelayMs * policy.margin;
}

/**
 * The waiting a document admitted now would meet: what the last look saw, plus the documents this
 * gateway admitted since that look began, at the rate the slowest stage was seen draining. Without
 * the second part, every document offered between two looks gets in: at twice the pipeline's rate
 * and a look every 250 ms, a burst of half a second's work each time the gate opens again.
 */
export function expectedDelayMs(b: Backlog, admittedSinceLook: number): number {
  return b.drainPerSec ? b.queueDelayMs + Math.round((admittedSinceLook / b.drainPerSec) * 1000) : b.queueDelayMs;
}

/**
 * The decision alone, a pure function of the backlog, the documents admitted since it was looked
 * at, and whether we were refusing already.
 */
export function decide(b: Backlog, policy: AdmissionPolicy, refusing: boolean, admittedSinceLook = 0): AdmissionDecision {
  if (policy.maxDelayMs <= 0) return { admit: true };
  const factor = refusing ? RESUME_AT : 1;
  const mark = refuseAboveMs(policy);
  const delayMs = expectedDelayMs(b, admittedSinceLook);
  const over = b.jobs + admittedSinceLook >= policy.minBacklog * factor && delayMs > mark * factor;
  if (!over) return { admit: true };
  // Come back when the waiting should be under the resume mark: the excess drains about as fast as it built up.
  const excessMs = delayMs - mark * RESUME_AT;
  return { admit: false, retryAfterS: Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil(excessMs / 1000))) };
}

/**
 * Graceful overload: before a submission's body is read, the gateway looks at how long work waits
 * in the pipeline; past the bound it answers 503 OVERLOADED with Retry-After instead of accepting
 * work the pipeline cannot finish in time. What it accepts is never dropped later.
 */
export function admissionGate(backlog: () => Backlog, policy: AdmissionPolicy, now: () => number = Date.now) {
  const log = logger('admission');
  let refusing = false;
  /** When this gateway admitted its recent documents (only those after the latest look are kept). */
  const admittedAt: number[] = [];
  return (_req: Request, res: Response, next: NextFunction): void => {
    const b = backlog();
    // The times are in order: drop the ones before the look (or the horizon) in one go.
    const from = Math.max(b.lookedAt, now() - ADMITTED_HORIZON_MS);
    let stale = 0;
    while (stale < admittedAt.length && admittedAt[stale]! < from) stale++;
    if (stale > 0) admittedAt.splice(0, stale);
    const admittedSinceLook = admittedAt.length;
    const expected = expectedDelayMs(b, admittedSinceLook);
    const d = decide(b, policy, refusing, admittedSinceLook);
    if (refusing !== !d.admit) {
      // One line per change of state, not one per refused request (overload is no time to log more).
      const fields = { backlogJobs: b.jobs, queueDelayMs: b.queueDelayMs, admittedSinceLook, expectedDelayMs: expected, perStageMs: b.perStageMs, refuseAboveMs: refuseAboveMs(policy) };
      if (d.admit) log.info(fields, 'admitting new documents again');
      else log.warn(fields, 'pipeline queueing delay past its bound: refusing new documents');
    }
    refusing = !d.admit;
    if (d.admit) {
      if (policy.maxDelayMs > 0) admittedAt.push(now());
      return next();
    }
    countAdmissionShed();
    // Answered here, without an Error (no stack to capture, nothing to log per request).
    const body: ErrorBody = {
      error: {
        code: ErrorCode.OVERLOADED,
        message: `Hệ thống đang quá tải: văn bản gửi lúc này sẽ phải chờ xử lý khoảng ${Math.ceil(expected / 1000)} giây (${b.jobs + admittedSinceLook} việc đang chờ). Văn bản chưa được nhận; hãy gửi lại sau ${d.retryAfterS} giây.`,
        details: [
          {
            backlogJobs: b.jobs,
            queueDelayMs: b.queueDelayMs,
            admittedSinceLook,
            drainPerSec: b.drainPerSec,
            expectedDelayMs: expected,
            perStageMs: b.perStageMs,
            refuseAboveMs: refuseAboveMs(policy),
            retryAfterSeconds: d.retryAfterS,
          },
        ],
      },
    };
    res.status(503).setHeader('Retry-After', String(d.retryAfterS)).json(body);
  };
}
