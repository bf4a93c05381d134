import express, { Router, type Response } from 'express';
import { X509Certificate } from 'node:crypto';
import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { DEV_CRL_PATH, DEV_OCSP_PATH, openDevCa } from '../../domain/pki/dev-pki';
import { buildCrl, serialKey } from '../../pki/revocation/crl';
import { buildOcspResponse, certIdOf, decodeOcspRequest, ocspErrorResponse, OcspCertStatus } from '../../pki/revocation/ocsp';
import { readCertificateFields } from '../../asn1/cert-fields';
import { decodeAt } from '../../asn1/der';

// Dev mode only: the development CA publishes its CRL and answers OCSP for the certificates it
// issued, so `lienthong pki revoke` shows in verification (CRLs are valid for one minute, OCSP
// answers are live). OCSP is answered by POST and by GET (RFC 6960 A.1.1), with whole-second times.

const CRL_VALID_MS = 60_000;

interface IssuedRow {
  cert: X509Certificate;
  serial: Buffer;
  revokedAt: Date | null;
}

async function issued(db: Db): Promise<IssuedRow[]> {
  const r = await db.query<{ cert_pem: string; revoked_at: Date | null }>('SELECT cert_pem, revoked_at FROM agency_certificates');
  return r.rows.map((row) => {
    const cert = new X509Certificate(row.cert_pem);
    return { cert, serial: decodeAt(readCertificateFields(cert.raw).serial).content, revokedAt: row.revoked_at };
  });
}

let crlNumber = Math.floor(Date.now() / 1000);

export function devRevocationRoutes(db: Db, config: Config): Router {
  const router = Router();
  router.get(DEV_CRL_PATH, async (_req, res, next) => {
    try {
      const ca = await openDevCa(db, config.masterKey, true);
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const revoked = (await issued(db)).filter((r) => r.revokedAt).map((r) => ({ serial: r.serial, revokedAt: r.revokedAt! }));
      const crl = buildCrl(ca, revoked, now, new Date(now.getTime() + CRL_VALID_MS), crlNumber++);
      res.type('application/pkix-crl').set('Cache-Control', `max-age=${CRL_VALID_MS / 1000}`).send(crl);
    } catch (err) {
      next(err);
    }
  });
  const answerOcsp = async (request: Buffer, res: Response): Promise<void> => {
    const ca = await openDevCa(db, config.masterKey, true);
    const caCert = new X509Certificate(ca.certPem);
    let ids;
    try {
      ids = decodeOcspRequest(request);
    } catch {
      res.type('application/ocsp-response').send(ocspErrorResponse(1));
      return;
    }
    const rows = await issued(db);
    const answers = ids.map((id) => {
      const row = rows.find((r) => serialKey(r.serial) === id.serial);
      const mine = row && certIdOf(row.cert, caCert);
      const known = !!mine && mine.issuerKeyHash.equals(id.issuerKeyHash) && mine.issuerNameHash.equals(id.issuerNameHash);
      const status: OcspCertStatus = !known ? { status: 'unknown' } : row!.revokedAt ? { status: 'revoked', revokedAt: row!.revokedAt } : { status: 'good' };
      return { id, status };
    });
    res.type('application/ocsp-response').send(buildOcspResponse(ca, answers, new Date(), CRL_VALID_MS));
  };
  router.post(DEV_OCSP_PATH, express.raw({ type: () => true, limit: '64kb' }), (req, res, next) => {
    answerOcsp(req.body as Buffer, res).catch(next);
  });
  // RFC 6960 A.1.1: GET {url}/{url-encoded base64 of the DER request}; NSS (pdfsig) asks this way first
  router.get(`${DEV_OCSP_PATH}/*request`, (req, res, next) => {
    let b64 = '';
    try {
      b64 = decodeURIComponent(req.path.slice(DEV_OCSP_PATH.length + 1));
    } catch {
      b64 = '';
    }
    if (b64.length === 0 || b64.length > 8192) {
      res.type('application/ocsp-response').send(ocspErrorResponse(1));
      return;
    }
    answerOcsp(Buffer.from(b64, 'base64'), res).catch(next);
  });
  return router;
}
