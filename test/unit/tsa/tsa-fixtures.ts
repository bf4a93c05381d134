import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDevCa, issueTsaCertificate, KeyAndCert } from '../../../services/pki/dev-ca';
import { createTsaServer } from '../../../services/tsa/tsa-server';

/** A development TSA on a free port, with its own CA; close() it in after(). */
export interface RunningTsa {
  url: string;
  ca: KeyAndCert;
  tsa: KeyAndCert;
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
}

async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export async function startTsa(ca: KeyAndCert = createDevCa()): Promise<RunningTsa> {
  const tsa = issueTsaCertificate(ca);
  const server = createTsaServer({ keyPem: tsa.keyPem, certPem: tsa.certPem });
  const url = await listen(server);
  return { url, ca, tsa, close: () => closeServer(server) };
}

/** A server that accepts connections and never answers: the slow-TSA case. */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(() => undefined);
  const url = await listen(server);
  return { url, close: () => closeServer(server) };
}

/** A URL on which nothing listens: the TSA-down case. */
export async function deadUrl(): Promise<string> {
  const server = http.createServer();
  const url = await listen(server);
  await closeServer(server);
  return url;
}
