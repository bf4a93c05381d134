import { Router, type Request } from 'express';
import type { Db } from '../../db/pool';
import { signIn, signOut } from '../../domain/users/sign-in';
import { SESSION_MAX_MS } from '../../domain/users/session.repository';
import { currentUser, homeOf } from '../security/access-policy';
import { cookieOptions } from '../security/cookies';
import type { WebSecurity } from '../security/session.middleware';
import { signInPage } from '../views/sign-in.view';

/** Only paths of this site: "//evil.example" or "https://…" would make an open redirect. */
function localPath(v: unknown): string | undefined {
  return typeof v === 'string' && /^\/(?![/\\])[^\s]*$/.test(v) && v.length < 500 ? v : undefined;
}

function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function authRoutes(db: Db, sec: WebSecurity): Router {
  const router = Router();

  router.get(['/', '/sign-in'], (req, res) => {
    const user = currentUser(res);
    if (user) return res.redirect(303, homeOf(user.role));
    res.type('html').send(signInPage(res, { next: localPath(req.query.next) }).value);
  });

  router.post('/sign-in', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const next = localPath(body.next);
    if (!username || !password) {
      res.status(400).type('html').send(signInPage(res, { username, next, error: 'Hãy nhập tên đăng nhập và mật khẩu.' }).value);
      return;
    }
    const result = await signIn(db, {
      username,
      password,
      ip: clientIp(req),
      userAgent: req.header('user-agent') ?? null,
      previousSessionId: (res.locals.sessionId as string | undefined) ?? readRaw(req, sec.names.session),
    });
    if (!result.ok) {
      const error =
        result.reason === 'locked'
          ? 'Đăng nhập tạm khóa 15 phút do nhập sai nhiều lần. Hãy thử lại sau hoặc liên hệ quản trị.'
          : 'Tên đăng nhập hoặc mật khẩu không đúng.';
      res.status(result.reason === 'locked' ? 429 : 401).type('html').send(signInPage(res, { username, next, error }).value);
      return;
    }
    res.cookie(sec.names.session, result.sessionId, cookieOptions(sec.secure, SESSION_MAX_MS));
    res.clearCookie(sec.names.preAuth, cookieOptions(sec.secure));
    res.redirect(303, next ?? homeOf(result.user.role));
  });

  router.post('/sign-out', async (_req, res) => {
    const user = currentUser(res);
    const sid = res.locals.sessionId as string | undefined;
    if (user && sid) await signOut(db, sid, user.username);
    res.clearCookie(sec.names.session, cookieOptions(sec.secure));
    res.redirect(303, '/');
  });

  return router;
}

/** A session cookie that no longer names a live session is still destroyed at sign-in. */
function readRaw(req: Request, name: string): string | null {
  const m = new RegExp(`(?:^|;\\s*)${name.replace(/[^A-Za-z0-9_-]/g, '')}=([^;]+)`).exec(req.header('cookie') ?? '');
  return m ? m[1]! : null;
}
