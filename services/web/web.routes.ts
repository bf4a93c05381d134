import path from 'node:path';
import { hkdfSync } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { HTTP_STATUS_OF } from '../../contracts';
import { projectRoot } from '../config/project-root';
import { DomainError } from '../domain/errors/domain-error';
import type { AppDeps } from '../http/app-deps';
import { logger } from '../logging/logger';
import { adminRoutes } from './routes/admin.routes';
import { adminPeopleRoutes } from './routes/admin-people.routes';
import { authRoutes } from './routes/auth.routes';
import { eventsRoutes } from './routes/events.routes';
import { notificationsRoutes } from './routes/notifications.routes';
import { filesRoutes } from './routes/files.routes';
import { handlingRoutes } from './routes/handling.routes';
import { inboxRoutes } from './routes/inbox.routes';
import { leaderRoutes } from './routes/leader.routes';
import { monitorRoutes } from './routes/monitor.routes';
import { outboxRoutes } from './routes/outbox.routes';
import { paperRoutes } from './routes/paper.routes';
import { sendRoutes } from './routes/send.routes';
import { searchRoutes } from './routes/search.routes';
import { registersRoutes } from './routes/registers.routes';
import { printRoutes } from './routes/print.routes';
import { accessRoutes } from './routes/access.routes';
import { savedSearchesMenu } from './routes/saved-menu.middleware';
import { draftsRoutes } from './routes/drafts.routes';
import { cookieNames } from './security/cookies';
import { requireCsrf } from './security/csrf.middleware';
import { formBody } from './security/form-body.middleware';
import { securityHeaders } from './security/security-headers';
import { loadSession, type WebSecurity } from './security/session.middleware';
import { errorPage, notFoundPage } from './views/error.view';

const log = logger('web');

/** Paths the web app leaves to the API, probes and metrics (they have their own auth). */
const NOT_WEB = /^\/(v1|health|metrics)(\/|$)/;

/**
 * The clerks', leaders', monitors' and administrators' web application at `/`. Session cookies
 * and CSRF tokens, never API keys; everything is scoped to the user's agency by the same domain
 * functions the API calls.
 */
export function webRoutes({ db, redis, config }: AppDeps): Router {
  // Cookies are Secure when the public URL is https (behind a TLS proxy); local http must work.
  const secure = (config.LIENTHONG_PUBLIC_URL ?? '').startsWith('https://');
  const sec: WebSecurity = {
    secure,
    names: cookieNames(secure),
    csrfSecret: Buffer.from(hkdfSync('sha256', config.masterKey, Buffer.alloc(0), 'lienthong-web-csrf', 32)),
  };
  const router = Router();
  router.use((req, _res, next) => (NOT_WEB.test(req.path) ? next('router') : next()));
  router.use(securityHeaders(secure));
  router.use('/assets', express.static(path.join(projectRoot(), 'services', 'web', 'assets'), { maxAge: '1h', fallthrough: false }));
  router.get('/favicon.ico', (_req, res) => res.redirect(301, '/assets/favicon.svg'));
  router.use(loadSession(db, sec));
  router.use(savedSearchesMenu(db));
  router.use(formBody(config));
  router.use(requireCsrf(sec.csrfSecret));
  router.use(authRoutes(db, sec));
  router.use(inboxRoutes(db));
  router.use(handlingRoutes(db));
  router.use(filesRoutes(db));
  router.use(sendRoutes(db, config));
  router.use(draftsRoutes(db, config));
  router.use(outboxRoutes(db));
  router.use(searchRoutes(db));
  router.use(registersRoutes(db));
  router.use(printRoutes(db));
  router.use(accessRoutes(db));
  router.use(paperRoutes(db, config));
  router.use(leaderRoutes(db));
  router.use(monitorRoutes(db));
  router.use(adminRoutes(db, redis, config));
  router.use(adminPeopleRoutes(db));
  router.use(eventsRoutes(db, config));
  router.use(notificationsRoutes(db, config));
  router.use((_req: Request, res: Response) => {
    res.status(404).type('html').send(notFoundPage(res).value);
  });
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.destroy();
    if (err instanceof DomainError) {
      const status = HTTP_STATUS_OF[err.code];
      if (status === 404) return void res.status(404).type('html').send(notFoundPage(res).value);
      return void res.status(status).type('html').send(errorPage(res, status, err.message).value);
    }
    const e = err as { code?: string; status?: number; statusCode?: number; message?: string };
    // PostgreSQL refused a NUL or an invalid UTF-8 sequence in the form's text (nothing was written).
    if (e?.code === '22021' || e?.code === '22P05') return void res.status(400).type('html').send(errorPage(res, 400, 'Dữ liệu chứa ký tự không hợp lệ.').value);
    if (e?.code === 'LIMIT_FILE_SIZE') return void res.status(413).type('html').send(errorPage(res, 413, 'Tệp quá lớn.').value);
    const status = e?.status ?? e?.statusCode;
    if (status === 404) return void res.status(404).type('html').send(notFoundPage(res).value);
    if (status && status >= 400 && status < 500) return void res.status(status).type('html').send(errorPage(res, status, 'Yêu cầu không hợp lệ.').value);
    log.error({ err }, 'web request failed');
    res.status(500).type('html').send(errorPage(res, 500, 'Lỗi nội bộ; thao tác chưa được thực hiện. Hãy thử lại.').value);
  });
  return router;
}
