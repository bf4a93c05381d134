import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../../db/pool';
import { findSessionUser } from '../../domain/users/session.repository';
import { withLogContext } from '../../logging/logger';
import { cookieOptions, parseCookies, type CookieNames } from './cookies';
import { preAuthToken } from './csrf.middleware';

export interface WebSecurity {
  secure: boolean;
  names: CookieNames;
  csrfSecret: Buffer;
}

/**
 * Finds the signed-in user from the session cookie, and gives visitors a pre-auth cookie so the
 * sign-in form can carry a CSRF token. `res.locals.csrf` is the token every form embeds.
 */
export function loadSession(db: Db, sec: WebSecurity) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const cookies = parseCookies(req);
    const sid = cookies[sec.names.session];
    const user = sid ? await findSessionUser(db, sid) : undefined;
    res.locals.sessionId = user ? sid : undefined;
    if (user) {
      res.locals.user = user;
      res.locals.csrf = user.csrfToken;
      res.setHeader('Cache-Control', 'no-store');
      return withLogContext({ agency: user.agencyCode, user: user.username }, () => next());
    }
    let pre = cookies[sec.names.preAuth];
    if (!pre || !/^[A-Za-z0-9_-]{32}$/.test(pre)) {
      pre = randomBytes(24).toString('base64url');
      res.cookie(sec.names.preAuth, pre, cookieOptions(sec.secure));
    }
    res.locals.preAuthCookie = pre;
    res.locals.csrf = preAuthToken(sec.csrfSecret, pre);
    next();
  };
}
