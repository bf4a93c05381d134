import { ErrorCode } from '../../../contracts';
import { DomainError } from '../errors/domain-error';

/**
 * A document the caller may refer to (responseFor, an edXML ResponseFor, a status message's
 * reference): one it sent, or one delivered to it. As SQL over `documents d`, with the caller's
 * agency code at parameter `$n`.
 */
export function visibleToCallerSql(n: number): string {
  return `(d.sender_code = $${n} OR EXISTS (SELECT 1 FROM dispatches x WHERE x.document_id = d.id AND x.recipient_code = $${n} AND x.delivered_at IS NOT NULL))`;
}

/**
 * The one answer for a reference the caller may not use, whether the document does not exist or
 * belongs to other agencies: the answer must not tell the two apart.
 */
export const UNKNOWN_REFERENCE_MESSAGE = 'Văn bản được tham chiếu không có trong số văn bản cơ quan đã gửi hoặc đã nhận.';

export function unknownReference(element: string): DomainError {
  return new DomainError(ErrorCode.UNKNOWN_REFERENCE, UNKNOWN_REFERENCE_MESSAGE, [{ element }]);
}
