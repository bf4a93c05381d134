import { DispatchStatus, EdxmlStatusCode } from '../../../contracts';

/** Who may post a code: the recipient agency (its system or clerk) or the sender. */
export type StatusActor = 'recipient' | 'sender';

export interface Transition {
  by: StatusActor;
  /** Dispatch states from which the code is accepted. */
  from: readonly DispatchStatus[];
  /** The new state; undefined = the state does not change (the event is still recorded). */
  to?: DispatchStatus;
}

const { delivered, accepted, assigned, processing, refused } = DispatchStatus;
const HANDLED = [accepted, assigned, processing] as const;

/**
 * The allowed moves, one row per edXML code (standards §1). Anything not listed is refused:
 * no "06 completed" before "03 accepted", a refused document cannot be completed, a revoked one
 * takes no more statuses.
 */
export const TRANSITIONS: Record<EdxmlStatusCode, Transition> = {
  [EdxmlStatusCode.arrived]: { by: 'recipient', from: [delivered] },
  [EdxmlStatusCode.refused]: { by: 'recipient', from: [delivered], to: refused },
  [EdxmlStatusCode.accepted]: { by: 'recipient', from: [delivered], to: accepted },
  [EdxmlStatusCode.assigned]: { by: 'recipient', from: [accepted, assigned, processing], to: assigned },
  [EdxmlStatusCode.processing]: { by: 'recipient', from: HANDLED, to: processing },
  [EdxmlStatusCode.completed]: { by: 'recipient', from: HANDLED, to: DispatchStatus.completed },
  [EdxmlStatusCode.takeBack]: { by: 'sender', from: [delivered, ...HANDLED, refused] },
  [EdxmlStatusCode.agreeUpdate]: { by: 'recipient', from: [delivered, ...HANDLED, refused], to: DispatchStatus.revoked },
  [EdxmlStatusCode.refuseUpdate]: { by: 'recipient', from: [delivered, ...HANDLED, refused] },
};

export type TransitionCheck = { ok: true; to: DispatchStatus | undefined } | { ok: false; reason: string };

export function checkTransition(
  code: EdxmlStatusCode,
  actor: StatusActor,
  current: DispatchStatus,
  pendingRequest: string | null,
): TransitionCheck {
  const t = TRANSITIONS[code];
  if (t.by !== actor) {
    return { ok: false, reason: `mã ${code} do ${t.by === 'sender' ? 'cơ quan gửi' : 'cơ quan nhận'} gửi, không phải ${actor === 'sender' ? 'cơ quan gửi' : 'cơ quan nhận'}` };
  }
  if (!t.from.includes(current)) {
    return { ok: false, reason: `không thể chuyển sang mã ${code} từ trạng thái ${current}` };
  }
  if ((code === EdxmlStatusCode.agreeUpdate || code === EdxmlStatusCode.refuseUpdate) && pendingRequest !== 'takeback') {
    return { ok: false, reason: `mã ${code} chỉ trả lời một yêu cầu lấy lại (13) đang chờ` };
  }
  if (code === EdxmlStatusCode.takeBack && pendingRequest === 'takeback') {
    return { ok: false, reason: 'đã có một yêu cầu lấy lại (13) đang chờ trả lời' };
  }
  return { ok: true, to: t.to };
}
