import type { PUSH_ATTEMPT_OUTCOMES } from '../../../contracts';

/**
 * The outcomes a push attempt's row can have (table dispatch_attempts, migration 0107).
 *
 * - `started`: written by the statement that counts the attempt, before the request leaves, so a
 *   counted attempt always has its row, whatever happens to the worker afterwards;
 * - `delivered` / `failed`: the attempt's known outcome, written over `started`;
 * - `interrupted`: the worker died during the attempt (its row was still `started` when the next
 *   attempt of the copy began, or when the copy closed). Whether the receiver got that request is
 *   unknown; every attempt carries the same delivery id, so a receiver deduplicating on it keeps one.
 */
export type PushAttemptOutcome = (typeof PUSH_ATTEMPT_OUTCOMES)[number];

/** The error an interrupted attempt's row reads: why it has no outcome, and what that means for the receiver. */
export const INTERRUPTED_ATTEMPT_ERROR =
  'lần thử bị gián đoạn: tiến trình gửi dừng giữa chừng, không rõ điểm nhận đã nhận hay chưa (lần thử sau gửi lại cùng mã giao nhận)';
