import { Router } from 'express';
import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { dispatchEventHub } from '../events/dispatch-event.hub';
import { allow, userOf } from '../security/access-policy';

/** Server-sent events: status changes of the user's agency's documents, for pages to update in place. */
export function eventsRoutes(db: Db, config: Config): Router {
  const router = Router();
  const hub = dispatchEventHub(db, config.LIENTHONG_DATABASE_SESSION_URL ?? config.DATABASE_URL);

  router.get('/events', allow('documents.read'), async (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 5000\n\n');
    // The page may leave while the subscription is being made: then it is undone at once.
    let left = false;
    req.once('close', () => (left = true)); // (or it left before this handler ran: the socket is gone)
    const unsubscribe = await hub.subscribe(userOf(res).agencyCode, (e) => res.write(`event: dispatch\ndata: ${JSON.stringify(e)}\n\n`));
    if (left || res.destroyed || req.socket.destroyed) return void unsubscribe();
    // Proxies drop silent connections; a comment line every 25 s keeps this one open.
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });

  return router;
}
