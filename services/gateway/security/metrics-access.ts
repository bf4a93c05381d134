import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../../../contracts';
import type { Config } from '../../config/config';
import { DomainError } from '../../domain/errors/domain-error';

export type MetricsExposure = 'token' | 'separate-port' | 'open-dev' | 'off';

/**
 * Where /metrics is served: behind LIENTHONG_METRICS_TOKEN on the API port, on its own port
 * (LIENTHONG_METRICS_PORT, the API port does not serve it then), openly only in dev mode, and
 * otherwise not at all — volumes and agency codes are not for anyone who reaches the API.
 */
export function metricsExposure(config: Pick<Config, 'LIENTHONG_METRICS_TOKEN' | 'LIENTHONG_METRICS_PORT' | 'LIENTHONG_DEV_MODE'>): MetricsExposure {
  if (config.LIENTHONG_METRICS_PORT > 0) return 'separate-port';
  if (config.LIENTHONG_METRICS_TOKEN) return 'token';
  return config.LIENTHONG_DEV_MODE ? 'open-dev' : 'off';
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** `Authorization: Bearer <LIENTHONG_METRICS_TOKEN>`, compared in constant time. */
export function requireMetricsToken(token: string) {
  const want = digest(token);
  return (req: Request, res: Response, next: NextFunction): void => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '');
    if (m && timingSafeEqual(digest(m[1]!), want)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    next(new DomainError(ErrorCode.UNAUTHENTICATED, 'Cần mã truy cập /metrics (Authorization: Bearer <LIENTHONG_METRICS_TOKEN>).'));
  };
}
