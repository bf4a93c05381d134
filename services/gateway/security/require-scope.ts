import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../../../contracts';
import type { ApiKeyPrincipal, ApiKeyScope } from '../../domain/apikeys/api-key.repository';
import { DomainError } from '../../domain/errors/domain-error';

/**
 * The one table of which API-key scope each /v1 route needs (any of those listed). Routes not
 * listed: reads need `read`, everything else `send`. POST /v1/edxml lets both through here and
 * asks again once the envelope is parsed (a status message needs `status`, a document `send`).
 */
const ROUTE_SCOPES: { method: string; path: RegExp; anyOf: ApiKeyScope[] }[] = [
  { method: 'POST', path: /^\/v1\/inbox\/[^/]+\/status$/, anyOf: ['status'] },
  { method: 'POST', path: /^\/v1\/edxml$/, anyOf: ['send', 'status'] },
  { method: 'GET', path: /^\/v1\/stats\//, anyOf: ['read', 'monitor'] },
  { method: 'GET', path: /^\/v1\/reports\//, anyOf: ['read', 'monitor'] },
  { method: 'GET', path: /^\/v1\/agencies$/, anyOf: ['read', 'monitor'] },
  { method: 'GET', path: /^\/v1\/registers\/books$/, anyOf: ['read', 'status'] },
  { method: 'POST', path: /^\/v1\/registers\/books$/, anyOf: ['send', 'status'] },
];

export function scopesFor(method: string, path: string): ApiKeyScope[] {
  const rule = ROUTE_SCOPES.find((r) => r.method === method && r.path.test(path));
  if (rule) return rule.anyOf;
  return method === 'GET' || method === 'HEAD' ? ['read'] : ['send'];
}

export function checkScope(principal: Pick<ApiKeyPrincipal, 'scopes'>, anyOf: readonly ApiKeyScope[]): void {
  if (anyOf.some((s) => principal.scopes.includes(s))) return;
  throw new DomainError(ErrorCode.FORBIDDEN, `Khóa API này không có quyền cần cho thao tác (scope ${anyOf.join(' hoặc ')}).`, [
    { requiredScope: anyOf, keyScopes: principal.scopes },
  ]);
}

/** After authenticate: refuses a key whose scopes do not cover the route (403 FORBIDDEN). */
export function requireScope(req: Request, res: Response, next: NextFunction): void {
  const principal = res.locals.principal as ApiKeyPrincipal | undefined;
  if (!principal) return next();
  checkScope(principal, scopesFor(req.method, req.baseUrl + req.path));
  next();
}
