import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDevCa, issueAgencyCertificate, issueTsaCertificate, KeyAndCert } from '../../../services/pki/dev-ca';
import { buildCrl } from '../../../services/pki/revocation/crl';
import { buildOcspResponse, decodeOcspRequest } from '../../../services/pki/revocation/ocsp';
import { memoryCache } from '../../../services/pki/revocation/revocation-checker';
import { loadSigningIdentity, SigningIdentity } from '../../../services/signing/pades-signer';
import { ValidationDataCollector } from '../../../services/signing/ltv/validation-data';
import type { LtvContext } from '../../../services/signing/ltv/signature-levels';
import { createTsaServer } from '../../../services/tsa/tsa-server';
import { AGENCY } from './signing-fixtures';

// A CA with a real HTTP CRL and OCSP service (stoppable: "the services are down"), an agency
// certificate and TSAs that name them, for the B-LT / B-LTA tests.

async function listen(server: http.Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export interface RevocationService {
  crlUrl: string;
  ocspUrl: string;
  /** Requests answered so far (CRL and OCSP). */
  requests: { crl: number; ocsp: number };
  close(): Promise<void>;
}

/** Every certificate of `ca` is good; CRL and OCSP answers are valid one minute. */
export async function startRevocationService(ca: KeyAndCert): Promise<RevocationService> {
  const requests = { crl: 0, ocsp: 0 };
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/ca.crl') {
      requests.crl++;
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(buildCrl(ca, [], now, new Date(now.getTime() + 60_000), requests.crl));
      return;
    }
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      requests.ocsp++;
      const ids = decodeOcspRequest(Buffer.concat(body));
      const reply = buildOcspResponse(ca, ids.map((id) => ({ id, status: { status: 'good' as const } })), new Date(), 60_000);
      res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(reply);
    });
  });
  const base = await listen(server);
  return { crlUrl: `${base}/ca.crl`, ocspUrl: `${base}/ocsp`, requests, close: () => closeServer(server) };
}

export interface RunningTsa {
  url: string;
  tsa: KeyAndCert;
  close(): Promise<void>;
}

export async function startNamedTsa(ca: KeyAndCert, revocation: RevocationService, opts: { validDays?: number; commonName?: string } = {}): Promise<RunningTsa> {
  const tsa = issueTsaCertificate(ca, { ...opts, revocation: { crlUrl: revocation.crlUrl, ocspUrl: revocation.ocspUrl } });
  const server = createTsaServer({ keyPem: tsa.keyPem, certPem: tsa.certPem + ca.certPem });
  const url = `${await listen(server)}/tsa`;
  return { url, tsa, close: () => closeServer(server) };
}

export interface LtvPki {
  ca: KeyAndCert;
  agency: KeyAndCert;
  identity: SigningIdentity;
  revocation: RevocationService;
  anchor: Buffer;
  signerNotAfter: Date;
}

export async function makeLtvPki(signerValidDays = 30): Promise<LtvPki> {
  const ca = createDevCa();
  const revocation = await startRevocationService(ca);
  const agency = issueAgencyCertificate(ca, AGENCY, { validDays: signerValidDays, revocation: { crlUrl: revocation.crlUrl, ocspUrl: revocation.ocspUrl } });
  const identity = loadSigningIdentity(agency.keyPem, agency.certPem, [ca.certPem]);
  const anchor = new X509Certificate(ca.certPem).raw;
  return { ca, agency, identity, revocation, anchor, signerNotAfter: new Date(new X509Certificate(agency.certPem).validTo) };
}

export function ltvContext(pki: LtvPki, tsaUrl: string): LtvContext {
  return { collector: new ValidationDataCollector({ cache: memoryCache() }), anchors: [pki.anchor], tsa: { url: tsaUrl } };
}

export const DAY_MS = 24 * 3600_000;
