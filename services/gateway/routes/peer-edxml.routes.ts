import express, { Router } from 'express';
import { ErrorCode } from '../../../contracts';
import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { DomainError } from '../../domain/errors/domain-error';
import { authenticatePeer, HUB_HEADER } from '../../domain/peers/hub-signature';
import { receiveFromPeer } from '../../domain/peers/receive-from-peer';
import { localDirectoryPage } from '../../domain/peers/peer-directory';
import type { LargeBodyGate } from '../security/large-body-gate';
import { acceptLimitsFrom } from '../../domain/documents/accept-limits';
import { answerEdxmlOutcome, edxmlMessageOf, requireXmlBody } from './edxml-intake';

/**
 * POST /v1/edxml from a peer hub (issue 22): a request carrying X-LienThong-Hub is authenticated by
 * the peers' shared HMAC instead of an API key, then enters the same acceptance as an agency's
 * envelope (receive-from-peer.ts). Mounted before the API-key check; any other request passes on.
 * Answers as POST /v1/edxml does: 202 `{id, status, …}` for a document (a relay is counted
 * delivered on the sending hub only with that id), 200 for a revoke or a status.
 */
export function peerEdxmlRoutes(db: Db, config: Config, gate: LargeBodyGate): Router {
  const router = Router();
  const xml = express.raw({ type: () => true, limit: config.LIENTHONG_MAX_JSON_BYTES });
  router.post(
    '/v1/edxml',
    (req, _res, next) => (req.header(HUB_HEADER) === undefined ? next('router') : next()),
    requireXmlBody,
    gate.middleware,
    xml,
    async (req, res) => {
      const body = req.body as Buffer;
      const peer = await authenticatePeer(db, config.masterKey, req.headers, body);
      const message = edxmlMessageOf(body, config);
      const outcome = await receiveFromPeer(db, config.LIENTHONG_HUB_ID, peer, message, acceptLimitsFrom(config));
      answerEdxmlOutcome(res, outcome, { links: false });
    },
  );
  // A peer asks for this hub's own agencies (its directory sync): signed like a relay, a JSON body `{"after"}`.
  router.post('/v1/peer/agencies', express.raw({ type: () => true, limit: 4096 }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    await authenticatePeer(db, config.masterKey, req.headers, body);
    let after = '';
    try {
      const parsed = body.length ? (JSON.parse(body.toString('utf8')) as { after?: unknown }) : {};
      if (typeof parsed.after === 'string') after = parsed.after.slice(0, 35);
    } catch {
      throw new DomainError(ErrorCode.MALFORMED_JSON, 'Thân yêu cầu không phải JSON hợp lệ.');
    }
    res.json({ hub: config.LIENTHONG_HUB_ID, ...(await localDirectoryPage(db, after)) });
  });
  return router;
}
