import http from 'node:http';
import { createTimestampIssuer, TsaIdentity } from './timestamp-issuer';

// RFC 3161 §3.4 "Time-Stamp Protocol via HTTP": POST application/timestamp-query, answer
// application/timestamp-reply. A plain node:http listener, so it can also be mounted in Express.

const MAX_REQUEST_BYTES = 16 * 1024;

export function tsaRequestListener(identity: TsaIdentity): http.RequestListener {
  const issuer = createTimestampIssuer(identity);
  return (req, res) => {
    const fail = (status: number, text: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
    };
    if (req.method !== 'POST') return fail(405, 'POST an application/timestamp-query');
    if (!/^application\/timestamp-query\b/i.test(req.headers['content-type'] ?? '')) return fail(415, 'expected application/timestamp-query');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        fail(413, 'a TimeStampReq is never this large');
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const reply = issuer.respond(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': reply.length }).end(reply);
    });
  };
}

/** An HTTP server answering timestamp queries on any path; the caller listens (port 0 in tests). */
export function createTsaServer(identity: TsaIdentity): http.Server {
  return http.createServer(tsaRequestListener(identity));
}
