import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../../../contracts';
import type { ApiKeyPrincipal, ApiKeyScope } from '../../domain/apikeys/api-key.repository';
import { DomainError } from '../../domain/errors/domain-error';

/**
 * The one table of which API-key scope each /v1 route needs (any of those listed): every route the
 * gateway serves to a key, written as in its router. POST /v1/edxml lets both through here and asks
 * again once the envelope is parsed (a status message needs `status`, a document `send`).
 *
 * A path is matched the way Express routes it (case-insensitive, one trailing slash ignored:
 * the app's default `case sensitive routing` and `strict routing` settings, kept because clients
 * may rely on them), so `/v1/INBOX/x/status/` needs what `/v1/inbox/x/status` needs. A path in no
 * row needs a scope no key has (403): a route added without a row here is refused, never given a
 * method's default.
 */
const ROUTES: [method: 'GET' | 'POST', path: string, anyOf: ApiKeyScope[]][] = [
  ['POST', '/v1/documents', ['send']],
  ['GET', '/v1/documents/:id', ['read']],
  ['GET', '/v1/documents/:id/files/:role', ['read']],
  ['GET', '/v1/documents/:id/edxml', ['read']],
  ['GET', '/v1/documents/:id/evidence', ['read']],
  ['GET', '/v1/documents/:id/receipts', ['read']],
  ['GET', '/v1/documents/:id/receipts/:eventId', ['read']],
  ['GET', '/v1/documents/:id/dispatches/:dispatchId/packet', ['read']],
  ['GET', '/v1/documents/:id/dispatches/:dispatchId/attempts', ['read']],
  ['POST', '/v1/documents/:id/revoke', ['send']],
  ['POST', '/v1/paper-dispatches', ['send']],
  ['POST', '/v1/edxml', ['send', 'status']],
  ['GET', '/v1/inbox', ['read']],
  ['POST', '/v1/inbox/:dispatchId/status', ['status']],
  ['GET', '/v1/outbox', ['read']],
  ['GET', '/v1/outbox/overdue', ['read']],
  ['GET', '/v1/search', ['read']],
  ['GET', '/v1/agencies', ['read', 'monitor']],
  ['GET', '/v1/stats/edoc-rate', ['read', 'monitor']],
  ['GET', '/v1/reports/quarterly/:year/:quarter', ['read', 'monitor']],
  ['GET', '/v1/registers/books', ['read', 'status']],
  ['POST', '/v1/registers/books', ['send', 'status']],
];

/** An Express path (`:name` parameters) as Express matches it: case-insensitive, an optional trailing slash. */
function routePattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`, 'i');
}

const ROUTE_SCOPES = ROUTES.map(([method, path, anyOf]) => ({ method, path: routePattern(path), anyOf }));

/** The scopes a request needs (any of them); none can satisfy [] (a path that is no route of a key). */
export function scopesFor(method: string, path: string): ApiKeyScope[] {
  // Express answers HEAD with the GET route.
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  const rule = ROUTE_SCOPES.find((r) => r.method === m && r.path.test(path));
  return rule ? rule.anyOf : [];
}

export function checkScope(principal: Pick<ApiKeyPrincipal, 'scopes'>, anyOf: readonly ApiKeyScope[]): void {
  if (anyOf.some((s) => principal.scopes.includes(s))) return;
  const need = anyOf.length ? `scope ${anyOf.join(' hoặc ')}` : 'không khóa nào được dùng đường dẫn này';
  throw new DomainError(ErrorCode.FORBIDDEN, `Khóa API này không có quyền cần cho thao tác (${need}).`, [
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
