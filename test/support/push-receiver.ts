import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hugeAnswer } from './hostile-receivers';

/**
 * `redirect`: 307 to the URL given to setRedirect (the worker must not follow it); `huge`: stores
 * the push like `ok`, then answers 200 with a 1 GiB body generated as it is read.
 */
export type Behaviour = 'ok' | 'fail500' | 'timeout' | 'down' | 'redirect' | 'huge';

export interface ReceivedPush {
  deliveryId: string;
  timestamp: string;
  signatureValid: boolean;
  contentType: string;
  raw: string;
  /** The parsed JSON body, or undefined for an edXML delivery. */
  body: any;
  /** X-LienThong-Receipt: the hub's signed receipt beside an edXML status (base64 DER). */
  receiptHeader?: string;
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * A real HTTP receiver standing in for an agency's own system. `script` answers request by
 * request (the last entry repeats); `accepted` holds each 2xx delivery, deduplicated by the
 * delivery id the way a real receiver should.
 */
export async function startPushReceiver(secret: string, script: Behaviour[]) {
  const attempts: string[] = [];
  const accepted = new Map<string, ReceivedPush>();
  let duplicates = 0;
  let n = 0;
  let redirectTarget = 'http://127.0.0.1:9/nowhere';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const behaviour = script[Math.min(n++, script.length - 1)]!;
      const deliveryId = String(req.headers['x-lienthong-delivery'] ?? '');
      attempts.push(`${deliveryId}:${behaviour}`);
      if (behaviour === 'timeout') return; // never answers; the client's timeout must fire
      if (behaviour === 'down') return req.socket.destroy();
      if (behaviour === 'fail500') {
        res.writeHead(500).end('temporarily broken');
        return;
      }
      if (behaviour === 'redirect') {
        res.writeHead(307, { location: redirectTarget }).end();
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(req.headers['x-lienthong-timestamp'] ?? '');
      const expected = 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex');
      const given = String(req.headers['x-lienthong-signature'] ?? '');
      const signatureValid = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      if (accepted.has(deliveryId)) duplicates++;
      else accepted.set(deliveryId, { deliveryId, timestamp, signatureValid, contentType: String(req.headers['content-type'] ?? ''), raw, body: safeJson(raw),
        ...(req.headers['x-lienthong-receipt'] ? { receiptHeader: String(req.headers['x-lienthong-receipt']) } : {}) });
      if (behaviour === 'huge') return hugeAnswer(1024 ** 3)(req, res);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    });
    res.on('error', () => undefined);
  });
  server.on('connection', (socket) => socket.on('error', () => undefined));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/lienthong/inbox`,
    attempts,
    accepted,
    duplicates: () => duplicates,
    setRedirect(url: string) {
      redirectTarget = url;
    },
    setScript(next: Behaviour[]) {
      script.splice(0, script.length, ...next);
      n = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
