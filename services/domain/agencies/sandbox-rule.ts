import { ErrorCode } from '../../../contracts';
import { DomainError } from '../errors/domain-error';

/**
 * Sandbox agencies (`lienthong sandbox create`) carry codes `SANDBOX.<tag>.A|B`, and the database
 * generates the flag from the prefix (migration 0046), so the code alone says which world an agency is in.
 */
export const SANDBOX_CODE_PREFIX = 'SANDBOX.';

export function isSandboxCode(code: string): boolean {
  return code.startsWith(SANDBOX_CODE_PREFIX);
}

/**
 * A vendor's test traffic never reaches a real agency and real documents never reach a sandbox:
 * every recipient (groups expanded) must be on the sender's side. Checked before anything is written.
 */
export function refuseSandboxCrossing(sender: string, recipients: string[]): void {
  const own = isSandboxCode(sender);
  const crossing = recipients.filter((c) => isSandboxCode(c) !== own);
  if (crossing.length === 0) return;
  throw new DomainError(
    ErrorCode.UNKNOWN_RECIPIENT,
    own
      ? `Cơ quan thử nghiệm chỉ gửi được cho cơ quan thử nghiệm; không gửi được cho ${crossing.join(', ')}.`
      : `${crossing.join(', ')} là cơ quan thử nghiệm (sandbox); văn bản thật không gửi đến đó.`,
    crossing.map((code) => ({ recipient: code })),
  );
}
