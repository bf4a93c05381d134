import { Router } from 'express';
import express from 'express';
import { ErrorCode } from '../../../contracts';
import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { documentEnvelope } from '../../domain/edxml/document-envelope';
import { receiveEdxml } from '../../domain/edxml/receive-edxml';
import { findDocumentFor } from '../../domain/documents/document-reads';
import { DomainError } from '../../domain/errors/domain-error';
import { principalOf } from '../middleware/authenticate';
import { isUuid } from '../../http/route-params';
import { largeBodyGate, type LargeBodyGate } from '../security/large-body-gate';
import { checkScope } from '../security/require-scope';
import { acceptLimitsFrom } from '../../domain/documents/accept-limits';
import { answerEdxmlOutcome, edxmlMessageOf, requireXmlBody } from './edxml-intake';

/** edXML in (POST /v1/edxml) and out (GET /v1/documents/:id/edxml), QCVN 102:2016. */
export function edxmlRoutes(db: Db, config: Config, gate: LargeBodyGate = largeBodyGate(config.LIENTHONG_LARGE_BODY_CONCURRENCY)): Router {
  const router = Router();
  const xml = express.raw({ type: () => true, limit: config.LIENTHONG_MAX_JSON_BYTES });

  router.post('/v1/edxml', requireXmlBody, gate.middleware, xml, async (req, res) => {
    const principal = principalOf(res);
    const message = edxmlMessageOf(req.body as Buffer, config);
    // A status message is a status (scope `status`); an envelope that sends, revokes or replaces is `send`.
    checkScope(principal, message.kind === 'status' ? ['status'] : ['send']);
    const outcome = await receiveEdxml(db, principal.agencyCode, `apikey:${principal.keyId}`, message, acceptLimitsFrom(config));
    answerEdxmlOutcome(res, outcome, { links: true });
  });

  router.get('/v1/documents/:id/edxml', async (req, res) => {
    const principal = principalOf(res);
    const found = isUuid(req.params.id) ? await findDocumentFor(db, principal.agencyCode, req.params.id) : undefined;
    if (!found) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy văn bản.');
    res.type('application/xml').send(await documentEnvelope(db, found.doc));
  });

  return router;
}
