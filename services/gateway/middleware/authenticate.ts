import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../../../contracts';
import type { Db } from '../../db/pool';
import { authenticateApiKeyCached, type ApiKeyPrincipal } from '../../domain/apikeys/api-key.repository';
import { DomainError } from '../../domain/errors/domain-error';
import { withLogContext } from '../../logging/logger';
import { checkClientCertificate } from '../security/client-certificate';

/**
 * `Authorization: Bearer <api key>`; each key belongs to one agency. Checked on every request,
 * against a few seconds' memory of recently verified keys (API_KEY_CACHE_MS).
 */
export function authenticate(db: Db) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Thiếu khóa API (Authorization: Bearer <key>).');
    const principal = await authenticateApiKeyCached(db, m[1]!);
    if (!principal) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Khóa API không hợp lệ, đã hết hạn hoặc đã bị thu hồi.');
    checkClientCertificate(req, principal);
    res.locals.principal = principal;
    withLogContext({ agency: principal.agencyCode }, () => next());
  };
}

export function principalOf(res: Response): ApiKeyPrincipal {
  const p = res.locals.principal as ApiKeyPrincipal | undefined;
  if (!p) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Chưa xác thực.');
  return p;
}
