import type { NextFunction, Request, Response } from 'express';
import type IORedis from 'ioredis';
import { ErrorCode } from '../../../contracts';
import { DomainError } from '../../domain/errors/domain-error';
import { logger } from '../../logging/logger';
import type { ApiKeyPrincipal } from '../../domain/apikeys/api-key.repository';

const log = logger('rate-limit');

/**
 * Requests per API key per minute, counted in Redis so every gateway shares the count (a fixed
 * one-minute window: simple, and good enough to stop a runaway client). If Redis cannot answer,
 * the request goes through: a limiter must not take the API down with it.
 */
export function rateLimitPerKey(redis: IORedis, perMinute: number, prefix: string) {
  return async (_req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (perMinute <= 0) return next();
    const principal = res.locals.principal as ApiKeyPrincipal | undefined;
    if (!principal) return next();
    const window = Math.floor(Date.now() / 60_000);
    const key = `${prefix}:ratelimit:${principal.keyId}:${window}`;
    let count: number;
    try {
      // A pipeline, not MULTI: EXPIRE is idempotent, so the two need no transaction (half the commands).
      const r = await redis.pipeline().incr(key).expire(key, 120).exec();
      count = Number(r?.[0]?.[1] ?? 0);
    } catch (err) {
      log.warn({ err }, 'rate limiter unavailable; request allowed');
      return next();
    }
    res.setHeader('RateLimit-Limit', String(perMinute));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, perMinute - count)));
    if (count > perMinute) {
      const retryAfter = 60 - Math.floor((Date.now() / 1000) % 60);
      res.setHeader('Retry-After', String(retryAfter));
      throw new DomainError(ErrorCode.RATE_LIMITED, `Quá nhiều yêu cầu: tối đa ${perMinute} yêu cầu mỗi phút cho một khóa API; thử lại sau ${retryAfter} giây.`, [
        { limit: perMinute, retryAfterSeconds: retryAfter },
      ]);
    }
    next();
  };
}
