import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../../../contracts';
import type { Config } from '../../config/config';
import { edxmlDomainError, type EdxmlOutcome } from '../../domain/edxml/receive-edxml';
import { DomainError } from '../../domain/errors/domain-error';
import { EdxmlError, parseEdxml, type EdxmlMessage } from '../../edxml';

/**
 * What POST /v1/edxml does the same way for an agency (edxml.routes.ts) and a peer hub
 * (peer-edxml.routes.ts): the body must be declared XML, the envelope is parsed under the size
 * limit, and the outcome is answered alike.
 */

/** 415 UNSUPPORTED_MEDIA_TYPE unless the body is declared application/xml or text/xml. */
export function requireXmlBody(req: Request, _res: Response, next: NextFunction): void {
  if (!req.is('application/xml') && !req.is('text/xml')) {
    return next(new DomainError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'edXML phải gửi với Content-Type: application/xml.'));
  }
  next();
}

/** The envelope of a raw body; a malformed one is the edXML validation error (with its element). */
export function edxmlMessageOf(body: Buffer, config: Pick<Config, 'LIENTHONG_MAX_JSON_BYTES'>): EdxmlMessage {
  try {
    return parseEdxml(body, { maxInputBytes: config.LIENTHONG_MAX_JSON_BYTES });
  } catch (err) {
    if (err instanceof EdxmlError) throw edxmlDomainError(err);
    throw err;
  }
}

/**
 * 202 `{id, status, businessDocType[, links]}` for a document (`Idempotent-Replayed` on a replay),
 * 200 with the result for a revoke, 200 `{statuses}` for a status message.
 */
export function answerEdxmlOutcome(res: Response, outcome: EdxmlOutcome, opts: { links: boolean }): void {
  switch (outcome.kind) {
    case 'document': {
      const { id, status, created } = outcome.result;
      if (!created) res.setHeader('Idempotent-Replayed', 'true');
      res.status(202).json({ id, status, businessDocType: outcome.businessDocType, ...(opts.links ? { links: { self: `/v1/documents/${id}` } } : {}) });
      return;
    }
    case 'revoke':
      res.json(outcome.result);
      return;
    case 'status':
      res.json({ statuses: outcome.results });
      return;
  }
}
