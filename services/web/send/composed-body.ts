import { Body, BODY_LIMITS } from '../../../contracts';
import { blocksFromText } from './body-text';

const vi = (n: number) => n.toLocaleString('vi-VN');
const TOO_LONG_OR_EMPTY =
  `Hãy soạn nội dung văn bản (ít nhất một đoạn; mỗi đoạn không quá ${vi(BODY_LIMITS.maxTextLength)} ký tự, ` +
  `cả văn bản không quá ${vi(BODY_LIMITS.maxTotalCharacters)} ký tự).`;

export type ComposedBody = { ok: true; body: Body } | { ok: false; field: 'bodyText'; message: string };

/**
 * The body editor's text as the contract's structured body: what the API's JSON `body` carries.
 * The web sends it through acceptDocument like the API does; the convert stage renders it after
 * the number is issued, so the gateway never renders the document it sends.
 */
export function composedBody(bodyText: string, recipientsText: string[] | undefined, copies: string): ComposedBody {
  const body = Body.safeParse({
    blocks: blocksFromText(bodyText),
    ...(recipientsText?.length ? { recipientsText } : {}),
    copies: copies || 'Lưu: VT.',
  });
  if (!body.success) return { ok: false, field: 'bodyText', message: TOO_LONG_OR_EMPTY };
  return { ok: true, body: body.data };
}
