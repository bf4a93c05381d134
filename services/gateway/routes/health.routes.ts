import { Router } from 'express';
import type IORedis from 'ioredis';
import type { Db } from '../../db/pool';

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS).unref())]);
}

export function healthRoutes(db: Db, redis: IORedis): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/ready', async (_req, res) => {
    const [pg, rd] = await Promise.allSettled([withTimeout(db.query('SELECT 1')), withTimeout(redis.ping())]);
    const checks = {
      postgres: pg.status === 'fulfilled' ? 'ok' : `down: ${(pg.reason as Error).message}`,
      redis: rd.status === 'fulfilled' ? 'ok' : `down: ${(rd.reason as Error).message}`,
    };
    const ok = pg.status === 'fulfilled' && rd.status === 'fulfilled';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks });
  });
  return router;
}
