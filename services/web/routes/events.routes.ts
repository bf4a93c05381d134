import { Router } from 'express';
import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { dispatchEventHub, type DispatchEvent } from '../events/dispatch-event.hub';
import { allow, can, mayReadCopy, readerFor, sessionNow, userOf } from '../security/access-policy';

/**
 * Server-sent events: status changes of the user's agency's documents, for pages to update in place.
 * Each event is told only to a reader who may see its document: heads and specialists hear only the
 * copies given to their unit or to them (no sent document), as in every list. The session is read
 * again for every event and every 25 s: a user signed out, disabled or whose session ended loses the
 * stream, and a changed role or unit applies at once.
 */
export function eventsRoutes(db: Db, config: Config): Router {
  const router = Router();
  const hub = dispatchEventHub(db, config.LIENTHONG_DATABASE_SESSION_URL ?? config.DATABASE_URL);

  router.get('/events', allow('documents.read'), async (req, res) => {
    const agency = userOf(res).agencyCode;
    const sessionId = res.locals.sessionId as string | undefined;
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 5000\n\n');
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      res.end();
    };
    /** The user as the session says now, or the stream ends (undefined). */
    const current = async () => {
      const now = await sessionNow(db, sessionId);
      if (!now || now.agencyCode !== agency || !can(now, 'documents.read')) return void end();
      return now;
    };
    const tell = async (e: DispatchEvent) => {
      const now = await current();
      if (!now || ended) return;
      if (!(await mayReadCopy(db, agency, readerFor(now), e.documentId, { dispatchId: e.dispatchId }))) return;
      if (!ended) res.write(`event: dispatch\ndata: ${JSON.stringify(e)}\n\n`);
    };
    // One event at a time, in the order they came: each waits for the previous one's checks.
    let queue: Promise<void> = Promise.resolve();
    // The page may leave while the subscription is being made: then it is undone at once.
    let left = false;
    req.once('close', () => (left = true)); // (or it left before this handler ran: the socket is gone)
    const unsubscribe = await hub.subscribe(agency, (e) => {
      queue = queue.then(() => tell(e)).catch(() => undefined);
    });
    if (left || res.destroyed || req.socket.destroyed) return void unsubscribe();
    // Proxies drop silent connections; a comment line every 25 s keeps this one open (while the session lasts).
    const heartbeat = setInterval(() => {
      queue = queue.then(async () => void ((await current()) && !ended && res.write(': keep-alive\n\n'))).catch(() => undefined);
    }, 25_000);
    heartbeat.unref();
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearInterval(heartbeat);
      unsubscribe();
    };
    req.on('close', stop);
    res.on('finish', stop);
  });

  return router;
}
