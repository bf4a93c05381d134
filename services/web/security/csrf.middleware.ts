import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { currentUser } from './access-policy';
import { forbiddenPage } from '../views/error.view';

export const CSRF_FIELD = '_csrf';

/**
 * Before sign-in there is no session row to hold a token, and writing one for every anonymous
 * visitor would let anyone fill the table; the sign-in form's token is an HMAC of a random
 * pre-auth cookie instead (a signed double submit). After sign-in it is the session's own token.
 */
export function preAuthToken(secret: Buffer, preAuthCookie: string): string {
  return createHmac('sha256', secret).update(`lienthong-pre-auth:${preAuthCookie}`).digest('base64url');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Runs after the body is parsed and before any handler: every non-GET needs the token. */
export function requireCsrf(secret: Buffer) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    const given = String((req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD] ?? req.header('x-csrf-token') ?? '');
    const user = currentUser(res);
    const pre = res.locals.preAuthCookie as string | undefined;
    const expected = user ? user.csrfToken : pre ? preAuthToken(secret, pre) : '';
    if (!given || !expected || !same(given, expected)) {
      res.status(403).type('html').send(forbiddenPage(res, 'Biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã CSRF). Hãy tải lại trang và thử lại.').value);
      return;
    }
    next();
  };
}
