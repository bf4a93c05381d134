import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ErrorCode } from '../../../contracts';
import { DomainError } from '../../domain/errors/domain-error';

/** Bodies up to this size are decoded at once; larger ones take a turn (or have no declared length). */
export const LARGE_BODY_BYTES = 1024 * 1024;
/** Requests that may wait for a turn; beyond them the answer is 503 with Retry-After. */
const MAX_WAITING = 64;
/** How long one may wait for a turn (the server's own request timeout is 120 s). */
const MAX_WAIT_MS = 60_000;

export interface LargeBodyGate {
  /** Express middleware: a large body waits here, unread, until fewer than `concurrency` are being decoded. */
  middleware: RequestHandler;
  /** Bodies being decoded now, and waiting (tests and metrics). */
  stats(): { active: number; waiting: number };
}

/**
 * A JSON or edXML body is decoded whole in memory (a 45 MB JSON body costs the gateway about five
 * times its size while it is parsed and its base64 decoded). Such bodies take turns: at most
 * `concurrency` at once per gateway; the others wait before a byte of their body is read (TCP
 * holds it back), so memory is bounded by the limit, not by how many clients send at once.
 * A turn is held until the answer has gone (the parsed body lives until then).
 */
export function largeBodyGate(concurrency: number): LargeBodyGate {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    const declared = Number(req.header('content-length'));
    if (Number.isFinite(declared) && req.header('content-length') !== undefined && declared <= LARGE_BODY_BYTES) return next();
    let held = false;
    const enter = () => {
      held = true;
      let done = false;
      const leave = () => {
        if (done) return;
        done = true;
        release();
      };
      res.once('finish', leave);
      res.once('close', leave);
      next();
    };
    if (active < concurrency) {
      active++;
      return enter();
    }
    if (waiting.length >= MAX_WAITING) {
      res.setHeader('Retry-After', '5');
      return next(new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'Máy chủ đang xử lý nhiều gói dữ liệu lớn; hãy thử lại sau ít giây (hoặc gửi tệp lớn qua multipart).'));
    }
    const turn = () => {
      clearTimeout(timer);
      req.off('close', gone);
      // The client left while waiting: pass the turn on.
      if (req.destroyed || res.writableEnded) return release();
      enter();
    };
    const gone = () => {
      if (held) return;
      const at = waiting.indexOf(turn);
      if (at >= 0) waiting.splice(at, 1);
      clearTimeout(timer);
    };
    const timer = setTimeout(() => {
      const at = waiting.indexOf(turn);
      if (at < 0) return;
      waiting.splice(at, 1);
      req.off('close', gone);
      res.setHeader('Retry-After', '10');
      next(new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'Máy chủ đang xử lý nhiều gói dữ liệu lớn; hãy thử lại sau (hoặc gửi tệp lớn qua multipart).'));
    }, MAX_WAIT_MS);
    req.once('close', gone);
    waiting.push(turn);
  };
  return { middleware, stats: () => ({ active, waiting: waiting.length }) };
}
