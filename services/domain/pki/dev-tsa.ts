import { once } from 'node:events';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queryable } from '../../db/pool';
import { DEV_CRL_PATH, DEV_OCSP_PATH, devRevocationBaseUrl, openDevCa } from './dev-pki';
import { issueTsaCertificate } from '../../pki/dev-ca';
import { createTsaServer } from '../../tsa/tsa-server';

/**
 * A development TSA with a fresh TSA certificate from the development CA, so whoever trusts the
 * dev CA (pdfsig with `pki ca-cert`, our verifier) trusts its tokens. Dev mode only, like the CA.
 */
export async function startDevTsa(
  db: Queryable,
  masterKey: Buffer,
  devMode: boolean,
  listen: { port?: number; host?: string; revocationBaseUrl?: string } = {},
): Promise<{ url: string; server: http.Server }> {
  const ca = await openDevCa(db, masterKey, devMode);
  // names the gateway's CRL and OCSP of the development CA, like the agencies' certificates (B-LT)
  const base = (listen.revocationBaseUrl ?? devRevocationBaseUrl()).replace(/\/$/, '');
  const tsa = issueTsaCertificate(ca, { revocation: { crlUrl: `${base}${DEV_CRL_PATH}`, ocspUrl: `${base}${DEV_OCSP_PATH}` } });
  const server = createTsaServer({ keyPem: tsa.keyPem, certPem: tsa.certPem + ca.certPem });
  server.listen(listen.port ?? 0, listen.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  return { url: `http://${address}:${port}/`, server };
}
