import { Router } from 'express';
import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { DomainError } from '../../domain/errors/domain-error';
import { listNotifications, markRead, newestNotificationId, notificationPage, unreadCount } from '../../domain/notifications/notify';
import { changeOwnPassword } from '../../domain/users/user-admin';
import { sessionIdHash } from '../../domain/users/session.repository';
import { notificationHub } from '../events/notification.hub';
import { allow, sessionNow, userOf } from '../security/access-policy';
import { accountPage, notificationsPage } from '../views/notifications.view';
import { webListQuery } from './list-query';

/** The stream's session as it is now: still unexpired, not signed out, its user the same and not disabled. */
async function stillActive(db: Db, sessionId: string | undefined, userId: string): Promise<boolean> {
  return (await sessionNow(db, sessionId))?.id === userId;
}

/** The notification centre (a page, mark-read, a live stream) and the user's own password. */
export function notificationsRoutes(db: Db, config: Config): Router {
  const router = Router();
  // LISTEN needs a session: the session URL when DATABASE_URL goes through a transaction pooler.
  const hub = notificationHub(config.LIENTHONG_DATABASE_SESSION_URL ?? config.DATABASE_URL);

  router.get('/notifications', allow('notifications.read'), async (req, res) => {
    // Paged like every list (keyset cursors, 20/50/100/200 per page, first/previous/next/last).
    const l = webListQuery(req);
    const userId = userOf(res).id;
    const [p, newest] = await Promise.all([
      notificationPage(db, userId, { limit: l.limit, cursor: l.query.cursor, last: l.query.page === 'last' }),
      newestNotificationId(db, userId),
    ]);
    res.type('html').send(notificationsPage(res, p, l.limit, newest).value);
  });

  router.post('/notifications/read', allow('notifications.read'), async (req, res) => {
    const raw = (req.body as Record<string, unknown>).id;
    const id = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : null;
    // "Mark all": up to the newest the page showed; one that arrived since stays unread.
    const rawUpTo = (req.body as Record<string, unknown>).upTo;
    const upTo = typeof rawUpTo === 'string' && /^\d{1,15}$/.test(rawUpTo) ? Number(rawUpTo) : null;
    await markRead(db, userOf(res).id, id, id === null ? upTo : null);
    res.redirect(303, '/notifications');
  });

  /** Server-sent events: `notification` with the new unread count and the newest items' titles. */
  router.get('/notifications/stream', allow('notifications.read'), async (req, res) => {
    const user = userOf(res);
    const sessionId = res.locals.sessionId as string | undefined;
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 5000\n\n');
    const push = async (id: number | null) => {
      if (!(await stillActive(db, sessionId, user.id))) return void res.end();
      const [unread, items] = await Promise.all([unreadCount(db, user.id), listNotifications(db, user.id, 1)]);
      const latest = id !== null ? items.find((i) => i.id === id) : undefined;
      res.write(`event: notification\ndata: ${JSON.stringify({ unread, latest: latest ? { id: latest.id, title: latest.title, link: latest.link, urgent: latest.urgent, kind: latest.kind } : null })}\n\n`);
    };
    // The page may leave while the subscription is being made: then it is undone at once, or the
    // hub would keep a listener (and its LISTEN connection) for nobody.
    let left = false;
    req.once('close', () => (left = true)); // (or it left before this handler ran: the socket is gone)
    const unsubscribe = await hub.subscribe(user.id, (e) => void push(e.id).catch(() => undefined));
    if (left || res.destroyed || req.socket.destroyed) return void unsubscribe();
    await push(null);
    if (left || res.destroyed || req.socket.destroyed) return void unsubscribe();
    // A user disabled, signed out or whose session ended meanwhile loses the stream (sessionNow).
    const heartbeat = setInterval(() => {
      void stillActive(db, sessionId, user.id).then((ok) => (ok ? res.write(': keep-alive\n\n') : res.end()), () => undefined);
    }, 25_000);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });

  router.get('/account', allow('account.self'), (req, res) => {
    res.type('html').send(accountPage(res, req.query.done === 'password' ? { kind: 'ok', text: 'Đã đổi mật khẩu.' } : undefined).value);
  });

  router.post('/account/password', allow('account.self'), async (req, res) => {
    const b = req.body as Record<string, string | undefined>;
    try {
      if ((b.password ?? '') !== (b.confirm ?? '')) throw new DomainError('VALIDATION_FAILED', 'Hai lần nhập mật khẩu mới không khớp.');
      const sid = String(res.locals.sessionId ?? '');
      await changeOwnPassword(db, userOf(res).id, b.current ?? '', b.password ?? '', sessionIdHash(sid));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return void res.status(400).type('html').send(accountPage(res, { kind: 'error', text: err.message }).value);
    }
    res.redirect(303, '/account?done=password');
  });

  return router;
}
